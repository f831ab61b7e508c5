// Node stream integration: a connected stream socket as a Duplex (pipeline, backpressure,
// half-close, errors) and datagram/seqpacket sockets as message iterables + writers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { socket, socketpair, toDuplex, messageWriter } from '../dist/index.js';
import { checkFdsAtEnd, tempDir, within, python } from './helpers.js';

checkFdsAtEnd();
const dir = tempDir();

/** A readable of `total` pseudo-random bytes in 1 MiB chunks, hashing what it emits. */
function source(total) {
  const hash = createHash('sha256');
  const block = randomBytes(1 << 20);
  let sent = 0;
  const r = new Readable({
    read() {
      if (sent >= total) return this.push(null);
      const n = Math.min(block.length, total - sent);
      // Vary the bytes per chunk so a reordering or repeat would change the digest.
      const chunk = Buffer.from(block.subarray(0, n));
      chunk.writeUInt32LE(sent, 0);
      sent += n;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { r, digest: () => hash.digest('hex') };
}

function sink() {
  const hash = createHash('sha256');
  let bytes = 0;
  const w = new Writable({ write(c, _e, cb) { bytes += c.length; hash.update(c); cb(); } });
  return { w, digest: () => hash.digest('hex'), bytes: () => bytes };
}

test('64 MiB through a unix stream socketpair under stream.pipeline, checksum intact', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const src = source(64 << 20);
  const dst = sink();
  const da = a.toDuplex();
  const db = toDuplex(b);
  // a's end() is a half-close: b reads EOF, which ends the second pipeline.
  await within(Promise.all([pipeline(src.r, da), pipeline(db, dst.w)]), 60000, '64 MiB pipeline');
  assert.equal(dst.bytes(), 64 << 20);
  assert.equal(dst.digest(), src.digest());
  da.destroy(); db.destroy();
  assert.ok(a.closed && b.closed, 'the streams own and closed their sockets');
});

test('backpressure: an unread peer stops the writer; reading resumes it', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const w = a.toDuplex({ writableHighWaterMark: 16384 });
  const r = b.toDuplex({ readableHighWaterMark: 16384 });
  r.pause();
  const chunk = Buffer.alloc(65536, 7);
  let written = 0;
  // Write until Node says stop, each time letting pending sends reach the kernel.
  for (let rounds = 0; rounds < 10000; rounds++) {
    if (!w.write(chunk)) {
      const drained = await Promise.race([once(w, 'drain').then(() => true), new Promise((res) => setTimeout(res, 300, false))]);
      if (!drained) break;
    }
    written += chunk.length;
  }
  assert.ok(written < 64 << 20, `writer was held back (wrote ${written} bytes before blocking)`);
  assert.ok(r.readableLength <= 16384 + 65536, `reader buffered only up to its high-water mark (${r.readableLength})`);
  assert.ok(w.writableLength > 0, 'bytes are waiting in the writer');
  // Now consume everything: the writer drains and the byte count matches.
  let got = 0;
  r.on('data', (d) => { got += d.length; });
  r.resume();
  w.end();
  await within(once(r, 'end'), 20000, 'reader end');
  assert.equal(got, written + chunk.length, 'every byte written (the last write included) arrived');
  w.destroy(); r.destroy();
});

test('half-close: end() is shutdown(SHUT_WR); a python peer reads EOF and still answers', async () => {
  const path = join(dir, 'hc.sock');
  const peer = python(`
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(1)
print('READY', flush=True)
c, _ = s.accept(); data = b''
while True:
    d = c.recv(65536)
    if not d: break
    data += d
c.sendall(b'got %d bytes' % len(data)); c.close()
`, [path]);
  await peer.ready;
  const s = socket('unix', 'stream');
  await within(s.connect(path), 5000, 'connect');
  const d = s.toDuplex();
  const chunks = [];
  d.on('data', (c) => chunks.push(c));
  const closed = once(d, 'close');
  d.write('hello ');
  d.end('world');
  await within(once(d, 'end'), 5000, 'answer after half-close');
  assert.equal(Buffer.concat(chunks).toString(), 'got 11 bytes');
  await within(closed, 5000, 'close');
  assert.ok(s.closed, 'both sides done: the Duplex closed its socket');
  assert.equal(await peer.exited, 0);
});

test('errors propagate: writing to a closed peer fails with EPIPE through pipeline', async () => {
  const [a, b] = socketpair('unix', 'stream');
  b.close();
  const src = source(4 << 20);
  await assert.rejects(within(pipeline(src.r, a.toDuplex()), 5000, 'pipeline error'), { code: 'EPIPE', syscall: 'send' });
  assert.ok(a.closed, 'the failed stream closed its socket');
});

test('errors propagate: a reset while reading destroys the Duplex with ECONNRESET', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const d = a.toDuplex();
  await a.sendAll('unread by b'); // b closes with unread data: the kernel resets a
  const err = once(d, 'error');
  const closed = new Promise((res) => d.on('close', res));
  d.resume();
  b.close();
  const [e] = await within(err, 5000, 'error event');
  assert.equal(e.code, 'ECONNRESET');
  assert.equal(e.syscall, 'recv');
  await within(closed, 5000, 'close');
  assert.ok(a.closed);
});

test('a Duplex needs a stream socket; the writer needs a message socket', () => {
  const [a, b] = socketpair('unix', 'dgram');
  const [c, e] = socketpair('unix', 'stream');
  try {
    assert.throws(() => a.toDuplex(), { code: 'ERR_XSOCK_WRONG_SOCKET_TYPE', message: /dgram/ });
    assert.throws(() => messageWriter(c), { code: 'ERR_XSOCK_WRONG_SOCKET_TYPE', message: /stream/ });
    assert.throws(() => toDuplex({}), { code: 'ERR_XSOCK_INVALID_ARG_TYPE' });
  } finally {
    a.close(); b.close(); c.close(); e.close();
  }
});

for (const type of ['dgram', 'seqpacket']) {
  test(`${type}: 5000 messages through messageWriter arrive intact, in order, with boundaries`, async () => {
    const [a, b] = socketpair('unix', type);
    const N = 5000;
    const w = messageWriter(a, { highWaterMark: 16 });
    const produce = pipeline(Readable.from((function* () {
      for (let i = 0; i < N; i++) yield Buffer.from(`message ${i} `.padEnd(10 + (i % 50), '.'));
    })(), { objectMode: true }), w);
    const got = [];
    for await (const m of b.messages()) {
      got.push(m.data.toString());
      if (got.length === N) break;
    }
    await within(produce, 10000, 'writer finish');
    assert.equal(got.length, N);
    for (let i = 0; i < N; i++) assert.equal(got[i], `message ${i} `.padEnd(10 + (i % 50), '.'));
    a.close(); b.close();
  });
}

test('seqpacket: ending the writer gives the reader EOF (the iterator ends)', async () => {
  const [a, b] = socketpair('unix', 'seqpacket');
  const w = a.messageWriter();
  w.write('one'); w.write('two'); w.end();
  const got = [];
  await within((async () => { for await (const m of b) got.push(m.data.toString()); })(), 5000, 'iterator end');
  assert.deepEqual(got, ['one', 'two']);
  a.close(); b.close();
});

test('unconnected dgram: the writer sends every message to its `to` address', async () => {
  const path = join(dir, 'to.sock');
  const rx = socket('unix', 'dgram');
  rx.bind(path);
  const tx = socket('unix', 'dgram');
  const w = messageWriter(tx, { to: path, close: true });
  const finished = once(w, 'finish');
  const closed = once(w, 'close');
  const got = [];
  const reader = (async () => {
    for await (const m of rx.messages()) {
      got.push(m.data.toString());
      if (got.length === 100) break;
    }
  })();
  for (let i = 0; i < 100; i++) w.write(`m${i}`);
  w.end();
  await within(Promise.all([finished, reader]), 10000, 'finish and 100 messages');
  assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => `m${i}`));
  await within(closed, 5000, 'writer close (autoDestroy after finish)');
  assert.ok(tx.closed, 'close: true let the writer close its socket');
  rx.close();
});
