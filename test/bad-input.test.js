// Bad input: every public function fed wrong types, out-of-range values, over-long paths
// and closed sockets gives a clear error naming the argument — never a crash or a leak.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socket, socketpair, Socket, parseAddress, formatAddress } from '../dist/index.js';
import { openSync, closeSync } from 'node:fs';
import { checkFdsAtEnd } from './helpers.js';

checkFdsAtEnd();

test('socket(): domain, type and protocol are checked', () => {
  assert.throws(() => socket('bogus', 'stream'), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /"domain"/ });
  assert.throws(() => socket('unix', 'bogus'), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /"type"/ });
  assert.throws(() => socket({}, 'stream'), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"domain"/ });
  assert.throws(() => socket('unix', 1.5), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"type"/ });
  assert.throws(() => socket('unix', 'stream', -1), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"protocol"/ });
  assert.throws(() => socket('unix', 'stream', 6), { code: 'EPROTONOSUPPORT', syscall: 'socket' });
  assert.throws(() => socket(200, 'stream'), { code: 'EAFNOSUPPORT' });
  assert.throws(() => socketpair('inet', 'stream'), { code: 'EOPNOTSUPP', syscall: 'socketpair' });
});

test('addresses: bad ports, families, IPs, NUL in path, over-long names', () => {
  const s = socket('inet', 'stream');
  try {
    assert.throws(() => s.bind({ family: 'inet', address: '127.0.0.1', port: 70000 }), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /port/ });
    assert.throws(() => s.bind({ family: 'inet', address: '127.0.0.1', port: -1 }), { code: 'ERR_XSOCK_OUT_OF_RANGE' });
    assert.throws(() => s.bind({ family: 'inet', address: '127.0.0.1', port: '80' }), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /port/ });
    assert.throws(() => s.bind({ family: 'inet', address: '300.1.1.1', port: 1 }), { code: 'ERR_XSOCK_BAD_ADDRESS', message: /IPv4/ });
    assert.throws(() => s.bind({ family: 'inet6', address: 'zz::', port: 1 }), { code: 'ERR_XSOCK_BAD_ADDRESS', message: /IPv6/ });
    assert.throws(() => s.bind({ family: 'ipx' }), { code: 'ERR_XSOCK_BAD_ADDRESS', message: /family/ });
    assert.throws(() => s.bind(42), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"address"/ });
    assert.throws(() => s.bind(null), { code: 'ERR_XSOCK_INVALID_ARG_TYPE' });
    assert.throws(() => s.bind('example.com:80'), { code: 'ERR_XSOCK_BAD_ADDRESS', message: /resolve/ });
    assert.throws(() => s.bind('nonsense'), { code: 'ERR_XSOCK_BAD_ADDRESS' });
    assert.throws(() => s.bind('1.2.3.4:99999'), { code: 'ERR_XSOCK_OUT_OF_RANGE' });
    assert.throws(() => s.bind({ family: 'unix', path: 'a\0b' }), { code: 'ERR_XSOCK_BAD_ADDRESS', message: /NUL/ });
    assert.throws(() => s.bind({ family: 'unix', path: '/x'.repeat(60) }), { code: 'ERR_XSOCK_PATH_TOO_LONG' });
    assert.throws(() => s.bind({ family: 'unix', abstract: 'a'.repeat(108) }), { code: 'ERR_XSOCK_PATH_TOO_LONG' });
    assert.throws(() => s.bind({ family: 'unix', abstract: 5 }), { code: 'ERR_XSOCK_INVALID_ARG_TYPE' });
    assert.throws(() => s.bind('/tmp/x'), { code: 'EINVAL', syscall: 'bind' }, 'family mismatch reaches the kernel as a well-formed address');
  } finally {
    s.close();
  }
});

test('parseAddress / formatAddress round trips', () => {
  for (const t of ['/run/x.sock', '@name', '127.0.0.1:80', '[::1]:80', '[fe80::1%1]:22', '[::ffff:1.2.3.4]:5']) {
    assert.equal(formatAddress(parseAddress(t)), t);
  }
  assert.deepEqual(parseAddress('unix:/a'), { family: 'unix', path: '/a' });
  assert.deepEqual(parseAddress('[2001:db8::1]:443'), { family: 'inet6', address: '2001:db8::1', port: 443 });
  assert.throws(() => parseAddress(5), { code: 'ERR_XSOCK_INVALID_ARG_TYPE' });
  assert.throws(() => parseAddress('[fe80::1%nosuchif0]:1'), { code: 'ERR_XSOCK_BAD_ADDRESS', message: /interface/ });
});

test('data calls: wrong data, buffer, size, flags types', async () => {
  const [a, b] = socketpair('unix', 'stream');
  try {
    assert.throws(() => a.trySend(42), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"data"/ });
    await assert.rejects(async () => a.send({}), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"data"/ });
    assert.throws(() => a.trySend('x', -1), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"flags"/ });
    assert.throws(() => a.trySend('x', 'oob'), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"flags"/ });
    assert.throws(() => a.tryRecvInto('nope'), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"buf"/ });
    assert.throws(() => a.tryRecv(-5), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"size"/ });
    await assert.rejects(async () => a.recv(10, 0, { timeout: -1 }), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /timeout/ });
    await assert.rejects(async () => a.recv(10, 0, { timeout: 2 ** 31 }), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /timeout/ });
    await assert.rejects(async () => a.recv(10, 0, { signal: {} }), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /signal/ });
    assert.throws(() => a.listen('many'), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"backlog"/ });
    assert.throws(() => a.shutdown('sideways'), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /"how"/ });
    assert.throws(() => a.getsockopt('SOL_SOCKET', 'SO_RCVBUF', 99999), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"length"/ });
  } finally {
    a.close(); b.close();
  }
});

test('Promise forms reject (never throw) for bad arguments, across the call family', async () => {
  const [a, b] = socketpair('unix', 'dgram');
  try {
    // Called bare: a synchronous throw would escape assert.rejects and fail the test.
    await assert.rejects(a.send(42), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"data"/ });
    await assert.rejects(a.recvInto('x'), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"buf"/ });
    await assert.rejects(a.sendto('x', 42), { code: 'ERR_XSOCK_INVALID_ARG_TYPE' });
    await assert.rejects(a.recvfrom(-1), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"size"/ });
    await assert.rejects(a.sendmsg(42), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"msg"/ });
    await assert.rejects(a.recvmsg({ size: -1 }), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"size"/ });
    await assert.rejects(a.recvBatch({ count: 'many' }), { code: 'ERR_XSOCK_INVALID_ARG_TYPE' });
  } finally {
    a.close(); b.close();
  }
});

test('wrong socket type for the call surfaces the kernel error', async () => {
  const [a, b] = socketpair('unix', 'dgram');
  try {
    assert.throws(() => a.listen(), { code: 'EOPNOTSUPP', syscall: 'listen' });
    assert.throws(() => a.tryAccept(), { code: 'EOPNOTSUPP', syscall: 'accept' });
  } finally {
    a.close(); b.close();
  }
});

test('closed sockets: every call fails with ERR_XSOCK_CLOSED', async () => {
  const s = socket('unix', 'dgram');
  s.close();
  for (const call of [() => s.bind('/tmp/nope'), () => s.listen(), () => s.tryAccept(), () => s.trySend('x'),
    () => s.tryRecv(), () => s.getsockname(), () => s.getpeername(), () => s.shutdown(), () => s.detach(),
    () => s.setsockopt('SOL_SOCKET', 'SO_RCVBUF', 1), () => s.getsockopt('SOL_SOCKET', 'SO_TYPE')]) {
    assert.throws(call, { code: 'ERR_XSOCK_CLOSED' });
  }
  await assert.rejects(async () => s.recv(), { code: 'ERR_XSOCK_CLOSED' });
  await assert.rejects(async () => s.connect('/tmp/nope'), { code: 'ERR_XSOCK_CLOSED' });
});

test('Socket.fromFd: adopts sockets, rejects non-sockets and bad fds clearly', () => {
  const [a, b] = socketpair('unix', 'seqpacket');
  const fd = a.detach();
  const s = Socket.fromFd(fd);
  assert.equal(s.typeName, 'seqpacket');
  assert.equal(s.domainName, 'unix');
  s.close();
  b.close();
  const f = openSync('/dev/null', 'r');
  assert.throws(() => Socket.fromFd(f), { code: 'ERR_XSOCK_NOT_A_SOCKET', message: /"fd"/ });
  closeSync(f);
  assert.throws(() => Socket.fromFd(987654), { code: 'ERR_XSOCK_BAD_FD', message: /"fd"/ });
  assert.throws(() => Socket.fromFd(-1), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"fd"/ });
  assert.throws(() => Socket.fromFd('3'), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"fd"/ });
});

test('garbage-collected unclosed sockets give their descriptors back', async () => {
  assert.ok(global.gc, 'the suite runs with --expose-gc');
  const { fdCount } = await import('./helpers.js');
  const before = fdCount();
  (() => { for (let i = 0; i < 50; i++) socketpair('unix', 'stream'); })();
  assert.equal(fdCount(), before + 100);
  for (let i = 0; i < 10 && fdCount() > before; i++) {
    global.gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(fdCount(), before);
});
