// The clients of the scale part, in their own process: N concurrent connections to PATH,
// each sends its 8-byte id and checks the echo, all held open until "close" on stdin.
// Prints {"connected":N,"echoed":M,"failed":K,"errors":[...]}.
import { socket } from '../../dist/index.js';
import { createInterface } from 'node:readline';

const [path, countText, waitEcho] = process.argv.slice(2);
const n = Number(countText);
const socks = [];
let echoed = 0;
let failed = 0;
const errors = new Set();
const one = async (i) => {
  const s = socket('unix', 'stream');
  socks.push(s);
  try {
    await s.connect(path, { timeout: 60000 });
    if (waitEcho === '0') return;
    const id = Buffer.alloc(8);
    id.writeDoubleLE(i);
    await s.sendAll(id);
    const back = await s.recv(8, 0x100, { timeout: 60000 });
    if (back.equals(id)) echoed++; else { failed++; errors.add(`echo of ${i} was ${back.toString('hex')}`); }
  } catch (e) {
    failed++;
    errors.add(`${e.code ?? 'no code'}: ${String(e.message).slice(0, 100)}`);
  }
};
// Connect in waves the listen backlog can take; every connection stays open.
for (let i = 0; i < n; i += 1000) await Promise.all(Array.from({ length: Math.min(1000, n - i) }, (_, k) => one(i + k)));
process.stdout.write(`${JSON.stringify({ connected: socks.length - failed, echoed, failed, errors: [...errors].slice(0, 5) })}\n`);
createInterface({ input: process.stdin }).on('line', () => {
  for (const s of socks) s.close();
  process.exit(0);
});
