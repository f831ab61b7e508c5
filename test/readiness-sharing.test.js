// One descriptor, several faces: a second Socket, XTI's t_sync, a public Readiness, a
// STREAMS ioctl in a child whose stdin Node reads, and a raw STREAMS close(n) of a live
// Socket's number. Each once froze the process (a second poll handle, waits resolved "now"
// in a loop). Here each must keep the event loop turning — a watchdog timer keeps ticking
// and a `{ timeout }` rejects on time — and either work or fail with a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { openSync, closeSync, fstatSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { socketpair, Socket, Readiness, POLL_IN } from '../dist/index.js';
import { t_sync, t_close } from '../dist/xti/index.js';
import { close as streamsClose, pipe, ioctl, I_SENDFD } from '../dist/streams/index.js';
import { checkFdsAtEnd, within } from './helpers.js';

checkFdsAtEnd();

const TIMEOUT = 300;

/** Counts 10 ms ticks: a frozen loop (a microtask spin) stops it. */
function watchdog() {
  let ticks = 0;
  const t = setInterval(() => { ticks++; }, 10);
  return { ticks: () => ticks, stop: () => clearInterval(t) };
}

/** Asserts `p` (started at `t0`) rejects with ERR_XSOCK_TIMEOUT after about TIMEOUT ms, while timers kept firing. */
async function rejectsOnTime(p, dog, t0 = performance.now()) {
  const err = await within(p.then(() => null, (e) => e), 5000, 'the bounded wait');
  const ms = performance.now() - t0;
  assert.ok(err, 'the wait must not resolve: nothing was sent');
  assert.equal(err.code, 'ERR_XSOCK_TIMEOUT', `expected a timeout, got ${err.code}: ${err.message}`);
  assert.ok(ms >= TIMEOUT - 20 && ms < TIMEOUT + 700, `timeout fired after ${ms.toFixed(0)} ms`);
  // 300 ms at 10 ms per tick: a loop that spun would show (almost) none.
  assert.ok(dog.ticks() >= 10, `timers starved: ${dog.ticks()} ticks`);
}

test('Socket.fromFd on a descriptor a live Socket waits on: a clear error, the wait unharmed', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const dog = watchdog();
  try {
    const t0 = performance.now();
    const pending = a.recv(16, 0, { timeout: TIMEOUT });
    assert.throws(() => Socket.fromFd(a.fd), (e) => e.code === 'ERR_XSOCK_INVALID_ARG_VALUE' && /already owned/.test(e.message));
    await rejectsOnTime(pending, dog, t0);
    // Still a working socket afterwards.
    b.trySend('x');
    assert.equal((await a.recv(16, 0, { timeout: 2000 })).toString(), 'x');
  } finally {
    dog.stop();
    a.close();
    b.close();
  }
});

test('t_sync on a live Socket\'s descriptor shares that Socket (no second owner, no stale endpoint)', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const dog = watchdog();
  const fd = a.fd;
  try {
    const t0 = performance.now();
    const pending = a.recv(16, 0, { timeout: TIMEOUT });
    const state = t_sync(fd);
    assert.equal(typeof state, 'number');
    await rejectsOnTime(pending, dog, t0);
    // The endpoint sits on the very Socket: closing the Socket ends the endpoint too,
    // rather than leaving a second owner of the number behind.
    a.close();
    assert.throws(() => t_sync(fd), (e) => e.code === 'TBADF' || e.t_errno !== undefined);
  } finally {
    dog.stop();
    try { t_close(fd); } catch { /* already gone with its Socket */ }
    a.close();
    b.close();
  }
});

test('new Readiness(fd) on a Socket\'s descriptor while it waits is the same watcher; both wake, both time out', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const dog = watchdog();
  try {
    const t0 = performance.now();
    const pending = a.recv(16, 0, { timeout: TIMEOUT });
    const r = new Readiness(a.fd);
    assert.equal(r, a.readiness, 'one watcher per descriptor');
    const bare = r.wait(POLL_IN, { timeout: TIMEOUT });
    await Promise.all([rejectsOnTime(pending, dog, t0), rejectsOnTime(bare, dog, t0)]);
    // And both wake on one arrival.
    const p1 = a.recv(16, 0, { timeout: 2000 });
    const p2 = r.wait(POLL_IN, { timeout: 2000 });
    b.trySend('y');
    const [data, bits] = await Promise.all([p1, p2]);
    assert.equal(data.toString(), 'y');
    assert.ok(bits & POLL_IN);
  } finally {
    dog.stop();
    a.close();
    b.close();
  }
});

test('streams close(n) of a live Socket\'s number closes that Socket: it can never close the file that reuses n', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const dog = watchdog();
  const n = a.fd;
  let reused = -1;
  try {
    const pending = a.recv(16, 0, { timeout: 5000 });
    streamsClose(n);
    const err = await within(pending.then(() => null, (e) => e), 2000, 'the pending recv');
    assert.equal(err?.code, 'ERR_XSOCK_CLOSED', 'the pending wait learns its socket was closed');
    assert.equal(a.closed, true, 'the Socket knows its descriptor is gone');
    reused = openSync('/dev/null', 'r');
    assert.equal(reused, n, 'the lowest free number is reused');
    a.close(); // must not touch the new file
    assert.ok(fstatSync(reused).isCharacterDevice(), 'the new file under the reused number is still open');
    // A new Socket on a reused number waits and times out normally.
    closeSync(reused);
    reused = -1;
    const [c, d] = socketpair('unix', 'stream');
    try {
      await rejectsOnTime(c.recv(16, 0, { timeout: TIMEOUT }), dog);
    } finally {
      c.close();
      d.close();
    }
  } finally {
    dog.stop();
    if (reused >= 0) closeSync(reused);
    a.close();
    b.close();
  }
});

test('ioctl(0, I_RECVFD) in a child whose stdin Node itself reads: no freeze, works or fails clearly', async () => {
  const [p0, p1] = pipe();
  const streams = fileURLToPath(new URL('../dist/streams/index.js', import.meta.url));
  const child = `
    import { ioctl, I_RECVFD } from ${JSON.stringify(streams)};
    let ticks = 0;
    const t = setInterval(() => { ticks++; }, 10);
    process.stdin.on('data', () => {});
    let outcome = 'pending';
    ioctl(0, I_RECVFD).then((r) => { outcome = 'received'; }, (e) => { outcome = 'error:' + (e.code ?? 'NOCODE'); });
    console.log('READY');
    setTimeout(() => {
      console.log(JSON.stringify({ ticks, outcome }));
      clearInterval(t);
      process.exit(0);
    }, 500);
  `;
  const cp = spawn(process.execPath, ['--input-type=module', '-e', child], { stdio: [p1, 'pipe', 'inherit'] });
  streamsClose(p1);
  let out = '';
  cp.stdout.setEncoding('utf8');
  const exited = new Promise((resolve) => cp.on('close', resolve));
  try {
    await within(new Promise((resolve) => cp.stdout.on('data', (d) => { out += d; if (out.includes('READY')) resolve(); })), 5000, 'the child');
    const dn = openSync('/dev/null', 'r');
    try {
      await within(ioctl(p0, I_SENDFD, dn), 2000, 'I_SENDFD');
    } finally {
      closeSync(dn);
    }
    const code = await within(exited, 5000, 'the child to exit');
    assert.equal(code, 0);
    const r = JSON.parse(out.trim().split('\n').pop());
    // 500 ms at 10 ms per tick: a spinning child would have next to none.
    assert.ok(r.ticks >= 20, `child timers starved: ${r.ticks} ticks`);
    assert.ok(/^(received|pending|error:E[A-Z]+)$/.test(r.outcome), `unclear outcome ${r.outcome}`);
  } finally {
    cp.kill();
    streamsClose(p0);
  }
});
