// Run by leaks.js under `ulimit -n 96`: fills the descriptor table and checks that every
// call at EMFILE fails with a code (socket, socketpair, recvmsg of rights, accept), that
// the ordinary accept retry loop does not livelock (item 6), and that nothing leaks once
// the table is freed. Prints one JSON line.
import { readdirSync, openSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { socket, socketpair, constants as C } from '../../dist/index.js';

const rounds = Number(process.argv[2]);
const withAccept = process.argv[3] === 'accept';
const out = { operations: 0, leaked: 0, codeless: 0, failures: [] };
const seen = new Set();
const fail = (f) => {
  const k = `${f.fn}|${f.what}`;
  if (!seen.has(k)) { seen.add(k); out.failures.push({ check: 'leaks.emfile', ...f }); }
};
const count = () => readdirSync('/proc/self/fd').length;
const dir = mkdtempSync(join(tmpdir(), 'xs-emf-'));
const devnull = openSync('/dev/null', 'r');

const l = socket('unix', 'stream');
l.bind(join(dir, 'l'));
l.listen();
const base = count();

for (let r = 0; r < rounds; r++) {
  const c = socket('unix', 'stream');
  await c.connect(join(dir, 'l')); // queued, not accepted
  const [x, y] = socketpair('unix', 'seqpacket');
  const fill = [];
  let emfile = null;
  for (;;) {
    try {
      fill.push(socket('unix', 'dgram'));
      out.operations++;
    } catch (e) {
      emfile = e;
      break;
    }
  }
  if (emfile?.code !== 'EMFILE') {
    if (!emfile?.code) out.codeless++;
    fail({ fn: 'socket', what: `at a full table: ${emfile?.code ?? 'no code'} ${String(emfile?.message).slice(0, 80)}` });
  }
  try { socketpair('unix', 'stream'); fail({ fn: 'socketpair', what: 'succeeded at EMFILE' }); } catch (e) { if (e.code !== 'EMFILE') { if (!e.code) out.codeless++; fail({ fn: 'socketpair', what: `at EMFILE: ${e.code ?? 'no code'}` }); } }
  // Rights arriving when no descriptor can be installed: the kernel sets MSG_CTRUNC.
  try {
    await x.sendmsg({ data: 'r', fds: [devnull] });
    const m = await y.recvmsg({ fds: 1 });
    if (m.fds.length !== 0 || !(m.flags & C.MSG_CTRUNC)) fail({ fn: 'recvmsg', arg: '{ fds: 1 } at EMFILE', what: `fds ${m.fds.length}, flags ${m.flags}: expected none and MSG_CTRUNC` });
    m.fds.close();
    out.operations += 2;
  } catch (e) {
    if (!e.code) out.codeless++;
    fail({ fn: 'recvmsg', arg: 'rights at EMFILE', what: `threw ${e.code ?? 'no code'}: ${String(e.message).slice(0, 80)}` });
  }
  try { l.tryAccept(); fail({ fn: 'tryAccept', what: 'succeeded at EMFILE' }); } catch (e) { if (e.code !== 'EMFILE') { if (!e.code) out.codeless++; fail({ fn: 'tryAccept', what: `at EMFILE: ${e.code ?? 'no code'}` }); } }
  if (withAccept && r === 0) {
    // The loop every server writes. A rejection that never yields starves the timer.
    let fired = false;
    const t = setTimeout(() => { fired = true; }, 50);
    let spins = 0;
    while (!fired && spins < 20000) {
      spins++;
      try { await l.accept({ timeout: 20 }); } catch { /* EMFILE: try again */ }
    }
    clearTimeout(t);
    if (!fired) fail({ check: 'leaks.emfile-accept', fn: 'accept', arg: 'retry loop at EMFILE', what: `${spins} rejections without the loop ever yielding to a 50 ms timer (livelock)` });
  }
  for (const s of fill) s.close();
  x.close(); y.close(); c.close();
  const a = l.tryAccept(); // the queued client, now that there is room
  a?.close();
  out.operations += 4;
}
l.close();
closeSync(devnull);
rmSync(dir, { recursive: true, force: true });
for (let i = 0; i < 10 && count() > base - 2; i++) { globalThis.gc?.(); await new Promise((r) => setTimeout(r, 20)); }
out.leaked = Math.max(0, count() - (base - 2));
if (out.leaked) fail({ fn: 'EMFILE rounds', what: `${out.leaked} descriptors leaked` });
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
