// Child of emfile.test.js: an echo server on a unix stream listener, in a process whose
// RLIMIT_NOFILE leaves it SLOTS free descriptors, written the ordinary way —
// `for (;;) { try { await l.accept() } catch {} }`. argv: path, mode ('wait' | 'shed'), slots.
// Prints JSON lines: {ready} once listening, then every 50 ms {tick, cpu, accepted, failures}.
import { spawnSync } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { socket } from '../dist/index.js';

const [path, mode, slotsArg] = process.argv.slice(2);
const slots = Number(slotsArg);
const l = socket('unix', 'stream');
l.bind(path);
l.listen(128);
let accepted = 0;
let failures = 0;
let tick = 0;

async function serve(c) {
  try {
    for (let b; (b = await c.recv(4096, 0, { timeout: 20000 })).length > 0;) await c.sendAll(b);
  } catch { /* the client went away */ } finally {
    c.close();
  }
}

spawnSync('true'); // let libuv make whatever it keeps for child processes now
const probe = openSync('/dev/null', 'r'); // the lowest free slot
closeSync(probe);
const r = spawnSync('prlimit', [`--pid=${process.pid}`, `--nofile=${probe + slots}:${probe + slots}`]);
if (r.status !== 0) throw new Error(`prlimit: ${r.stderr}`);

const timer = setInterval(() => {
  const u = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ tick: ++tick, cpu: (u.user + u.system) / 1000, accepted, failures })}\n`);
}, 50);
process.stdin.on('data', () => { clearInterval(timer); l.close(); process.exit(0); });
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

for (;;) {
  try {
    const c = await l.accept(mode === 'shed' ? { onEmfile: 'shed' } : undefined);
    accepted++;
    void serve(c);
  } catch (err) {
    failures++;
    if (err.code === 'ERR_XSOCK_CLOSED') break;
  }
}
