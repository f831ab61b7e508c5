// I_SETSIG / I_GETSIG: the SIGPOLL analogue, called from the event loop. One notification
// may stand for many messages; the next comes after the handler drained to EAGAIN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, fstatSync, writeSync } from 'node:fs';
import {
  pipe, close, ioctl, fcntl, I_SENDFD, I_RECVFD, I_SETSIG, I_GETSIG, F_SETFL, O_NONBLOCK,
  S_INPUT, S_RDNORM, S_HANGUP, S_OUTPUT, S_HIPRI, S_MSG,
} from '../dist/streams/index.js';
import { lookup } from '../dist/socket/descriptors.js';
import { checkFdsAtEnd, within } from './helpers.js';

checkFdsAtEnd();
const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

test('S_INPUT: one call for a burst; the handler drains with non-blocking I_RECVFD; the next burst calls again', async () => {
  const [a, b] = pipe();
  try {
    fcntl(b, F_SETFL, O_NONBLOCK);
    const calls = [];
    const received = [];
    let wake;
    ioctl(b, I_SETSIG, S_INPUT, async (events, fd) => {
      calls.push({ events, fd });
      for (;;) {
        try {
          const r = await ioctl(fd, I_RECVFD);
          received.push(fstatSync(r.fd).ino);
          closeSync(r.fd);
        } catch (err) {
          if (err.code !== 'EAGAIN') throw err;
          break; // drained: the next message notifies again
        }
      }
      wake?.();
    });
    assert.equal(ioctl(b, I_GETSIG), S_INPUT);
    const burst = async (n) => {
      const done = new Promise((r) => { wake = r; });
      for (let i = 0; i < n; i++) await ioctl(a, I_SENDFD, 0);
      await within(done, 5000, 'SIGPOLL handler');
      await tick();
    };
    await burst(3);
    assert.equal(calls.length, 1, 'one notification for three queued messages');
    assert.equal(received.length, 3);
    assert.deepEqual(calls[0], { events: S_INPUT, fd: b });
    await burst(2);
    assert.equal(calls.length, 2, 'notified again after draining');
    assert.equal(received.length, 5);
    assert.ok(received.every((ino) => ino === fstatSync(0).ino));
    ioctl(b, I_SETSIG, 0);
  } finally {
    close(a); close(b);
  }
});

test('every arrival notifies, however far the handler read (SIGPOLL is raised per message)', async () => {
  const [a, b] = pipe();
  try {
    let calls = 0;
    ioctl(b, I_SETSIG, S_INPUT | S_RDNORM, () => { calls++; });
    writeSync(a, 'one');
    await within((async () => { while (calls < 1) await tick(5); })(), 5000, 'first notification');
    // The handler read nothing; a second arrival must still be announced.
    writeSync(a, 'two');
    await within((async () => { while (calls < 2) await tick(5); })(), 5000, 'second notification');
    await tick(50);
    assert.equal(calls, 2, 'no arrival, no call: a handler that does not drain is not called in a loop');
    assert.equal((await lookup(b).recv(64)).toString(), 'onetwo');
    writeSync(a, 'three');
    await within((async () => { while (calls < 3) await tick(5); })(), 5000, 'third notification');
    ioctl(b, I_SETSIG, 0);
  } finally {
    close(a); close(b);
  }
});

test('S_HANGUP reports the peer closing; S_OUTPUT reports room to write', async () => {
  const [a, b] = pipe();
  try {
    const out = new Promise((resolve) => ioctl(b, I_SETSIG, S_OUTPUT, (ev) => resolve(ev)));
    assert.equal(await within(out, 5000, 'S_OUTPUT'), S_OUTPUT);
    const hup = new Promise((resolve) => ioctl(b, I_SETSIG, S_HANGUP, (ev) => resolve(ev)));
    assert.equal(ioctl(b, I_GETSIG), S_HANGUP, 'setting again replaces the mask');
    close(a);
    const ev = await within(hup, 5000, 'S_HANGUP');
    assert.ok(ev & S_HANGUP);
    ioctl(b, I_SETSIG, 0);
  } finally {
    close(b);
  }
});

test('mask 0 unregisters; unregistering or I_GETSIG with nothing registered is EINVAL', () => {
  const [a, b] = pipe();
  try {
    assert.throws(() => ioctl(b, I_GETSIG), { code: 'EINVAL', syscall: 'ioctl' });
    assert.throws(() => ioctl(b, I_SETSIG, 0), { code: 'EINVAL', syscall: 'ioctl' });
    ioctl(b, I_SETSIG, S_INPUT | S_HIPRI | S_MSG, () => {});
    assert.equal(ioctl(b, I_GETSIG), S_INPUT | S_HIPRI | S_MSG);
    ioctl(b, I_SETSIG, S_HIPRI); // keeps the handler
    assert.equal(ioctl(b, I_GETSIG), S_HIPRI);
    assert.equal(ioctl(b, I_SETSIG, 0), 0);
    assert.throws(() => ioctl(b, I_GETSIG), { code: 'EINVAL' });
  } finally {
    close(a); close(b);
  }
});

test('bad input: no handler, bad mask, bad descriptor', () => {
  const [a, b] = pipe();
  try {
    assert.throws(() => ioctl(b, I_SETSIG, S_INPUT), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"handler"/ });
    assert.throws(() => ioctl(b, I_SETSIG, S_INPUT, 'fn'), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"handler"/ });
    assert.throws(() => ioctl(b, I_SETSIG, 0x10000, () => {}), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"arg"/ });
    assert.throws(() => ioctl(b, I_SETSIG, 'S_INPUT', () => {}), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"arg"/ });
    assert.throws(() => ioctl(987654, I_SETSIG, S_INPUT, () => {}), { code: 'EBADF', syscall: 'ioctl' });
  } finally {
    close(a); close(b);
  }
});
