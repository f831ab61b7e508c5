// Leaks: every path that creates or receives a descriptor, many times over, then the fd
// table must be what it was (after GC) and RSS must not grow between the first fifth and
// the end. Paths: create/close, rights taken/closed/GC'd, MSG_CTRUNC, MSG_PEEK, MSG_TRUNC,
// unsolicited rights, batches, abort, timeout, close while pending, accept/connect,
// messages(), toDuplex, XTI endpoints, STREAMS pipes and I_SENDFD, the open helper,
// worker termination, EMFILE (in a child with a small descriptor limit).
import { Worker } from 'node:worker_threads';
import { openSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { socket, socketpair, constants as C, toDuplex } from '../../dist/index.js';
import * as xti from '../../dist/xti/index.js';
import { pipe, close as sclose, ioctl, I_SENDFD, I_RECVFD, openThroughHelper, stopHelper } from '../../dist/streams/index.js';
import { part, fdTable, fdCount, settle, sleep, within, inWatchedChild } from './lib.js';

const dir = mkdtempSync(join(tmpdir(), 'xs-soak-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let pathSeq = 0;
const devnull = openSync('/dev/null', 'r');

/** Each path: name, count (full, slice), setup() -> state, one(state, i) -> ops, teardown(state). */
function paths(ctx) {
  const codeOf = (check, fn, err, want) => {
    if (!err || typeof err.code !== 'string') {
      ctx.tally.codeless++;
      ctx.fail({ check, fn, what: `rejected without err.code: ${String(err?.message ?? err).slice(0, 120)}` });
    } else if (want && err.code !== want) ctx.fail({ check, fn, what: `rejected with ${err.code}, expected ${want}` });
  };
  const pairOf = (type = 'seqpacket') => {
    const [a, b] = socketpair('unix', type);
    return { a, b, teardown() { a.close(); b.close(); } };
  };
  return [
    { name: 'socketpair create/close (stream, dgram, seqpacket)', n: [150000, 300], one(_, i) {
      const [a, b] = socketpair('unix', ['stream', 'dgram', 'seqpacket'][i % 3]);
      a.close(); b.close();
      return 2;
    } },
    { name: 'rights sent, received, taken, closed', n: [80000, 200], setup: () => pairOf(), async one(s) {
      await s.a.sendmsg({ data: 'r', fds: [devnull, devnull] });
      const m = await s.b.recvmsg({ fds: 2 });
      for (const fd of m.fds.take()) closeSync(fd);
      return 2;
    } },
    { name: 'rights received, dropped unread (closed by GC)', n: [60000, 200], setup: () => pairOf(), async one(s, i) {
      await s.a.sendmsg({ data: 'g', fds: [devnull] });
      await s.b.recvmsg({ fds: 1 });
      if (i % 2000 === 1999) globalThis.gc?.();
      return 2;
    } },
    { name: 'rights received, msg.fds.close()', n: [60000, 200], setup: () => pairOf(), async one(s) {
      await s.a.sendmsg({ data: 'c', fds: [devnull, devnull, devnull] });
      (await s.b.recvmsg({ fds: 3 })).fds.close();
      return 2;
    } },
    { name: 'MSG_CTRUNC: 4 fds sent into a 24-byte control buffer', n: [60000, 200], setup: () => pairOf(), async one(s) {
      await s.a.sendmsg({ data: 't', fds: [devnull, devnull, devnull, devnull] });
      const m = await s.b.recvmsg({ controlSize: 24 });
      if (!(m.flags & C.MSG_CTRUNC)) ctx.fail({ check: 'leaks.ctrunc', fn: 'recvmsg', arg: '{ controlSize: 24 } for 4 fds', what: 'no MSG_CTRUNC' });
      m.fds.close();
      return 2;
    } },
    { name: 'rights: 4 fds sent, the receiver asked for 1', check: 'leaks.at-most-n', n: [20000, 100], setup: () => pairOf(), async one(s) {
      await s.a.sendmsg({ data: 't', fds: [devnull, devnull, devnull, devnull] });
      const m = await s.b.recvmsg({ fds: 1 });
      if (m.fds.length > 1 || !(m.flags & C.MSG_CTRUNC)) ctx.fail({ check: 'leaks.at-most-n', fn: 'recvmsg', arg: '{ fds: 1 } on a message carrying 4 fds', what: `${m.fds.length} fds installed, MSG_CTRUNC ${m.flags & C.MSG_CTRUNC ? 'set' : 'not set'}: expected at most 1 and MSG_CTRUNC` });
      m.fds.close();
      return 2;
    } },
    { name: 'MSG_PEEK with rights, then the real receive', n: [50000, 200], setup: () => pairOf(), async one(s) {
      await s.a.sendmsg({ data: 'p', fds: [devnull] });
      const peek = await s.b.recvmsg({ fds: 1, flags: C.MSG_PEEK });
      if (peek.fds.owned) peek.fds.close();
      (await s.b.recvmsg({ fds: 1 })).fds.close();
      return 3;
    } },
    { name: 'MSG_TRUNC: 200-byte record with rights into 1 byte', n: [50000, 200], setup: () => pairOf(), async one(s) {
      await s.a.sendmsg({ data: Buffer.alloc(200, 1), fds: [devnull] });
      const m = await s.b.recvmsg({ size: 1, fds: 1 });
      if (!(m.flags & C.MSG_TRUNC)) ctx.fail({ check: 'leaks.trunc', fn: 'recvmsg', arg: '{ size: 1 }', what: 'no MSG_TRUNC' });
      m.fds.close();
      return 2;
    } },
    { name: 'unsolicited rights: the receiver did not ask for descriptors', check: 'leaks.unsolicited-fds', n: [20000, 100], setup: () => pairOf(), async one(s) {
      await s.a.sendmsg({ data: 'u', fds: [devnull, devnull] });
      const before = fdCount();
      const m = await s.b.recvmsg();
      const got = fdCount() - before;
      if (m.fds.length !== 0 || got !== 0) ctx.fail({ check: 'leaks.unsolicited-fds', fn: 'recvmsg', arg: '() on a message carrying 2 fds', what: `${got} descriptors installed without being asked for (msg.fds.length ${m.fds.length})` });
      m.fds.close();
      return 2;
    } },
    { name: 'recvBatch of 8 messages with rights, dropped', n: [15000, 50], setup: () => pairOf(), async one(s) {
      for (let k = 0; k < 8; k++) await s.a.sendmsg({ data: 'b', fds: [devnull] });
      let got = 0;
      while (got < 8) for (const m of await s.b.recvBatch({ count: 8, fds: 1 })) { m.fds.close(); got++; }
      return 9;
    } },
    { name: 'recv aborted while waiting', n: [60000, 200], setup: () => pairOf(), async one(s) {
      const ac = new AbortController();
      const p = s.b.recv(100, 0, { signal: ac.signal });
      ac.abort();
      try { await p; ctx.fail({ check: 'leaks.abort', fn: 'recv', what: 'resolved after abort' }); } catch (e) { codeOf('leaks.abort', 'recv', e, 'ABORT_ERR'); }
      return 1;
    } },
    { name: 'recv timing out (200 at once, 1 ms)', n: [200, 5], setup: () => ({ pairs: Array.from({ length: 100 }, () => pairOf()), teardown() { for (const p of this.pairs) p.teardown(); } }), async one(s) {
      await Promise.all(s.pairs.flatMap((p) => [p.a, p.b]).map(async (x) => {
        try { await x.recvmsg({ fds: 1 }, { timeout: 1 }); ctx.fail({ check: 'leaks.timeout', fn: 'recvmsg', what: 'resolved with nothing sent' }); } catch (e) { codeOf('leaks.timeout', 'recvmsg', e, 'ERR_XSOCK_TIMEOUT'); }
      }));
      return 200;
    } },
    { name: 'socket closed while a recv and a send wait', n: [50000, 200], async one() {
      const [a, b] = socketpair('unix', 'stream');
      const r = a.recv(10);
      a.close();
      b.close();
      try { await r; ctx.fail({ check: 'leaks.close-pending', fn: 'recv', what: 'resolved after close' }); } catch (e) { codeOf('leaks.close-pending', 'recv', e); }
      return 3;
    } },
    { name: 'unix listener: connect, accept, close', n: [40000, 150], setup() {
      const path = join(dir, `l${pathSeq++}`);
      const l = socket('unix', 'stream');
      l.bind(path);
      l.listen(512);
      return { l, path, teardown() { l.close(); } };
    }, async one(s) {
      const c = socket('unix', 'stream');
      const [, a] = await Promise.all([c.connect(s.path), s.l.accept()]);
      c.close(); a.close();
      return 4;
    } },
    { name: 'for await (messages()) left after one', n: [20000, 100], setup: () => pairOf(), async one(s) {
      await s.a.send('m');
      for await (const m of s.b.messages({ fds: 1 })) { m.fds.close(); break; }
      return 2;
    } },
    { name: 'toDuplex created and destroyed', n: [10000, 50], async one() {
      const [a, b] = socketpair('unix', 'stream');
      const d = toDuplex(a);
      d.destroy();
      await new Promise((r) => d.once('close', r));
      b.close();
      return 3;
    } },
    { name: 'XTI /dev/ticots and /dev/udp endpoints opened, bound, closed', n: [20000, 100], one(_, i) {
      const fd = xti.t_open(i % 2 ? '/dev/ticots' : '/dev/udp', xti.O_RDWR);
      if (i % 4 === 0) xti.t_bind(fd, null);
      xti.t_close(fd);
      return 2;
    } },
    { name: 'STREAMS pipes: I_SENDFD, I_RECVFD, close', n: [20000, 100], async one() {
      const [p0, p1] = pipe();
      await ioctl(p0, I_SENDFD, devnull);
      const r = await ioctl(p1, I_RECVFD);
      closeSync(r.fd);
      sclose(p0); sclose(p1);
      return 4;
    } },
    { name: 'openThroughHelper(/dev/null) and close', n: [15000, 50], async one() {
      closeSync(await openThroughHelper('/dev/null', 'r'));
      return 1;
    }, teardownAll: () => stopHelper() },
  ];
}

/** A worker that receives descriptors it never takes, terminated mid-way (item 4). */
async function workerPath(ctx) {
  if (!ctx.check('leaks.worker-terminate')) return;
  ctx.doing('workers terminated holding received descriptors');
  const before = fdTable();
  const n = ctx.n(40, 3);
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.url).then(async ({ socketpair }) => {
      const [a, b] = socketpair('unix', 'seqpacket');
      globalThis.keep = [];
      for (let i = 0; i < 15; i++) {
        await a.sendmsg({ data: 'w', fds: [workerData.fd] });
        globalThis.keep.push(await b.recvmsg({ fds: 1 }));
      }
      parentPort.postMessage('ready');
    });`;
  for (let i = 0; i < n; i++) {
    const w = new Worker(code, { eval: true, workerData: { url: new URL('../../dist/index.js', import.meta.url).href, fd: devnull } });
    await within(new Promise((res, rej) => { w.once('message', res); w.once('error', rej); }), 10000, 'worker ready');
    await w.terminate();
    ctx.tally.operations += 31;
  }
  await ctx.leakCheck('leaks.worker-terminate', before, 'Worker.terminate with 15 received fds not taken');
}

/**
 * IP_RECVERR with a queued ICMP error: a pending recv must wait, not spin (item 5). In a
 * child of its own: a loop that freezes there is killed and counted as a hang.
 */
async function recverrPath(ctx) {
  if (!ctx.check('leaks.recverr-busy')) return;
  ctx.doing('pending recv on a UDP socket with a queued IP_RECVERR error (child process)');
  await inWatchedChild(ctx, fileURLToPath(new URL('./leaks-recverr.js', import.meta.url)), [], {
    check: 'leaks.recverr-busy', fn: 'recv', arg: 'UDP + IP_RECVERR + queued ICMP error, { timeout: 300 }', froze: 'the timeout never fired',
  });
  ctx.tally.operations += 3;
}

/** EMFILE in a child whose soft limit is 96 descriptors. */
async function emfilePath(ctx) {
  ctx.doing('EMFILE child');
  const child = spawn('sh', ['-c', 'ulimit -n 96; exec "$0" "$@"', process.execPath, '--expose-gc', fileURLToPath(new URL('./emfile-child.js', import.meta.url)), String(ctx.n(2000, 20)), ctx.check('leaks.emfile-accept') ? 'accept' : 'noaccept'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  const code = await within(new Promise((r) => child.on('close', (c, sig) => r(c ?? sig))), 120000, 'EMFILE child').catch((e) => { child.kill('SIGKILL'); return e.message; });
  let r;
  try { r = JSON.parse(out.trim().split('\n').pop()); } catch { r = null; }
  if (code !== 0 || !r) {
    ctx.fail({ check: 'leaks.emfile', fn: 'EMFILE child', what: `exited ${code}: ${out.slice(-300)}` });
    return;
  }
  ctx.tally.operations += r.operations;
  ctx.tally.fdsLeaked += r.leaked;
  ctx.tally.codeless += r.codeless;
  for (const f of r.failures) ctx.fail(f);
}

await part('leaks', async (ctx) => {
  const before = fdTable();
  let reported = 0;
  for (const p of paths(ctx)) {
    if (p.check && !ctx.check(p.check)) continue;
    ctx.doing(p.name);
    const count = ctx.n(p.n[0], p.n[1]);
    const snap = fdTable();
    const st = p.setup ? p.setup() : null;
    let rssMid = 0;
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      try {
        ctx.tally.operations += await p.one(st, i);
      } catch (err) {
        ctx.fail({ check: 'leaks.path', fn: p.name, what: `threw ${err?.code ?? '(no code)'}: ${String(err?.message).slice(0, 160)}` });
        break;
      }
      if (i === Math.floor(count / 5)) { globalThis.gc?.(); rssMid = process.memoryUsage.rss(); }
    }
    st?.teardown?.();
    p.teardownAll?.();
    globalThis.gc?.();
    await sleep(5);
    const rssEnd = process.memoryUsage.rss();
    if (ctx.scale === 'full' && rssMid && rssEnd - rssMid > 64 * 2 ** 20) ctx.fail({ check: 'leaks.rss', fn: p.name, what: `RSS grew ${((rssEnd - rssMid) / 2 ** 20).toFixed(0)} MiB between 1/5 and the end of ${count} rounds` });
    ctx.note(`${p.name}: ${count} rounds in ${((performance.now() - t0) / 1000).toFixed(1)} s, RSS ${(rssEnd / 2 ** 20).toFixed(0)} MiB`);
    await ctx.leakCheck('leaks.fd-count', snap, p.name);
  }
  reported = ctx.tally.fdsLeaked;
  await workerPath(ctx);
  await recverrPath(ctx);
  await emfilePath(ctx);
  closeSync(devnull);
  // Leaks already reported by a path (item 4's workers) are not counted twice.
  await ctx.leakCheck('leaks.fd-count', new Map([...before].filter(([fd]) => fd !== devnull)), 'whole part', ctx.tally.fdsLeaked - reported);
  void settle;
});
