// Child of message-rights.test.js: with one free descriptor slot under RLIMIT_NOFILE,
// receive a message carrying 3 fds. Prints one JSON line.
import { openSync, closeSync, readSync, writeFileSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { socketpair, constants as C } from '../dist/index.js';

const dir = mkdtempSync(join(tmpdir(), 'xs-rl-'));
const [a, b] = socketpair('unix', 'seqpacket');
const sent = [0, 1, 2].map((i) => {
  writeFileSync(`${dir}/f${i}`, `rlimit-${i}`);
  return openSync(`${dir}/f${i}`, 'r');
});
a.trySendmsg({ data: 'x', fds: sent });
for (const fd of sent) closeSync(fd); // the kernel holds them in flight
spawnSync('true'); // let libuv make whatever it keeps for child processes now
const probe = openSync('/dev/null', 'r'); // lowest free slot
closeSync(probe);
const count = () => readdirSync('/proc/self/fd').length;
const r = spawnSync('prlimit', [`--pid=${process.pid}`, `--nofile=${probe + 1}:${probe + 1}`]);
if (r.status !== 0) throw new Error(`prlimit: ${r.stderr}`);
// Exactly one slot: a first open succeeds, a second is EMFILE.
const one = openSync('/dev/null', 'r');
let emfileBefore = false;
try {
  closeSync(openSync('/dev/null', 'r'));
} catch (err) {
  emfileBefore = err.code === 'EMFILE';
}
closeSync(one);
const before = count();
const m = b.tryRecvmsg({ fds: 3 });
const installed = m.fds.length;
const buf = Buffer.alloc(32);
const readable = installed ? buf.subarray(0, readSync(m.fds[0], buf, 0, 32, 0)).toString() : '';
m.fds.close();
const leaked = count() - before;
a.close();
b.close();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ emfileBefore, installed, ctrunc: (m.flags & C.MSG_CTRUNC) !== 0, readable, leaked }));
