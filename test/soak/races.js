// Races: operations pending while their socket is closed, then the number reused by
// another object (the stale operation must reject with a code and never touch the new
// object); double close after reuse; take()n descriptors closed by the user, then their
// numbers reused (the library must not close them again); and the second-watcher
// triggers of item 1 (Socket.fromFd, new Readiness, streams close(n) on a live number).
import { openSync, closeSync, fstatSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { socketpair } from '../../dist/index.js';
import { part, sleep, within, inWatchedChild } from './lib.js';

const devnull = openSync('/dev/null', 'r');
const open = (fd) => { try { fstatSync(fd); return true; } catch { return false; } };

await part('races', async (ctx) => {
  const codeOf = (check, fn, err) => {
    if (!err || typeof err.code !== 'string') {
      ctx.tally.codeless++;
      ctx.fail({ check, fn, what: `rejected without err.code: ${String(err?.message ?? err).slice(0, 120)}` });
    }
  };

  ctx.doing('close with recv, recvmsg and send pending, then reuse of the number');
  const rounds = ctx.n(60000, 300);
  let wrong = 0;
  for (let i = 0; i < rounds; i++) {
    const [a, b] = socketpair('unix', i % 2 ? 'seqpacket' : 'stream');
    const n = a.fd;
    const r1 = a.recv(64).then(() => 'resolved', (e) => { codeOf('races.close-pending', 'recv', e); return 'rejected'; });
    const r2 = a.recvmsg({ fds: 1 }).then(() => 'resolved', (e) => { codeOf('races.close-pending', 'recvmsg', e); return 'rejected'; });
    a.close();
    // The lowest free number is the one just released: the next socket gets it.
    const [c, d] = socketpair('unix', 'seqpacket');
    if (c.fd !== n && d.fd !== n) ctx.note(`round ${i}: number ${n} not reused`);
    const mine = c.fd === n ? c : d;
    const other = mine === c ? d : c;
    await other.send(`fresh-${i}`);
    const got = await within(mine.recv(64), 5000, 'the new object\'s own data');
    const [s1, s2] = await Promise.all([r1, r2]);
    if (s1 !== 'rejected' || s2 !== 'rejected' || got.toString() !== `fresh-${i}`) {
      wrong++;
      ctx.fail({ check: 'races.close-pending', fn: 'recv/recvmsg', arg: 'pending, socket closed, number reused', what: `stale ops ${s1}/${s2}; the new owner read "${got}"` });
    }
    b.close(); c.close(); d.close();
    ctx.tally.operations += 9;
    ctx.tally.messages++;
  }
  ctx.note(`close-then-reuse: ${rounds} rounds, ${wrong} with an operation on the wrong object`);

  ctx.doing('double close after the number was reused');
  for (let i = 0; i < ctx.n(60000, 300); i++) {
    const [a, b] = socketpair('unix', 'stream');
    const n = a.fd;
    a.close();
    const [c, d] = socketpair('unix', 'stream');
    try { a.close(); } catch (e) { codeOf('races.double-close', 'close', e); }
    const victim = c.fd === n ? c : d.fd === n ? d : null;
    if (victim && !open(victim.fd)) ctx.fail({ check: 'races.double-close', fn: 'close', arg: 'second close() after reuse', what: `closed descriptor ${n}, now another socket's` });
    b.close(); c.close(); d.close();
    ctx.tally.operations += 7;
  }

  ctx.doing('take()n descriptors closed by the user, numbers reused, message dropped and reaped');
  {
    const [a, b] = socketpair('unix', 'seqpacket');
    for (let i = 0; i < ctx.n(40000, 200); i++) {
      await a.sendmsg({ data: 't', fds: [devnull, devnull] });
      const m = await b.recvmsg({ fds: 2 });
      const taken = m.fds.take();
      for (const fd of taken) closeSync(fd);
      const again = [openSync('/dev/null', 'r'), openSync('/dev/null', 'r')]; // the same numbers
      const links = again.map((fd) => readlinkSync(`/proc/self/fd/${fd}`));
      m.fds.close(); // nothing left to close: taken
      if (i % 500 === 0) { globalThis.gc?.(); await sleep(1); }
      for (let k = 0; k < again.length; k++) {
        if (!open(again[k]) || readlinkSync(`/proc/self/fd/${again[k]}`) !== links[k]) ctx.fail({ check: 'races.take', fn: 'ReceivedFds.close', arg: 'after take() and reuse of the numbers', what: `closed descriptor ${again[k]} the user owns now` });
        closeSync(again[k]);
      }
      ctx.tally.operations += 8;
    }
    a.close(); b.close();
  }

  // Item 1: a second watcher on a descriptor a live Socket waits on. Each trigger runs in
  // its own process: one that freezes its loop is killed and counted as a hang.
  for (const id of ['races.fromfd-while-waiting', 'races.readiness-while-waiting', 'races.streams-close-reuse']) {
    if (!ctx.check(id)) continue;
    ctx.doing(`${id} (child process)`);
    await inWatchedChild(ctx, fileURLToPath(new URL('./races-watchers.js', import.meta.url)), [id], {
      check: id, fn: id.split('.')[1], froze: 'timers and { timeout } never fired',
    });
    ctx.tally.operations += 6;
  }
  closeSync(devnull);
});
