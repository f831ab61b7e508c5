// Credentials: SCM_CREDENTIALS with SO_PASSCRED (own, explicit, refused), SO_PEERCRED, SO_PEERPIDFD.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { socketpair, socket } from '../dist/index.js';
import { checkFdsAtEnd, fdCount, trackedPairs, readableBuild } from './helpers.js';

checkFdsAtEnd();
const pair = trackedPairs(socketpair);
const own = { pid: process.pid, uid: process.getuid(), gid: process.getgid() };

test('no SO_PASSCRED: no credentials; with it the kernel fills in the sender even unasked', async () => {
  for (const type of ['stream', 'seqpacket', 'dgram']) {
    const p = pair(type);
    await p.a.sendmsg({ data: 'a' });
    assert.equal((await p.b.recvmsg()).credentials, undefined, type);
    p.b.setsockopt('SOL_SOCKET', 'SO_PASSCRED', true);
    await p.a.sendmsg({ data: 'b' });
    assert.deepEqual((await p.b.recvmsg()).credentials, own, type);
    await p.a.sendmsg({ data: 'c', credentials: true });
    assert.deepEqual((await p.b.recvmsg()).credentials, own, type);
  }
});

test('explicit credentials: root may name other ids; a missing pid is ESRCH', async (t) => {
  if (process.getuid() !== 0) return t.skip('needs root');
  const p = pair('seqpacket');
  p.b.setsockopt('SOL_SOCKET', 'SO_PASSCRED', true);
  await p.a.sendmsg({ data: 'x', credentials: { pid: process.pid, uid: 65534, gid: 65534 } });
  assert.deepEqual((await p.b.recvmsg()).credentials, { pid: process.pid, uid: 65534, gid: 65534 });
  const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  let missing = pidMax - 1;
  while (existsSync(`/proc/${missing}`)) missing--;
  await assert.rejects(p.a.sendmsg({ data: 'x', credentials: { pid: missing, uid: 0, gid: 0 } }), { code: 'ESRCH', syscall: 'sendmsg' });
});

test('an unprivileged sender naming another uid gets EPERM', (t) => {
  if (process.getuid() !== 0) return t.skip('needs root to start the unprivileged child');
  const code = `
    import('${readableBuild().url('dist/index.js')}').then(async ({ socketpair }) => {
      const [a, b] = socketpair('unix', 'seqpacket');
      try { a.trySendmsg({ data: 'x', credentials: { pid: process.pid, uid: 0, gid: 0 } }); console.log('sent'); }
      catch (e) { console.log(e.code + ' ' + e.syscall); }
      a.close(); b.close();
    });`;
  const r = spawnSync('timeout', ['20', process.execPath, '--input-type=module', '-e', code], { uid: 65534, gid: 65534, encoding: 'utf8' });
  assert.equal(r.stdout.trim(), 'EPERM sendmsg', r.stderr);
});

test('SO_PEERCRED typed: socketpair gives our own; unconnected and TCP give null', async () => {
  const p = pair('stream');
  assert.deepEqual(p.a.peerCredentials(), own);
  assert.deepEqual(p.a.getsockopt('SOL_SOCKET', 'SO_PEERCRED'), own);
  const u = socket('unix', 'dgram');
  pair.track(u);
  assert.equal(u.peerCredentials(), null);
  const l = socket('inet', 'stream');
  pair.track(l);
  l.bind('127.0.0.1:0');
  l.listen();
  const c = socket('inet', 'stream');
  pair.track(c);
  await c.connect(l.getsockname(), { timeout: 2000 });
  assert.equal(c.peerCredentials(), null);
});

test('SO_PEERPIDFD: an owned pidfd naming the peer process', () => {
  const p = pair('stream');
  const before = fdCount();
  const pidfd = p.a.peerPidfd();
  if (pidfd === null) return; // kernel without SO_PEERPIDFD: nothing to own
  assert.equal(pidfd.length, 1);
  assert.match(readFileSync(`/proc/self/fdinfo/${pidfd[0]}`, 'utf8'), new RegExp(`Pid:\\s*${process.pid}\\b`));
  assert.equal(fdCount(), before + 1);
  pidfd.close();
  assert.equal(fdCount(), before);
});
