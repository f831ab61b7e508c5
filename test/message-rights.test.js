// Rights (SCM_RIGHTS): descriptors passed, owned, truncated, peeked, reaped — never leaked.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync, readSync, writeFileSync, fstatSync, statSync, readFileSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { socketpair, socket, constants as C, MAX_FDS_PER_MESSAGE } from '../dist/index.js';
import { checkFdsAtEnd, fdCount, tempDir, within } from './helpers.js';

checkFdsAtEnd();
const dir = tempDir();

const open = [];
const openFds = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const fd of openFds.splice(0)) closeSync(fd);
});
function pair(type) {
  const [a, b] = socketpair('unix', type);
  open.push(a, b);
  return { a, b };
}
/** n files with distinct contents, opened read-only; closed after the test. */
function files(n, tag = 'f') {
  const fds = [];
  for (let i = 0; i < n; i++) {
    const path = `${dir}/${tag}${i}`;
    writeFileSync(path, `content-${tag}-${i}`);
    fds.push(openSync(path, 'r'));
  }
  openFds.push(...fds);
  return fds;
}
function contentOf(fd) {
  const b = Buffer.alloc(64);
  return b.subarray(0, readSync(fd, b, 0, 64, 0)).toString();
}
function isCloexec(fd) {
  const flags = /flags:\s*(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))[1];
  return (parseInt(flags, 8) & 0o2000000) !== 0;
}
const HDR = C.SIZEOF_CMSGHDR;

test('1 and 4 fds arrive on stream, seqpacket and dgram: right files, close-on-exec, owned', async () => {
  for (const type of ['stream', 'seqpacket', 'dgram']) {
    for (const n of [1, 4]) {
      const p = pair(type);
      const fds = files(n, `${type}${n}-`);
      assert.equal(await p.a.sendmsg({ data: 'x', fds }), 1);
      const m = await within(p.b.recvmsg({ fds: 8 }), 2000, 'recvmsg');
      assert.equal(m.fds.length, n, `${type}: ${n} fds`);
      assert.equal(m.flags & C.MSG_CTRUNC, 0);
      for (let i = 0; i < n; i++) {
        assert.notEqual(m.fds[i], fds[i], 'a new descriptor number');
        assert.equal(contentOf(m.fds[i]), `content-${type}${n}--${i}`);
        assert.ok(isCloexec(m.fds[i]), 'received fds are close-on-exec');
      }
      assert.equal(m.fds.owned, true);
      const before = fdCount();
      m.fds.close();
      assert.equal(fdCount(), before - n, 'close() released every fd');
      m.fds.close();
      assert.equal(m.fds.take().length, 0, 'nothing left to take after close');
    }
  }
});

test('take() hands descriptors over: the library no longer closes them', async () => {
  const p = pair('seqpacket');
  const [f] = files(1, 'take');
  await p.a.sendmsg({ data: 'x', fds: [f] });
  const m = await p.b.recvmsg({ fds: 8 });
  const [fd] = m.fds.take();
  assert.equal(m.fds.owned, false);
  m.fds.close();
  assert.equal(contentOf(fd), 'content-take-0', 'still open after close() of a taken list');
  closeSync(fd);
});

test('dgram and seqpacket carry fds with zero data bytes', async () => {
  for (const type of ['seqpacket', 'dgram']) {
    const p = pair(type);
    const [f] = files(1, `zero${type}`);
    assert.equal(await p.a.sendmsg({ data: Buffer.alloc(0), fds: [f] }), 0);
    const m = await p.b.recvmsg({ fds: 8 });
    assert.equal(m.bytes, 0);
    assert.equal(m.eof, false, 'a message with fds is never EOF');
    assert.equal(contentOf(m.fds[0]), `content-zero${type}-0`);
    m.fds.close();
  }
});

test('refused: fds on TCP/UDP, zero data with fds on a stream, more than 253 fds', () => {
  const [f] = files(1, 'refuse');
  const tcp = socket('inet', 'stream');
  const udp = socket('inet', 'dgram');
  open.push(tcp, udp);
  assert.throws(() => tcp.trySendmsg({ data: 'x', fds: [f] }), { code: 'ERR_XSOCK_WRONG_SOCKET_TYPE', message: /unix/ });
  assert.throws(() => udp.trySendmsg({ data: 'x', fds: [f], to: '127.0.0.1:9' }), { code: 'ERR_XSOCK_WRONG_SOCKET_TYPE' });
  assert.throws(() => udp.trySendmsg({ data: 'x', credentials: true, to: '127.0.0.1:9' }), { code: 'ERR_XSOCK_WRONG_SOCKET_TYPE' });
  const p = pair('stream');
  assert.throws(() => p.a.trySendmsg({ data: '', fds: [f] }), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /"data".*at least one byte/ });
  assert.throws(() => p.a.trySendmsg({ data: [], fds: [f] }), { code: 'ERR_XSOCK_INVALID_ARG_VALUE' });
  const many = new Array(MAX_FDS_PER_MESSAGE + 1).fill(f);
  assert.equal(MAX_FDS_PER_MESSAGE, 253);
  assert.throws(() => p.a.trySendmsg({ data: 'x', fds: many }), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /253/ });
});

test('253 fds in one message arrive; a bad fd gives EBADF', async () => {
  const p = pair('seqpacket');
  const [f] = files(1, 'max');
  await p.a.sendmsg({ data: 'x', fds: new Array(253).fill(f) });
  const m = await p.b.recvmsg({ fds: 253 });
  assert.equal(m.fds.length, 253);
  assert.equal(m.flags & C.MSG_CTRUNC, 0);
  assert.equal(new Set(m.fds).size, 253, 'each a distinct descriptor');
  assert.equal(contentOf(m.fds[252]), 'content-max-0');
  m.fds.close();
  const bad = openSync('/dev/null', 'r');
  closeSync(bad);
  await assert.rejects(p.a.sendmsg({ data: 'x', fds: [bad] }), { code: 'EBADF', syscall: 'sendmsg' });
});

test('control buffer too small, at every edge: installed fds returned, CTRUNC set, none leaked', async () => {
  for (const type of ['seqpacket', 'dgram']) {
    const p = pair(type);
    const fds = files(4, `edge${type}`);
    const full = HDR + 16;
    for (let cs = 0; cs <= full + C.CMSG_ALIGN_UNIT; cs++) {
      await p.a.sendmsg({ data: 'x', fds });
      const before = fdCount();
      const m = await p.b.recvmsg({ controlSize: cs });
      const expect = cs < HDR ? 0 : Math.min(4, Math.floor((cs - HDR) / 4));
      assert.equal(m.fds.length, expect, `${type} controlSize ${cs}: installed fds returned`);
      assert.equal(fdCount(), before + expect, `controlSize ${cs}: exactly the returned fds are open`);
      assert.equal(Boolean(m.flags & C.MSG_CTRUNC), expect < 4, `controlSize ${cs}: MSG_CTRUNC`);
      m.fds.forEach((fd, i) => assert.equal(contentOf(fd), `content-edge${type}-${i}`));
      m.fds.close();
      assert.equal(fdCount(), before, `controlSize ${cs}: no fd leaked`);
    }
  }
});

test('a plain recv of a message with fds: the kernel closes them, nothing leaks', async () => {
  const p = pair('seqpacket');
  const fds = files(3, 'plain');
  const before = fdCount();
  await p.a.sendmsg({ data: 'xyz', fds });
  assert.equal((await p.b.recv(10)).toString(), 'xyz');
  assert.equal(fdCount(), before);
});

test('credentials and rights in one message', async () => {
  const p = pair('seqpacket');
  p.b.setsockopt('SOL_SOCKET', 'SO_PASSCRED', true);
  const fds = files(2, 'credrights');
  await p.a.sendmsg({ data: 'both', fds, credentials: true });
  const m = await p.b.recvmsg({ fds: 8 });
  assert.deepEqual(m.credentials, { pid: process.pid, uid: process.getuid(), gid: process.getgid() });
  assert.equal(m.fds.length, 2);
  assert.equal(contentOf(m.fds[1]), 'content-credrights-1');
  m.fds.close();
});

test('peeked fds are closed at once (seen as -1), kept when asked; the real read gets its own', async () => {
  const p = pair('seqpacket');
  const fds = files(2, 'peek');
  await p.a.sendmsg({ data: 'pk', fds });
  const before = fdCount();
  const peek = p.b.tryRecvmsg({ flags: C.MSG_PEEK, fds: 2 });
  assert.deepEqual([...peek.fds], [-1, -1], 'count visible, duplicates closed');
  assert.equal(fdCount(), before, 'peek leaked nothing');
  const kept = p.b.tryRecvmsg({ flags: C.MSG_PEEK, keepPeeked: true, fds: 2 });
  assert.equal(kept.fds.length, 2);
  assert.equal(fdCount(), before + 2);
  assert.equal(contentOf(kept.fds[0]), 'content-peek-0');
  kept.fds.close();
  const m = p.b.tryRecvmsg({ fds: 2 });
  assert.equal(m.data.toString(), 'pk');
  assert.equal(contentOf(m.fds[1]), 'content-peek-1');
  m.fds.close();
  assert.equal(fdCount(), before);
});

test('a message dropped unread gives its fds back when garbage-collected', async () => {
  assert.ok(global.gc, 'run with --expose-gc');
  const p = pair('seqpacket');
  const fds = files(5, 'gc');
  const before = fdCount();
  await p.a.sendmsg({ data: 'g', fds });
  await (async () => {
    const m = await p.b.recvmsg({ fds: 5 });
    assert.equal(m.fds.length, 5);
  })();
  assert.equal(fdCount(), before + 5);
  for (let i = 0; i < 20 && fdCount() !== before; i++) {
    global.gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(fdCount(), before, 'the reaper closed them');
});

test('stream: ancillary data is a read barrier ("AA", "BB"+fd, "CC")', async () => {
  const p = pair('stream');
  const [f] = files(1, 'barrier');
  await p.a.sendmsg({ data: 'AA' });
  await p.a.sendmsg({ data: 'BB', fds: [f] });
  await p.a.sendmsg({ data: 'CC' });
  const m1 = await p.b.recvmsg({ size: 100, fds: 8 });
  assert.equal(m1.data.toString(), 'AABB');
  assert.equal(m1.fds.length, 1);
  m1.fds.close();
  const m2 = await p.b.recvmsg({ size: 100, fds: 8 });
  assert.equal(m2.data.toString(), 'CC');
  assert.equal(m2.fds.length, 0);
});

test('two SCM_RIGHTS items in one message arrive merged (python sender)', async () => {
  const path = `${dir}/merge.sock`;
  const r = socket('unix', 'dgram');
  open.push(r);
  r.bind(path);
  const fds = files(3, 'merge');
  const code = `
import socket, struct, array, sys, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
a = os.open(sys.argv[2], os.O_RDONLY); b = os.open(sys.argv[3], os.O_RDONLY); c = os.open(sys.argv[4], os.O_RDONLY)
s.sendmsg([b'm'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [a])), (socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [b, c]))], 0, sys.argv[1])
`;
  const res = spawnSync('timeout', ['10', 'python3', '-c', code, path, `${dir}/merge0`, `${dir}/merge1`, `${dir}/merge2`], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  void fds;
  const m = await within(r.recvmsg({ fds: 8 }), 2000, 'merged message');
  assert.equal(m.fds.length, 3);
  assert.deepEqual(m.fds.map(contentOf), ['content-merge-0', 'content-merge-1', 'content-merge-2']);
  m.fds.close();
});

test('RLIMIT_NOFILE with one free slot, 3 fds sent: 1 installed and returned, MSG_CTRUNC', () => {
  const child = fileURLToPath(new URL('./message-rlimit.child.js', import.meta.url));
  const r = spawnSync('timeout', ['20', process.execPath, child], { encoding: 'utf8' });
  assert.equal(r.status, 0, `child failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  assert.equal(out.emfileBefore, true, 'the limit left exactly one free slot');
  assert.equal(out.installed, 1);
  assert.equal(out.ctrunc, true);
  assert.equal(out.readable, 'rlimit-0', 'the installed fd is the first one sent');
  assert.equal(out.leaked, 0);
});

test('stress: 100,000 fds passed and closed, fd count unchanged', async () => {
  const p = pair('seqpacket');
  const [f] = files(1, 'stress');
  const before = fdCount();
  const sizes = [1, 7, 64, 253];
  let sent = 0;
  let received = 0;
  let k = 0;
  const started = performance.now();
  while (received < 100_000) {
    while (sent < 100_000 && sent - received < 4000) {
      const n = Math.min(sizes[k % sizes.length], 100_000 - sent);
      if (p.a.trySendmsg({ data: 'x', fds: new Array(n).fill(f) }) === null) break;
      sent += n;
      k++;
    }
    const m = sent > received ? await within(p.b.recvmsg({ fds: 253 }), 5000, 'stress recvmsg') : null;
    if (m === null) break;
    assert.equal(m.flags & C.MSG_CTRUNC, 0);
    received += m.fds.length;
    if (received % 3 === 0) for (const fd of m.fds.take()) closeSync(fd);
    else m.fds.close();
  }
  assert.equal(received, 100_000);
  assert.equal(fdCount(), before);
  assert.ok(performance.now() - started < 30_000, 'bounded time');
});

test('fds received are usable for writing (pipe end passed and written through)', async () => {
  const p = pair('dgram');
  const path = `${dir}/w.txt`;
  writeFileSync(path, '');
  const w = openSync(path, 'w');
  await p.a.sendmsg({ data: 'w', fds: [w] });
  closeSync(w);
  const m = await p.b.recvmsg({ fds: 8 });
  const [fd] = m.fds.take();
  writeSync(fd, 'written through the passed fd');
  assert.equal(fstatSync(fd).ino, statSync(path).ino);
  closeSync(fd);
  assert.equal(readFileSync(path, 'utf8'), 'written through the passed fd');
});
