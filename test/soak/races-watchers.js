// Run by races.js, one trigger of item 1 per process: a second watcher on a descriptor a
// live Socket waits on. Prints each failure as a JSON line; exits 0 when done.
import { fstatSync } from 'node:fs';
import { socketpair, Socket, Readiness, POLL_IN } from '../../dist/index.js';
import { close as sclose } from '../../dist/streams/index.js';
import { within } from './lib.js';

const which = process.argv[2];
const open = (fd) => { try { fstatSync(fd); return true; } catch { return false; } };
const ctx = {
  fail: (f) => process.stdout.write(`${JSON.stringify(f)}\n`),
  check: (id) => id === which,
  tally: { codeless: 0 },
  doing: () => {},
};
const codeOf = (check, fn, err) => {
  if (!err || typeof err.code !== 'string') ctx.fail({ check, fn, what: `rejected without err.code: ${String(err?.message ?? err).slice(0, 120)}` });
};
if (ctx.check('races.fromfd-while-waiting')) {
  ctx.doing('Socket.fromFd on a descriptor whose Socket waits in recv');
  const [a, b] = socketpair('unix', 'stream');
  const p = a.recv(10, 0, { timeout: 200 }).catch((e) => e);
  let alias;
  try { alias = Socket.fromFd(a.fd); } catch (e) { codeOf('races.fromfd-while-waiting', 'Socket.fromFd', e); }
  const q = alias?.recv(10, 0, { timeout: 200 }).catch((e) => e);
  const t0 = performance.now();
  await within(Promise.all([p, q]), 3000, 'both waits to time out').catch((e) => ctx.fail({ check: 'races.fromfd-while-waiting', fn: 'Socket.fromFd', what: e.message }));
  const late = performance.now() - t0;
  if (late > 1000) ctx.fail({ check: 'races.fromfd-while-waiting', fn: 'Socket.fromFd', arg: 'fd of a Socket waiting in recv', what: `a 200 ms timeout fired after ${late.toFixed(0)} ms` });
  alias?.detach?.();
  a.close(); b.close();
}
if (ctx.check('races.readiness-while-waiting')) {
  ctx.doing('new Readiness(fd) on a descriptor whose Socket waits in recv');
  const [a, b] = socketpair('unix', 'stream');
  const p = a.recv(10, 0, { timeout: 200 }).catch((e) => e);
  const r = new Readiness(a.fd);
  const q = r.wait(POLL_IN, { timeout: 200 }).then((ev) => ({ resolved: ev }), (e) => e);
  const t0 = performance.now();
  const both = await within(Promise.all([p, q]), 3000, 'both waits').catch((e) => { ctx.fail({ check: 'races.readiness-while-waiting', fn: 'new Readiness', what: e.message }); return []; });
  if (both[1]?.resolved !== undefined) ctx.fail({ check: 'races.readiness-while-waiting', fn: 'Readiness#wait', arg: 'POLL_IN on a waiting Socket\'s fd, nothing sent', what: `resolved at once with events ${both[1].resolved} (nothing was readable: a wait that cannot watch must fail, not resolve)` });
  const late = performance.now() - t0;
  if (late > 1000) ctx.fail({ check: 'races.readiness-while-waiting', fn: 'new Readiness', arg: 'fd of a Socket waiting in recv', what: `a 200 ms timeout fired after ${late.toFixed(0)} ms` });
  r.close();
  a.close(); b.close();
}
if (ctx.check('races.streams-close-reuse')) {
  ctx.doing('streams close(n) on a live Socket\'s number, then the number reused');
  const [a, b] = socketpair('unix', 'stream');
  const n = a.fd;
  const p = a.recv(10, 0, { timeout: 200 }).then(() => 'resolved', (e) => { codeOf('races.streams-close-reuse', 'recv', e); return 'rejected'; });
  try { sclose(n); } catch (e) { codeOf('races.streams-close-reuse', 'streams.close', e); }
  const [c, d] = socketpair('unix', 'stream');
  await d.send('for c');
  const t0 = performance.now();
  const s = await within(p, 3000, 'the stale recv').catch((e) => e.message);
  const late = performance.now() - t0;
  if (late > 1000 || s === 'resolved') ctx.fail({ check: 'races.streams-close-reuse', fn: 'streams.close', arg: 'a live Socket\'s number, then reused', what: `stale recv ${s} after ${late.toFixed(0)} ms` });
  const mine = await within(c.recv(10, 0), 2000, 'c\'s own data').catch((e) => e);
  if (!(mine instanceof Buffer) || mine.toString() !== 'for c') ctx.fail({ check: 'races.streams-close-reuse', fn: 'streams.close', what: `the new owner of ${n} lost its data: ${mine}` });
  try { a.close(); } catch { /* the number is c's now: a must not close it */ }
  if (!open(c.fd)) ctx.fail({ check: 'races.streams-close-reuse', fn: 'Socket#close', arg: 'after streams close(n) and reuse', what: 'closed the new owner\'s descriptor' });
  for (const x of [b, c, d]) { try { x.close(); } catch (e) { codeOf('races.streams-close-reuse', 'Socket#close', e); } }
}
process.exit(0);
