// I_SENDFD / I_RECVFD: descriptor identity across processes, uid/gid from the kernel,
// every error of the STREAMS ioctls, and no descriptor leaked in either process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync, fstatSync, statSync, readSync, writeSync, writeFileSync, readFileSync, chmodSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pipe, close, ioctl, fcntl, I_SENDFD, I_RECVFD, I_NREAD, F_SETFL, O_NONBLOCK } from '../dist/streams/index.js';
import { socket } from '../dist/index.js';
import { native } from '../dist/binding.js';
import { checkFdsAtEnd, tempDir, within, readableBuild } from './helpers.js';

checkFdsAtEnd();
const dir = tempDir();
chmodSync(dir, 0o755);
const streams = new URL('../dist/streams/index.js', import.meta.url).href;
/** What a child running as another user imports: the checkout may be closed to it. */
const streamsForOthers = readableBuild().url('dist/streams/index.js');
const fdCount = () => readdirSync('/proc/self/fd').length;

function same(a, b) {
  for (const k of ['mode', 'ino', 'dev', 'rdev']) assert.equal(a[k], b[k], k);
}

/** Runs node code (ESM) with the pipe end as fd 3; resolves to { code, out }. */
function child(code, pipeFd, spawnOpts = {}) {
  const c = spawn('timeout', ['60', process.execPath, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit', pipeFd], ...spawnOpts });
  let out = '';
  c.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  return new Promise((resolve) => c.on('close', (code) => resolve({ code, out })));
}

test('same process: the received descriptor is the same open file, close-on-exec, a new number', async () => {
  const path = join(dir, 'same');
  writeFileSync(path, 'x');
  const [a, b] = pipe();
  const fd = openSync(path, 'r+');
  try {
    await ioctl(a, I_SENDFD, fd);
    assert.deepEqual(ioctl(b, I_NREAD), { count: 1, bytes: 1 });
    const r = await within(ioctl(b, I_RECVFD));
    try {
      assert.notEqual(r.fd, fd);
      same(fstatSync(r.fd), fstatSync(fd));
      assert.equal(native.getCloexec(r.fd), 1, 'passed fds arrive close-on-exec');
      assert.equal(r.uid, process.getuid());
      assert.equal(r.gid, process.getgid());
      // One open file description: the offset moved by one is seen by the other.
      writeSync(r.fd, 'written via the passed fd');
      assert.equal(readSync(fd, Buffer.alloc(8)), 0, 'shared offset is at the end');
    } finally {
      closeSync(r.fd);
    }
    assert.equal(readFileSync(path, 'utf8'), 'written via the passed fd');
    assert.deepEqual(ioctl(b, I_NREAD), { count: 0, bytes: 0 });
  } finally {
    closeSync(fd); close(a); close(b);
  }
});

test('across processes: a child opens the file and passes it; fstat matches; a write through it lands', async () => {
  const path = join(dir, 'child-file');
  writeFileSync(path, '');
  const [a, b] = pipe();
  const done = child(`import { openSync, closeSync, fstatSync } from 'node:fs';
    import { ioctl, close, I_SENDFD } from '${streams}';
    const fd = openSync(${JSON.stringify(path)}, 'r+');
    const s = fstatSync(fd);
    console.log(JSON.stringify({ ino: s.ino, dev: s.dev, mode: s.mode, rdev: s.rdev, uid: process.getuid(), gid: process.getgid() }));
    await ioctl(3, I_SENDFD, fd); closeSync(fd); close(3);`, b);
  close(b);
  try {
    const r = await within(ioctl(a, I_RECVFD), 10000, 'the child\'s descriptor');
    const { code, out } = await within(done, 10000, 'child exit');
    assert.equal(code, 0);
    const theirs = JSON.parse(out);
    same(fstatSync(r.fd), theirs);
    same(fstatSync(r.fd), statSync(path));
    assert.equal(r.uid, theirs.uid);
    assert.equal(r.gid, theirs.gid);
    writeSync(r.fd, 'parent was here');
    closeSync(r.fd);
    assert.equal(readFileSync(path, 'utf8'), 'parent was here');
  } finally {
    close(a);
  }
});

test('uid/gid are the sender\'s as the kernel reports them (child as another user)', { skip: process.getuid() !== 0 && 'needs root to start a child as uid 65534' }, async () => {
  const [a, b] = pipe();
  const done = child(`import { ioctl, I_SENDFD } from '${streamsForOthers}';
    await ioctl(3, I_SENDFD, 0);`, b, { uid: 65534, gid: 65533 });
  close(b);
  try {
    const r = await within(ioctl(a, I_RECVFD), 10000, 'descriptor from uid 65534');
    closeSync(r.fd);
    assert.deepEqual([r.uid, r.gid], [65534, 65533]);
    assert.equal((await within(done, 10000)).code, 0);
  } finally {
    close(a);
  }
});

test('EAGAIN when non-blocking and nothing is queued; blocking form waits for the fd', async () => {
  const [a, b] = pipe();
  try {
    fcntl(b, F_SETFL, O_NONBLOCK);
    await assert.rejects(ioctl(b, I_RECVFD), { code: 'EAGAIN', syscall: 'ioctl' });
    fcntl(b, F_SETFL, 0);
    const pending = ioctl(b, I_RECVFD);
    setTimeout(() => ioctl(a, I_SENDFD, 0), 20);
    const r = await within(pending, 5000, 'blocked I_RECVFD');
    same(fstatSync(r.fd), fstatSync(0));
    closeSync(r.fd);
  } finally {
    close(a); close(b);
  }
});

for (const data of ['plain data', 'x']) test(`EBADMSG when data (${data.length} bytes) is at the head; it is left for read(2); the fd after it still arrives`, async () => {
  const [a, b] = pipe();
  try {
    writeSync(a, data);
    await ioctl(a, I_SENDFD, 0);
    const before = fdCount();
    await assert.rejects(ioctl(b, I_RECVFD), { code: 'EBADMSG', syscall: 'ioctl' });
    await assert.rejects(ioctl(b, I_RECVFD), { code: 'EBADMSG' }, 'still data at the head: nothing consumed');
    assert.equal(fdCount(), before, 'no descriptor left behind by the peeks');
    const buf = Buffer.alloc(data.length);
    assert.equal(buf.toString('utf8', 0, readSync(b, buf)), data);
    const r = await within(ioctl(b, I_RECVFD));
    same(fstatSync(r.fd), fstatSync(0));
    closeSync(r.fd);
  } finally {
    close(a); close(b);
  }
});

test('ENXIO after hangup, for I_RECVFD (queue empty) and I_SENDFD; queued fds still arrive first', async () => {
  const [a, b] = pipe();
  await ioctl(a, I_SENDFD, 0);
  close(a);
  const r = await within(ioctl(b, I_RECVFD));
  closeSync(r.fd);
  await assert.rejects(ioctl(b, I_RECVFD), { code: 'ENXIO', syscall: 'ioctl' });
  await assert.rejects(ioctl(b, I_SENDFD, 0), { code: 'ENXIO', syscall: 'ioctl' });
  close(b);
  const [c, d] = pipe();
  const waiting = ioctl(d, I_RECVFD);
  setTimeout(() => close(c), 20);
  await assert.rejects(within(waiting), { code: 'ENXIO' }, 'a waiting I_RECVFD learns of the hangup');
  close(d);
});

test('EBADF for a bad pipe descriptor and for a bad descriptor to send; EINVAL when not a stream pipe', async () => {
  const [a, b] = pipe();
  const file = openSync(join(dir, 'plain'), 'w');
  const tcp = socket('inet', 'stream');
  try {
    await assert.rejects(ioctl(987654, I_RECVFD), { code: 'EBADF', syscall: 'ioctl' });
    await assert.rejects(ioctl(987654, I_SENDFD, 0), { code: 'EBADF', syscall: 'ioctl' });
    await assert.rejects(ioctl(a, I_SENDFD, 987654), { code: 'EBADF', syscall: 'ioctl' });
    await assert.rejects(ioctl(a, I_SENDFD, -1), { code: 'EBADF', syscall: 'ioctl' });
    await assert.rejects(ioctl(file, I_RECVFD), { code: 'EINVAL', syscall: 'ioctl' });
    await assert.rejects(ioctl(tcp.fd, I_SENDFD, 0), { code: 'EINVAL', syscall: 'ioctl' });
    assert.equal(tcp.closed, false, 'a refused descriptor is left open for its owner');
  } finally {
    tcp.close(); closeSync(file); close(a); close(b);
  }
});

test('bad arguments throw at once, naming the argument', () => {
  const [a, b] = pipe();
  try {
    assert.throws(() => ioctl(a, I_SENDFD, 'x'), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"arg"/ });
    assert.throws(() => ioctl(a, I_SENDFD), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"arg"/ });
    assert.throws(() => ioctl('a', I_RECVFD), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"fd"/ });
    assert.throws(() => ioctl(a, 0x1234), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /"cmd"/ });
  } finally {
    close(a); close(b);
  }
});

test('10,000 passes within one process leave the fd count unchanged', async () => {
  const [a, b] = pipe();
  const fd = openSync(join(dir, 'many'), 'w');
  const ino = fstatSync(fd).ino;
  const before = fdCount();
  try {
    const N = 10000;
    const sender = (async () => { for (let i = 0; i < N; i++) await ioctl(a, I_SENDFD, fd); })();
    let got = 0;
    for (let i = 0; i < N; i++) {
      const r = await within(ioctl(b, I_RECVFD), 10000, `pass ${i}`);
      if (i % 1000 === 0) assert.equal(fstatSync(r.fd).ino, ino);
      closeSync(r.fd);
      got++;
    }
    await sender;
    assert.equal(got, N);
    assert.equal(fdCount(), before);
  } finally {
    closeSync(fd); close(a); close(b);
  }
});

test('10,000 passes from a child: fd counts unchanged in both processes', async () => {
  const before = fdCount();
  const [a, b] = pipe();
  const N = 10000;
  const done = child(`import { openSync, closeSync, readdirSync } from 'node:fs';
    import { ioctl, I_SENDFD } from '${streams}';
    const count = () => readdirSync('/proc/self/fd').length;
    const fd = openSync('/dev/null', 'r');
    const before = count();
    for (let i = 0; i < ${N}; i++) await ioctl(3, I_SENDFD, fd);
    const after = count();
    closeSync(fd);
    console.log(JSON.stringify({ before, after }));`, b);
  close(b);
  try {
    const nulFd = openSync('/dev/null', 'r');
    const nul = fstatSync(nulFd);
    closeSync(nulFd);
    for (let i = 0; i < N; i++) {
      const r = await within(ioctl(a, I_RECVFD), 10000, `pass ${i}`);
      if (i === 0 || i === N - 1) same(fstatSync(r.fd), nul);
      closeSync(r.fd);
    }
    const { code, out } = await within(done, 30000, 'child exit');
    assert.equal(code, 0);
    const c = JSON.parse(out);
    assert.equal(c.after, c.before, 'the sender holds no extra descriptor');
  } finally {
    close(a);
  }
  assert.equal(fdCount(), before, 'the receiver holds no extra descriptor');
});
