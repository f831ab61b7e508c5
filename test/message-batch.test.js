// Batching: recvmmsg/sendmmsg batch calls and the async iterator of messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync } from 'node:fs';
import { socketpair, socket, constants as C } from '../dist/index.js';
import { checkFdsAtEnd, fdCount, tempDir, within, trackedPairs } from './helpers.js';

checkFdsAtEnd();
const dir = tempDir();
const pair = trackedPairs(socketpair);

test('sendBatch/recvBatch keep boundaries and order; count caps a batch', async () => {
  for (const type of ['dgram', 'seqpacket']) {
    const p = pair(type);
    const msgs = Array.from({ length: 50 }, (_, i) => Buffer.from(`msg-${i}-`.padEnd(i % 7 + 6, '.')));
    assert.equal(await p.a.sendBatch(msgs), 50);
    const first = await within(p.b.recvBatch({ count: 8 }), 2000, 'batch');
    assert.equal(first.length, 8, `${type}: count caps the batch`);
    const got = [...first];
    while (got.length < 50) got.push(...await within(p.b.recvBatch({ count: 64 }), 2000, 'batch'));
    assert.deepEqual(got.map((m) => m.data.toString()), msgs.map(String), type);
    assert.ok(got.every((m) => m.bytes === m.data.length && m.flags === 0 && !m.eof && m.fds.length === 0));
    assert.equal(p.b.tryRecvBatch(), null, 'drained: null');
  }
});

test('recvBatch: short slot sets MSG_TRUNC per message with the real length, copy clamped', async () => {
  const p = pair('dgram');
  await p.a.sendBatch([Buffer.alloc(10, 1), Buffer.alloc(100, 2), Buffer.alloc(0)]);
  const ms = await p.b.recvBatch({ size: 16, flags: C.MSG_TRUNC });
  assert.deepEqual(ms.map((m) => [m.bytes, m.data.length, Boolean(m.flags & C.MSG_TRUNC)]), [[10, 10, false], [100, 16, true], [0, 0, false]]);
});

test('batch with addresses: unconnected dgram receiver sees each sender', async () => {
  const r = socket('unix', 'dgram');
  const s1 = socket('unix', 'dgram');
  const s2 = socket('unix', 'dgram');
  pair.track(r, s1, s2);
  r.bind(`${dir}/batch-r`);
  s1.bind(`${dir}/batch-s1`);
  s2.bind(`${dir}/batch-s2`);
  await s1.sendBatch(['a', 'b'], `${dir}/batch-r`);
  await s2.sendBatch(['c'], { family: 'unix', path: `${dir}/batch-r` });
  const ms = await r.recvBatch();
  assert.deepEqual(ms.map((m) => [m.data.toString(), m.from.path]), [['a', `${dir}/batch-s1`], ['b', `${dir}/batch-s1`], ['c', `${dir}/batch-s2`]]);
  // A repeated sender is decoded once per batch, but every message owns its address.
  assert.notEqual(ms[0].from, ms[1].from);
  ms[0].from.path = 'changed';
  assert.equal(ms[1].from.path, `${dir}/batch-s1`);
});

test('batch over UDP with sendmmsg to an address', async () => {
  const r = socket('inet', 'dgram');
  const s = socket('inet', 'dgram');
  pair.track(r, s);
  r.bind('127.0.0.1:0');
  s.bind('127.0.0.1:0');
  assert.equal(await s.sendBatch(['x', 'yy', 'zzz'], r.getsockname()), 3);
  const got = [];
  while (got.length < 3) got.push(...await within(r.recvBatch({ size: 64 }), 2000, 'udp batch'));
  assert.deepEqual(got.map((m) => m.data.toString()), ['x', 'yy', 'zzz']);
  assert.deepEqual(got[0].from, s.getsockname());
});

test('rights in a batch are owned per message; credentials decoded per message', async () => {
  const p = pair('seqpacket');
  p.b.setsockopt('SOL_SOCKET', 'SO_PASSCRED', true);
  const f = openSync('/dev/null', 'r');
  const before = fdCount();
  try {
    for (let i = 0; i < 5; i++) await p.a.sendmsg({ data: `m${i}`, fds: new Array(i).fill(f) });
  } finally {
    closeSync(f);
  }
  const ms = await p.b.recvBatch({ fds: 4 });
  assert.deepEqual(ms.map((m) => m.fds.length), [0, 1, 2, 3, 4]);
  assert.ok(ms.every((m) => m.credentials?.pid === process.pid));
  assert.equal(fdCount(), before - 1 + 10);
  for (const m of ms) m.fds.close();
  assert.equal(fdCount(), before - 1);
});

test('seqpacket EOF: the batch ends with one eof message, not a slot full of empties', async () => {
  const p = pair('seqpacket');
  await p.a.sendBatch(['first', '']);
  const before = await p.b.recvBatch();
  assert.deepEqual(before.map((m) => [m.data.toString(), m.eof]), [['first', false], ['', false]], 'zero-length message before hangup');
  await p.a.sendBatch(['last']);
  p.a.close();
  const ms = await p.b.recvBatch({ count: 16 });
  assert.deepEqual(ms.map((m) => [m.data.toString(), m.eof]), [['last', false], ['', true]]);
});

test('batch calls refuse stream sockets and MSG_PEEK, naming the problem', () => {
  const p = pair('stream');
  assert.throws(() => p.b.tryRecvBatch(), { code: 'ERR_XSOCK_WRONG_SOCKET_TYPE' });
  assert.throws(() => p.a.trySendBatch(['x']), { code: 'ERR_XSOCK_WRONG_SOCKET_TYPE' });
  assert.throws(() => p.b.messages(), { code: 'ERR_XSOCK_WRONG_SOCKET_TYPE' });
  const d = pair('dgram');
  assert.throws(() => d.b.tryRecvBatch({ flags: C.MSG_PEEK }), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /MSG_PEEK/ });
  assert.throws(() => d.b.tryRecvBatch({ count: 0 }), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"count"/ });
  assert.throws(() => d.b.tryRecvBatch({ count: 1025 }), { code: 'ERR_XSOCK_OUT_OF_RANGE' });
  assert.throws(() => d.a.trySendBatch('x'), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"messages"/ });
  assert.throws(() => d.a.trySendBatch(['x', 5]), { message: /"messages\[1\]"/ });
});

test('for await over a seqpacket socket yields every message and ends at EOF', async () => {
  const p = pair('seqpacket');
  const sender = (async () => {
    for (let i = 0; i < 300; i += 30) {
      await p.a.sendBatch(Array.from({ length: 30 }, (_, k) => `n${i + k}`));
      await new Promise((r) => setTimeout(r, 1));
    }
    p.a.close();
  })();
  const got = [];
  await within((async () => { for await (const m of p.b) got.push(m.data.toString()); })(), 5000, 'iteration');
  await sender;
  assert.deepEqual(got, Array.from({ length: 300 }, (_, i) => `n${i}`));
});

test('the iterator yields to the event loop after maxPerWakeup messages', async () => {
  const p = pair('dgram');
  let turns = 0;
  let received = 0;
  let sent = 0;
  const total = 2000;
  const it = p.b.messages({ maxPerWakeup: 50, count: 16, size: 64 });
  // Keep the socket busy from inside the loop: it never drains, so only the cap lets timers run.
  const refill = () => {
    while (sent < total) {
      const n = p.a.trySendBatch(Array(Math.min(64, total - sent)).fill('z'));
      if (n === null) break;
      sent += n;
    }
  };
  refill();
  const timer = setInterval(() => { turns++; }, 0);
  try {
    await within((async () => {
      for await (const m of it) {
        assert.equal(m.data.toString(), 'z');
        received++;
        refill();
        if (received === total) break;
      }
    })(), 10000, 'busy iteration');
  } finally {
    clearInterval(timer);
  }
  assert.equal(received, total);
  assert.ok(turns > 0, `timers ran during a busy iteration (turns=${turns})`);
});

test('breaking out of the iterator loses nothing: the next receive gets the messages it read ahead', async () => {
  const p = pair('dgram');
  const f = openSync('/dev/null', 'r');
  const before = fdCount();
  for (let i = 0; i < 10; i++) await p.a.sendmsg({ data: `${i}`, fds: [f, f] });
  closeSync(f);
  for await (const m of p.b.messages({ fds: 2 })) {
    assert.equal(m.data.toString(), '0');
    break;
  }
  const next = await p.b.recvmsg({ fds: 2 });
  assert.equal(next.data.toString(), '1');
  assert.equal(next.fds.length, 2);
  const rest = [];
  for await (const m of p.b.messages({ fds: 2 })) {
    rest.push(m.data.toString());
    if (rest.length === 8) break;
  }
  assert.deepEqual(rest, ['2', '3', '4', '5', '6', '7', '8', '9'], 'all ten arrive, in order');
  p.b.close();
  assert.equal(fdCount(), before - 1 - 1, 'closing the socket closes what it still held');
});

test('rights are opt-in: a receive that asked for none gets none, one that asked for N gets at most N', async () => {
  const p = pair('seqpacket');
  const f = openSync('/dev/null', 'r');
  const before = fdCount();
  try {
    for (let i = 0; i < 3; i++) await p.a.sendmsg({ data: `u${i}`, fds: [f, f, f, f, f, f, f, f] });
  } finally {
    closeSync(f);
  }
  const unasked = await p.b.recvmsg();
  assert.equal(unasked.fds.length, 0, 'no room: the kernel discarded them');
  assert.ok(unasked.flags & C.MSG_CTRUNC, 'MSG_CTRUNC tells they came');
  const [batched] = await p.b.recvBatch({ count: 1 });
  assert.equal(batched.fds.length, 0);
  const three = await p.b.recvmsg({ fds: 3 });
  assert.equal(three.fds.length, 3, 'asked for 3: 3 installed, the rest discarded');
  assert.ok(three.flags & C.MSG_CTRUNC);
  three.fds.close();
  assert.equal(fdCount(), before - 1, 'nothing installed that was not asked for');
});

test('closing the socket ends a waiting iteration; an AbortSignal rejects it', async () => {
  const p = pair('dgram');
  const done = (async () => { for await (const m of p.b) void m; return 'ended'; })();
  setTimeout(() => p.b.close(), 20);
  assert.equal(await within(done, 2000, 'iteration end'), 'ended');
  const q = pair('dgram');
  const ac = new AbortController();
  const aborted = (async () => { for await (const m of q.b.messages({ signal: ac.signal })) void m; })();
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(within(aborted, 2000, 'abort'), { name: 'AbortError', code: 'ABORT_ERR' });
});
