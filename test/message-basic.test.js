// sendmsg/recvmsg: gather, scatter, peek, EOF, truncation, addresses, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socketpair, socket, constants as C } from '../dist/index.js';
import { checkFdsAtEnd, tempDir, abstractName, within, trackedPairs } from './helpers.js';

checkFdsAtEnd();

const pair = trackedPairs(socketpair);

test('gather from several buffers arrives as one message in order', async () => {
  for (const type of ['stream', 'seqpacket', 'dgram']) {
    const p = pair(type);
    const n = await p.a.sendmsg({ data: [Buffer.from('ab'), new Uint8Array([0x63]), Buffer.alloc(0), Buffer.from('defg')] });
    assert.equal(n, 7);
    const m = await within(p.b.recvmsg(), 2000, 'recvmsg');
    assert.equal(m.data.toString(), 'abcdefg', type);
    assert.equal(m.bytes, 7);
    assert.equal(m.flags, 0);
    assert.equal(m.eof, false);
    assert.equal(m.fds.length, 0);
  }
});

test('scatter into several buffers places every byte exactly', async () => {
  for (const type of ['stream', 'seqpacket', 'dgram']) {
    const p = pair(type);
    const payload = Buffer.from('0123456789ABCDEFGHIJ');
    await p.a.sendmsg({ data: payload });
    const b1 = Buffer.alloc(3, 0xee);
    const b2 = Buffer.alloc(0);
    const b3 = Buffer.alloc(10, 0xee);
    const b4 = Buffer.alloc(12, 0xee);
    const m = await p.b.recvmsg({ buffers: [b1, b2, b3, b4] });
    assert.equal(m.bytes, 20);
    assert.equal(b1.toString(), '012');
    assert.equal(b3.toString(), '3456789ABC');
    assert.equal(b4.subarray(0, 7).toString(), 'DEFGHIJ');
    assert.deepEqual([...b4.subarray(7)], [0xee, 0xee, 0xee, 0xee, 0xee], 'bytes past the message untouched');
    assert.equal(m.data.toString(), payload.toString());
  }
});

test('data is a view of the caller buffer when one buffer holds the message', async () => {
  const p = pair('seqpacket');
  await p.a.sendmsg({ data: 'hello' });
  const buf = Buffer.alloc(16);
  const m = await p.b.recvmsg({ buffers: [buf] });
  assert.equal(m.data.toString(), 'hello');
  buf[0] = 0x4a;
  assert.equal(m.data.toString(), 'Jello', 'data shares memory with the caller buffer');
});

test('peek then read returns the same bytes, the peek leaves them queued', async () => {
  const p = pair('seqpacket');
  await p.a.sendmsg({ data: 'peekaboo' });
  const peeked = p.b.tryRecvmsg({ flags: C.MSG_PEEK });
  assert.equal(peeked.data.toString(), 'peekaboo');
  const m = p.b.tryRecvmsg();
  assert.equal(m.data.toString(), 'peekaboo');
  assert.equal(p.b.tryRecvmsg(), null, 'nothing left after the real read');
});

test('stream: reads smaller than the data take it in order, no MSG_TRUNC', async () => {
  const p = pair('stream');
  await p.a.sendmsg({ data: 'abcdefghij' });
  const parts = [];
  for (let i = 0; i < 4; i++) {
    const m = await p.b.recvmsg({ size: 3 });
    assert.equal(m.flags & C.MSG_TRUNC, 0);
    parts.push(m.data.toString());
  }
  assert.deepEqual(parts, ['abc', 'def', 'ghi', 'j']);
});

test('datagram/seqpacket: short buffer sets MSG_TRUNC, copy clamped, real length with MSG_TRUNC flag', async () => {
  for (const type of ['seqpacket', 'dgram']) {
    const p = pair(type);
    await p.a.sendmsg({ data: Buffer.alloc(100, 0x41) });
    await p.a.sendmsg({ data: Buffer.alloc(50, 0x42) });
    const small = Buffer.alloc(10, 0);
    const guard = Buffer.alloc(8, 0x99);
    const m = await p.b.recvmsg({ buffers: [small] });
    assert.ok(m.flags & C.MSG_TRUNC, `${type}: MSG_TRUNC reported`);
    assert.equal(m.data.length, 10);
    assert.equal(m.bytes, 10);
    assert.deepEqual([...guard], Array(8).fill(0x99));
    const real = await p.b.recvmsg({ size: 5, flags: C.MSG_TRUNC });
    assert.equal(real.bytes, 50, `${type}: the kernel's real length`);
    assert.equal(real.data.length, 5, 'copy clamped to the buffer');
    assert.ok(real.flags & C.MSG_TRUNC);
  }
});

test('EOF: stream 0 bytes; seqpacket zero-length message is not EOF, hangup is', async () => {
  {
    const p = pair('stream');
    p.a.close();
    const m = await within(p.b.recvmsg(), 2000, 'stream EOF');
    assert.equal(m.eof, true);
    assert.equal(m.bytes, 0);
  }
  {
    const p = pair('seqpacket');
    await p.a.sendmsg({ data: Buffer.alloc(0) });
    const z = await p.b.recvmsg();
    assert.equal(z.bytes, 0);
    assert.equal(z.eof, false, 'a zero-length seqpacket message is a message');
    p.a.close();
    const e = await within(p.b.recvmsg(), 2000, 'seqpacket EOF');
    assert.equal(e.eof, true);
  }
  {
    const p = pair('dgram');
    await p.a.sendmsg({ data: '' });
    const z = await p.b.recvmsg();
    assert.equal(z.bytes, 0);
    assert.equal(z.eof, false, 'datagram sockets never see EOF');
  }
});

test('an address per transfer: to on send, from on receive (unix dgram, udp)', async () => {
  const dir = tempDir();
  const r = socket('unix', 'dgram');
  const s = socket('unix', 'dgram');
  try {
    r.bind(`${dir}/r`);
    s.bind(`@${abstractName('snd')}`);
    await s.sendmsg({ data: 'to-path', to: `${dir}/r` });
    const m = await within(r.recvmsg(), 2000, 'unix dgram');
    assert.equal(m.data.toString(), 'to-path');
    assert.equal(m.from.family, 'unix');
    assert.equal(typeof m.from.abstract === 'string' ? m.from.abstract : m.from.abstract?.toString(), s.getsockname().abstract?.toString());
  } finally {
    r.close();
    s.close();
  }
  const u1 = socket('inet', 'dgram');
  const u2 = socket('inet', 'dgram');
  try {
    u1.bind('127.0.0.1:0');
    u2.bind('127.0.0.1:0');
    const { port } = u1.getsockname();
    await u2.sendmsg({ data: [Buffer.from('u'), Buffer.from('dp')], to: { family: 'inet', address: '127.0.0.1', port } });
    const m = await within(u1.recvmsg(), 2000, 'udp');
    assert.equal(m.data.toString(), 'udp');
    assert.deepEqual(m.from, u2.getsockname());
  } finally {
    u1.close();
    u2.close();
  }
});

test('try forms never wait: null on EAGAIN; MSG_DONTWAIT rejects with EAGAIN', async () => {
  const p = pair('seqpacket');
  assert.equal(p.b.tryRecvmsg(), null);
  await assert.rejects(p.b.recvmsg({ flags: C.MSG_DONTWAIT }), { code: 'EAGAIN' });
  let sent = 0;
  while (p.a.trySendmsg({ data: Buffer.alloc(4096) }) !== null) sent++;
  assert.ok(sent > 0);
  assert.equal(p.a.trySendmsg({ data: 'x' }), null, 'full: null, not an exception');
  await assert.rejects(p.a.sendmsg({ data: 'x' }, { timeout: 50 }), { code: 'ERR_XSOCK_TIMEOUT' });
});

test('recvmsg waits for data and resolves when it comes', async () => {
  const p = pair('dgram');
  const pending = p.b.recvmsg({}, { timeout: 3000 });
  setTimeout(() => p.a.trySendmsg({ data: 'late' }), 20);
  const m = await pending;
  assert.equal(m.data.toString(), 'late');
});

test('MSG_WAITALL on a stream waits for the whole buffer', async () => {
  const p = pair('stream');
  const pending = p.b.recvmsg({ size: 6, flags: C.MSG_WAITALL }, { timeout: 3000 });
  await p.a.sendmsg({ data: 'abc' });
  setTimeout(() => p.a.trySendmsg({ data: 'def' }), 20);
  const m = await pending;
  assert.ok(m.data.length >= 3);
  const rest = m.data.length < 6 ? (await p.b.recvmsg({ size: 6 - m.data.length })).data.toString() : '';
  assert.equal(m.data.toString() + rest, 'abcdef');
});

test('bad input is refused with errors naming the argument', () => {
  const p = pair('stream');
  assert.throws(() => p.a.trySendmsg(null), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"msg"/ });
  assert.throws(() => p.a.trySendmsg({ data: 42 }), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"data"/ });
  assert.throws(() => p.a.trySendmsg({ data: ['a'] }), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"data\[0\]"/ });
  assert.throws(() => p.a.trySendmsg({ data: 'x', fds: 3 }), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"fds"/ });
  assert.throws(() => p.a.trySendmsg({ data: 'x', fds: [-1] }), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"fds\[0\]"/ });
  assert.throws(() => p.a.trySendmsg({ data: 'x', flags: -1 }), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"flags"/ });
  assert.throws(() => p.a.trySendmsg({ data: 'x', credentials: 'me' }), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"credentials"/ });
  assert.throws(() => p.a.trySendmsg({ data: 'x', credentials: { pid: 1, uid: -2, gid: 0 } }), { message: /"credentials.uid"/ });
  assert.throws(() => p.a.trySendmsg({ data: 'x', to: 'nonsense:addr:::' }), { message: /to|address/ });
  assert.throws(() => p.b.tryRecvmsg({ size: -1 }), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"size"/ });
  assert.throws(() => p.b.tryRecvmsg({ buffers: 'x' }), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"buffers"/ });
  assert.throws(() => p.b.tryRecvmsg({ buffers: [Buffer.alloc(1), 7] }), { message: /"buffers\[1\]"/ });
  assert.throws(() => p.b.tryRecvmsg({ controlSize: 1.5 }), { message: /"controlSize"/ });
  assert.throws(() => p.b.tryRecvmsg({ fds: 254 }), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"fds"/ });
  assert.throws(() => p.b.tryRecvmsg(5), { message: /"options"/ });
  const s = socket('unix', 'stream');
  s.close();
  assert.throws(() => s.trySendmsg({ data: 'x' }), { code: 'ERR_XSOCK_CLOSED' });
  assert.throws(() => s.tryRecvmsg(), { code: 'ERR_XSOCK_CLOSED' });
});

test('system errors keep Node shape: sendmsg to a missing path', async () => {
  const dir = tempDir();
  const s = socket('unix', 'dgram');
  try {
    await assert.rejects(s.sendmsg({ data: 'x', to: `${dir}/nobody` }), (err) => {
      assert.equal(err.code, 'ENOENT');
      assert.equal(err.syscall, 'sendmsg');
      assert.match(err.address, /nobody/);
      return true;
    });
  } finally {
    s.close();
  }
});
