// Zero-copy primitives against the kernel: splice(2) socket -> pipe -> socket, tee(2),
// sendfile(2) file -> socket read by an independent python3 peer, copy_file_range(2),
// the waits (input side, output side, raw pipe), timeouts and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync, readSync } from 'node:fs';
import { join } from 'node:path';
import {
  socket, socketpair, splice, trySplice, tee, tryTee, sendfile, trySendfile, copyFileRange, makePipe,
} from '../dist/index.js';
import { checkFdsAtEnd, tempDir, within, need } from './helpers.js';

checkFdsAtEnd();
const dir = tempDir();
const sha = (b) => createHash('sha256').update(b).digest('hex');

/** Reads a stream socket to end-of-file. */
async function drain(s) {
  const parts = [];
  for (;;) {
    const b = await within(s.recv(1 << 16), 10000, 'data');
    if (b.length === 0) return Buffer.concat(parts);
    parts.push(b);
  }
}

test('splice: socket -> pipe -> socket moves 8 MiB intact, waiting on both sides', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const [c, d] = socketpair('unix', 'stream');
  const [pr, pw] = makePipe(1 << 16);
  try {
    const data = randomBytes(8 << 20);
    const reader = drain(d);
    const writer = a.sendAll(data).then(() => a.shutdown('write'));
    let moved = 0;
    let inPipe = 0;
    for (;;) {
      const n = await within(splice(b, pw, 1 << 16), 10000, 'splice in');
      if (n === 0) break;
      inPipe += n;
      while (inPipe > 0) {
        const k = await within(splice(pr, c, inPipe), 10000, 'splice out');
        assert.ok(k > 0);
        inPipe -= k;
        moved += k;
      }
    }
    c.shutdown('write');
    await writer;
    const got = await reader;
    assert.equal(moved, data.length);
    assert.equal(sha(got), sha(data));
  } finally {
    a.close(); b.close(); c.close(); d.close(); closeSync(pr); closeSync(pw);
  }
});

test('trySplice: null when the source is empty or the pipe is empty, 0 at end-of-file', () => {
  const [a, b] = socketpair('unix', 'stream');
  const [pr, pw] = makePipe();
  try {
    assert.equal(trySplice(b, pw, 4096), null, 'nothing queued on the socket');
    assert.equal(trySplice(pr, a, 4096), null, 'nothing in the pipe');
    a.trySend('hello');
    assert.equal(trySplice(b, pw, 4096), 5);
    assert.equal(trySplice(pr, b, 4096), 5);
    assert.equal(a.tryRecv(16).toString(), 'hello');
    a.shutdown('write');
    assert.equal(trySplice(b, pw, 4096), 0, 'end-of-file');
  } finally {
    a.close(); b.close(); closeSync(pr); closeSync(pw);
  }
});

test('splice waits for input on a raw pipe and for output room on a full socket', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const [pr, pw] = makePipe();
  try {
    // Input side: the pipe is empty until a timer writes into it.
    const p = splice(pr, a, 100);
    setTimeout(() => writeSync(pw, Buffer.from('late')), 30);
    assert.equal(await within(p, 5000, 'pipe input'), 4);
    assert.equal((await within(b.recv(16))).toString(), 'late');
    // Output side: fill a's send buffer, then splice from the pipe waits until b reads.
    const fill = Buffer.alloc(1 << 16);
    while (a.trySend(fill) !== null);
    writeSync(pw, Buffer.from('x'.repeat(1000)));
    let settled = false;
    const q = splice(pr, a, 1000).then((n) => { settled = true; return n; });
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(settled, false, 'a full socket makes splice wait');
    let drained = 0;
    const reading = (async () => { while (!settled) drained += (await b.recv(1 << 16)).length; })();
    const n = await within(q, 5000, 'output room');
    assert.ok(n > 0 && n <= 1000);
    await within(reading, 5000, 'reader');
    assert.ok(drained > 0);
  } finally {
    a.close(); b.close(); closeSync(pr); closeSync(pw);
  }
});

test('splice: a timeout rejects with ERR_XSOCK_TIMEOUT and two sockets are EINVAL', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const [pr, pw] = makePipe();
  try {
    await assert.rejects(splice(b, pw, 10, { timeout: 30 }), { code: 'ERR_XSOCK_TIMEOUT' });
    a.trySend('x');
    await assert.rejects(splice(b, a, 10), { code: 'EINVAL', syscall: 'splice' });
  } finally {
    a.close(); b.close(); closeSync(pr); closeSync(pw);
  }
});

test('tee duplicates pipe data without consuming it', async () => {
  const [r1, w1] = makePipe();
  const [r2, w2] = makePipe();
  try {
    assert.equal(tryTee(r1, w2, 100), null, 'empty source pipe');
    writeSync(w1, Buffer.from('duplicate me'));
    assert.equal(await within(tee(r1, w2, 100)), 12);
    const x = Buffer.alloc(64);
    const y = Buffer.alloc(64);
    assert.equal(readSync(r1, x, 0, 64, null), 12);
    assert.equal(readSync(r2, y, 0, 64, null), 12);
    assert.equal(x.subarray(0, 12).toString(), 'duplicate me');
    assert.equal(y.subarray(0, 12).toString(), 'duplicate me');
    closeSync(w1);
    assert.equal(await within(tee(r1, w2, 100)), 0, 'writer gone: end of input');
  } finally {
    closeSync(r1); closeSync(r2); closeSync(w2);
  }
});

test('sendfile: a 6 MiB file reaches an independent python3 reader intact', { skip: need('python3') }, async () => {
  const file = join(dir, 'src.bin');
  const data = randomBytes(6 << 20);
  writeFileSync(file, data);
  const path = join(dir, 'sf.sock');
  const py = spawn('python3', ['-c', `
import socket, sys, hashlib
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); print('READY', flush=True)
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    b = c.recv(1 << 16)
    if not b: break
    h.update(b); n += len(b)
print(n, h.hexdigest(), flush=True)
`, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  py.stdout.on('data', (d) => { out += d; });
  const done = new Promise((r) => py.on('close', r));
  await within(new Promise((r) => { const t = setInterval(() => { if (out.includes('READY')) { clearInterval(t); r(); } }, 5); }), 5000, 'python');
  const s = socket('unix', 'stream');
  const fd = openSync(file, 'r');
  try {
    await s.connect({ family: 'unix', path });
    // First 1 MiB at an explicit offset (file position untouched), the rest from the position.
    let off = 0;
    while (off < 1 << 20) off += await within(sendfile(s, fd, (1 << 20) - off, { offset: off }));
    readSync(fd, Buffer.alloc(1 << 20), 0, 1 << 20, null); // advance the position by 1 MiB
    for (let n; (n = await within(sendfile(s, fd, 1 << 20))) > 0;) off += n;
    assert.equal(off, data.length);
    assert.equal(trySendfile(s, fd, 100), 0, 'end of file');
    s.shutdown('write');
    await within(done, 10000, 'python reader');
    assert.equal(out.replace('READY', '').trim(), `${data.length} ${sha(data)}`);
  } finally {
    s.close();
    closeSync(fd);
    if (py.exitCode === null) py.kill();
  }
});

test('copyFileRange copies between files; offsets leave the positions alone', () => {
  const a = join(dir, 'cfr-a');
  const b = join(dir, 'cfr-b');
  const data = randomBytes(3 << 20);
  writeFileSync(a, data);
  const fa = openSync(a, 'r');
  const fb = openSync(b, 'w');
  try {
    let n = 0;
    while (n < 1000) n += copyFileRange(fa, fb, 1000 - n, { fromOffset: n + 5, toOffset: n });
    for (let k; (k = copyFileRange(fa, fb, 1 << 20, { toOffset: n })) > 0;) n += k; // from position 0
    assert.equal(n, 1000 + data.length);
    const got = readFileSync(b);
    assert.equal(sha(got.subarray(0, 1000)), sha(data.subarray(5, 1005)));
    assert.equal(sha(got.subarray(1000)), sha(data));
  } finally {
    closeSync(fa); closeSync(fb);
  }
});

test('bad input is refused with a clear error and nothing reaches the kernel', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const [pr, pw] = makePipe();
  try {
    assert.throws(() => trySplice('x', pw, 1), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"from"/ });
    assert.throws(() => trySplice(b, pw, -1), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"len"/ });
    assert.throws(() => trySplice(b, pw, 1, { fromOffset: -3 }), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"fromOffset"/ });
    await assert.rejects(splice(b, 1.5, 1), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"to"/ });
    assert.throws(() => tryTee(pr, {}, 1), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"to"/ });
    assert.throws(() => makePipe(-1), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"capacity"/ });
    // A blocking pipe as sendfile's destination would block the event loop.
    const file = join(dir, 'bad-src');
    writeFileSync(file, 'abc');
    const fd = openSync(file, 'r');
    const fifo = join(dir, 'fifo');
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [fifo]);
    const fr = openSync(fifo, 'r+'); // O_RDWR: opens without a peer, blocking
    try {
      assert.throws(() => trySendfile(fr, fd, 3), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /"to"/ });
      assert.equal(trySendfile(pw, fd, 3), 3, 'a non-blocking pipe is fine');
    } finally {
      closeSync(fd); closeSync(fr);
    }
    a.close();
    assert.throws(() => trySplice(a, pw, 1), { code: 'ERR_XSOCK_CLOSED' });
  } finally {
    a.close(); b.close(); closeSync(pr); closeSync(pw);
  }
});
