// socketpair of every type: data, boundaries, shutdown, EOF, EPIPE without SIGPIPE death.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socketpair, constants as C } from '../dist/index.js';
import { checkFdsAtEnd, within } from './helpers.js';

checkFdsAtEnd();

for (const type of ['stream', 'dgram', 'seqpacket']) {
  test(`${type} socketpair carries data both ways`, async () => {
    const [a, b] = socketpair('unix', type);
    try {
      assert.equal(a.domain, C.AF_UNIX);
      assert.equal(a.type, C[`SOCK_${type.toUpperCase()}`]);
      assert.equal(await a.send('ping'), 4);
      assert.equal((await within(b.recv(100))).toString(), 'ping');
      await b.send(Buffer.from('pong'));
      assert.equal((await within(a.recv(100))).toString(), 'pong');
      assert.equal(a.tryRecv(10), null, 'tryRecv gives null when nothing is queued');
    } finally {
      a.close(); b.close();
    }
  });

  test(`${type}: 1000 numbered messages arrive once, in order, ${type === 'stream' ? 'merged' : 'with boundaries'}`, async () => {
    const [a, b] = socketpair('unix', type);
    try {
      const N = 1000;
      const reader = (async () => {
        let text = '';
        const counts = [];
        while (!text.includes(`<${N - 1}>`)) {
          const m = await within(b.recv(65536), 5000, 'messages');
          counts.push(m.length);
          text += m.toString();
        }
        return { text, counts };
      })();
      for (let i = 0; i < N; i++) await a.send(`<${i}>`);
      const { text, counts } = await reader;
      assert.equal(text, Array.from({ length: N }, (_, i) => `<${i}>`).join(''));
      if (type === 'stream') assert.ok(counts.length < N, 'a stream merges writes');
      else assert.equal(counts.length, N, 'each send is one message');
    } finally {
      a.close(); b.close();
    }
  });
}

test('short read of a seqpacket message truncates; MSG_TRUNC reports the real length', async () => {
  const [a, b] = socketpair('unix', 'seqpacket');
  try {
    await a.send('0123456789');
    await a.send('abcdefghij');
    const buf = Buffer.alloc(4);
    assert.equal(await b.recvInto(buf, C.MSG_TRUNC), 10, 'real length reported');
    assert.equal(buf.toString(), '0123', 'copy clamped to the buffer');
    assert.equal((await b.recv(4)).toString(), 'abcd', 'the rest of a message is discarded');
  } finally {
    a.close(); b.close();
  }
});

test('stream read smaller than the data leaves the rest queued', async () => {
  const [a, b] = socketpair('unix', 'stream');
  try {
    await a.send('hello world');
    assert.equal((await b.recv(5)).toString(), 'hello');
    assert.equal((await b.recv(100)).toString(), ' world');
  } finally {
    a.close(); b.close();
  }
});

test('shutdown(write): own send EPIPE, peer reads EOF, reverse direction still works', async () => {
  const [a, b] = socketpair('unix', 'stream');
  try {
    a.shutdown('write');
    await assert.rejects(a.send('x'), { code: 'EPIPE', syscall: 'send' });
    assert.equal((await within(b.recv(10))).length, 0, 'EOF');
    await b.send('back');
    assert.equal((await within(a.recv(10))).toString(), 'back');
  } finally {
    a.close(); b.close();
  }
});

test('shutdown(read): local reads see EOF at once', async () => {
  const [a, b] = socketpair('unix', 'stream');
  try {
    a.shutdown('read');
    assert.equal((await within(a.recv(10))).length, 0);
    await b.send('still accepted'); // unix: data to a read-shut socket is refused or dropped
  } catch (err) {
    assert.equal(err.code, 'EPIPE');
  } finally {
    a.close(); b.close();
  }
});

test('send to a closed peer is EPIPE, not a SIGPIPE death', async () => {
  for (const type of ['stream', 'seqpacket']) {
    const [a, b] = socketpair('unix', type);
    b.close();
    await assert.rejects(a.send('x'), { code: 'EPIPE' });
    a.close();
  }
});

test('trySend/tryRecvInto take an offset and a length (no subarray for a partial write)', () => {
  const [a, b] = socketpair('unix', 'stream');
  try {
    const out = Buffer.from('0123456789');
    assert.equal(a.trySend(out, 0, 3), 7, 'from offset 3 to the end');
    assert.equal(a.trySend(out, 0, 1, 2), 2, 'two bytes from offset 1');
    assert.equal(a.trySend('xyz', 0, 3, 0), 0, 'an empty range sends nothing');
    const inb = Buffer.alloc(16, 0x2e);
    assert.equal(b.tryRecvInto(inb, 0, 4, 5), 5, 'at most length bytes');
    assert.equal(b.tryRecvInto(inb, 0, 9), 4, 'the rest, at offset 9');
    assert.equal(inb.toString(), '....345678912...');
    assert.equal(b.tryRecvInto(inb, 0, 16), null, 'nothing queued; an offset at the end is allowed');
    for (const [off, len] of [[11, undefined], [-1, undefined], [2, 9], [1.5, undefined]]) {
      assert.throws(() => a.trySend(out, 0, off, len), { message: off === 2 ? /"length"/ : /"offset"/ });
    }
    assert.throws(() => b.tryRecvInto(inb, 0, 17), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"offset"/ });
    assert.throws(() => b.tryRecvInto(inb, 0, 8, 9), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"length"/ });
  } finally {
    a.close();
    b.close();
  }
});

test('dgram pair: zero-length datagram is delivered; closed peer gives ECONNREFUSED', async () => {
  const [a, b] = socketpair('unix', 'dgram');
  await a.send(Buffer.alloc(0));
  const buf = Buffer.alloc(10);
  assert.equal(await within(b.recvInto(buf)), 0);
  assert.equal(b.tryRecvInto(buf), null, 'nothing more queued');
  b.close();
  await assert.rejects(a.send('x'), { code: 'ECONNREFUSED' });
  a.close();
});

test('recv waits can be aborted and timed out', async () => {
  const [a, b] = socketpair('unix', 'seqpacket');
  try {
    await assert.rejects(a.recv(10, 0, { timeout: 30 }), { code: 'ERR_XSOCK_TIMEOUT' });
    const ac = new AbortController();
    const p = a.recv(10, 0, { signal: ac.signal });
    ac.abort();
    await assert.rejects(p, { name: 'AbortError', code: 'ABORT_ERR' });
    await b.send('after');
    assert.equal((await within(a.recv(10))).toString(), 'after', 'the socket still works after an abandoned wait');
  } finally {
    a.close(); b.close();
  }
});

test('close is idempotent; pending waits reject; calls on a closed socket fail clearly', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const p = a.recv(10);
  a.close();
  a.close();
  await assert.rejects(p, { code: 'ERR_XSOCK_CLOSED' });
  assert.throws(() => a.trySend('x'), { code: 'ERR_XSOCK_CLOSED' });
  assert.equal(a.fd, -1);
  b.close();
});

test('MSG_DONTWAIT on a Promise form fails with EAGAIN instead of waiting', async () => {
  const [a, b] = socketpair('unix', 'dgram');
  try {
    await assert.rejects(a.recv(10, C.MSG_DONTWAIT), { code: 'EAGAIN' });
  } finally {
    a.close(); b.close();
  }
});

test('a full connected unix dgram sender waits for room and loses nothing', async () => {
  const [a, b] = socketpair('unix', 'dgram');
  try {
    let sent = 0;
    while (a.trySend('m') !== null) sent++;
    assert.ok(sent >= 10, `queue held ${sent}`);
    const late = a.send('last');
    let got = 0;
    while (got < sent) { await within(b.recv(10)); got++; }
    await within(late);
    assert.equal((await within(b.recv(10))).toString(), 'last');
  } finally {
    a.close(); b.close();
  }
});
