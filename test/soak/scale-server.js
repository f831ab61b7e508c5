// The server of the scale part, in its own process: a unix stream listener with the
// ordinary accept loop; each client sends 8 bytes and gets them back, and stays
// connected. Prints {"ready":path}, then {"open":N,"served":M} whenever asked (a line on stdin).
import { socket } from '../../dist/index.js';
import { createInterface } from 'node:readline';

const path = process.argv[2];
const l = socket('unix', 'stream');
l.bind(path);
l.listen(4096);
let open = 0;
let served = 0;
let acceptErrors = 0;
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
say({ ready: path });
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'quit') process.exit(0);
  say({ open, served, acceptErrors });
});
async function serve(c) {
  open++;
  try {
    const id = await c.recv(8, 0x100 /* MSG_WAITALL */);
    if (id.length === 8) { await c.sendAll(id); served++; }
    await c.recv(1); // until the client closes
  } catch {
    // a reset client
  } finally {
    open--;
    c.close();
  }
}
for (;;) {
  try {
    void serve(await l.accept());
  } catch {
    acceptErrors++; // EMFILE: the loop everyone writes
  }
}
