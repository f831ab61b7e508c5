// poll(2) over sockets, pipes and plain fds: levels, timeouts, wake-ups by arrival, POLLNVAL,
// hangup, urgent data, and the one registration per descriptor it shares.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import {
  socket, socketpair, constants as C, Readiness, poll,
  POLLIN, POLLRDNORM, POLLRDBAND, POLLPRI, POLLOUT, POLLWRNORM, POLLWRBAND, POLLERR, POLLHUP, POLLNVAL,
} from '../dist/index.js';
import * as streams from '../dist/streams/index.js';
import { checkFdsAtEnd, within, need } from './helpers.js';

checkFdsAtEnd();
const open = [];
afterEach(() => { for (const s of open.splice(0)) s.close(); });
function pair(type = 'stream') {
  const [a, b] = socketpair('unix', type);
  open.push(a, b);
  return [a, b];
}

test('the constants have their Linux values, and xsock/streams exports the same poll', () => {
  assert.deepEqual(
    [POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL, POLLRDNORM, POLLRDBAND, POLLWRNORM, POLLWRBAND],
    [0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100, 0x200]);
  assert.equal(streams.poll, poll);
  assert.equal(streams.POLLRDNORM, POLLRDNORM);
});

test('timeout 0 reports the levels at once: writable, nothing to read', async () => {
  const [a] = pair();
  const r = await poll([{ fd: a.fd, events: POLLIN | POLLRDNORM }, { fd: a.fd, events: POLLOUT | POLLWRNORM }], 0);
  assert.deepEqual(r, [
    { fd: a.fd, events: POLLIN | POLLRDNORM, revents: 0 },
    { fd: a.fd, events: POLLOUT | POLLWRNORM, revents: POLLOUT | POLLWRNORM },
  ]);
});

test('a timeout with nothing ready resolves with every revents 0 after the timeout', async () => {
  const [a, b] = pair();
  const t0 = performance.now();
  const r = await within(poll([{ fd: a.fd, events: POLLIN }, { fd: b.fd, events: POLLIN }], 80), 3000, 'poll');
  const took = performance.now() - t0;
  assert.deepEqual(r.map((e) => e.revents), [0, 0]);
  assert.ok(took >= 70, `waited ${took} ms`);
});

test('an arrival on any of several descriptors wakes an infinite poll, naming only that one', async () => {
  const [a, b] = pair();
  const [c, d] = pair('dgram');
  const p = poll([{ fd: a.fd, events: POLLIN | POLLRDNORM }, { fd: c.fd, events: POLLIN }], -1);
  setTimeout(() => d.trySend('x'), 30);
  const r = await within(p, 3000, 'poll');
  assert.deepEqual(r.map((e) => e.revents), [0, POLLIN]);
  assert.equal(c.tryRecvInto(Buffer.alloc(4)), 1);
  // b still has nothing to say; now it does.
  const p2 = poll([{ fd: a.fd, events: POLLIN | POLLRDNORM }, { fd: c.fd, events: POLLIN }]);
  setTimeout(() => b.trySend('yz'), 20);
  assert.deepEqual((await within(p2, 3000, 'poll')).map((e) => e.revents), [POLLIN | POLLRDNORM, 0]);
});

test('poll shares the socket\'s one registration: a pending recv and a poll both wake on one arrival', async () => {
  const [a, b] = pair();
  const before = a.readiness;
  const recv = a.recv(1, 0, { timeout: 3000 }); // leaves a byte for poll's level probe
  const p = poll([{ fd: a.fd, events: POLLIN }], 3000);
  assert.equal(Readiness.existing(a.fd), before, 'no other readiness for the fd');
  setTimeout(() => b.trySend('hi'), 20);
  const [got, r] = await within(Promise.all([recv, p]), 3000, 'recv and poll');
  assert.equal(got.toString(), 'h');
  assert.equal(r[0].revents, POLLIN);
  assert.equal(Readiness.existing(a.fd), before);
});

test('a descriptor nobody watched is registered only for the wait, then released', async () => {
  const [a, b] = pair();
  const fd = b.detach(); // a raw fd: nothing watches it
  try {
    assert.equal(Readiness.existing(fd), undefined);
    const p = poll([{ fd, events: POLLIN }], 3000);
    await new Promise((r) => setTimeout(r, 10));
    assert.ok(Readiness.existing(fd), 'registered while poll waits');
    a.trySend('q');
    assert.equal((await within(p, 3000, 'poll'))[0].revents, POLLIN);
    assert.equal(Readiness.existing(fd), undefined, 'released after the wait');
  } finally {
    fs.closeSync(fd);
  }
});

test('a closed descriptor gives POLLNVAL, a negative fd is ignored, a regular file is ready', async () => {
  const file = fs.openSync(new URL(import.meta.url), 'r');
  const fd = fs.openSync('/dev/null', 'r');
  fs.closeSync(fd);
  try {
    const r = await within(poll([{ fd, events: POLLIN }, { fd: -1, events: POLLIN }, { fd: file, events: POLLIN | POLLOUT }], -1), 3000, 'poll');
    assert.deepEqual(r.map((e) => e.revents), [POLLNVAL, 0, POLLIN | POLLOUT]);
  } finally {
    fs.closeSync(file);
  }
});

test('the peer\'s close wakes poll with POLLHUP (asked for or not) and POLLIN', async () => {
  const [a, b] = pair();
  const p = poll([{ fd: a.fd, events: POLLIN }]);
  setTimeout(() => b.close(), 20);
  const [e] = await within(p, 3000, 'poll');
  assert.equal(e.revents & POLLHUP, POLLHUP);
  assert.equal(e.revents & POLLIN, POLLIN);
  const q = await poll([{ fd: a.fd, events: 0 }], 0);
  assert.equal(q[0].revents, POLLHUP, 'hangup is reported with events 0');
});

test('TCP urgent data from python3 wakes POLLPRI (and POLLRDBAND is not Linux TCP\'s bit)', async () => {
  need('python3');
  const l = socket('inet', 'stream');
  open.push(l);
  l.bind('127.0.0.1:0');
  l.listen();
  const port = l.getsockname().port;
  const py = spawn('python3', ['-c', `
import socket, time
s = socket.create_connection(('127.0.0.1', ${port}))
time.sleep(0.05)
s.send(b'!', socket.MSG_OOB)
time.sleep(1)
s.close()`], { stdio: 'ignore' });
  const s = await l.accept({ timeout: 3000 });
  open.push(s);
  const [e] = await within(poll([{ fd: s.fd, events: POLLPRI | POLLRDBAND }], 3000), 3000, 'poll');
  assert.equal(e.revents & POLLPRI, POLLPRI);
  assert.equal(s.tryRecvInto(Buffer.alloc(1), C.MSG_OOB), 1);
  s.close();
  await new Promise((r) => py.on('close', r));
});

test('a STREAMS pipe: poll sees what the other end writes', async () => {
  const [p0, p1] = streams.pipe();
  try {
    const p = poll([{ fd: p0, events: POLLIN | POLLRDNORM }, { fd: p1, events: POLLIN }], 3000);
    setTimeout(() => fs.writeSync(p1, 'data'), 20);
    const r = await within(p, 3000, 'poll');
    assert.deepEqual(r.map((e) => e.revents), [POLLIN | POLLRDNORM, 0]);
  } finally {
    streams.close(p0);
    streams.close(p1);
  }
});

test('bad input is refused with the argument named', async () => {
  await assert.rejects(poll('x'), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"fds"/ });
  await assert.rejects(poll([null]), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"fds\[0\]"/ });
  await assert.rejects(poll([{ fd: 1.5, events: POLLIN }]), { message: /"fds\[0\]\.fd"/ });
  await assert.rejects(poll([{ fd: 0, events: 0x10000 }]), { message: /"fds\[0\]\.events"/ });
  await assert.rejects(poll([{ fd: 0, events: 0x800 }]), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /"fds\[0\]\.events"/ });
  await assert.rejects(poll([], -2), { message: /"timeout"/ });
  await assert.rejects(poll([], 'soon'), { message: /"timeout"/ });
});
