// STREAMS pipes: pipe() gives two connected, bidirectional, close-on-exec descriptors
// usable by read/write, by child processes and by xsock calls; close/fcntl; bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSync, writeSync, fstatSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { pipe, close, fcntl, F_GETFL, F_SETFL, O_NONBLOCK } from '../dist/streams/index.js';
import { lookup } from '../dist/socket/descriptors.js';
import { native } from '../dist/binding.js';
import { constants as C } from '../dist/index.js';
import { checkFdsAtEnd, within } from './helpers.js';

checkFdsAtEnd();

test('pipe() gives two distinct, connected, close-on-exec unix stream descriptors', () => {
  const [a, b] = pipe();
  try {
    assert.notEqual(a, b);
    for (const fd of [a, b]) {
      assert.ok(fstatSync(fd).isSocket());
      assert.equal(native.getCloexec(fd), 1, `fd ${fd} is close-on-exec`);
      const s = lookup(fd);
      assert.equal(s.domain, C.AF_UNIX);
      assert.equal(s.type, C.SOCK_STREAM);
      assert.equal(s.getsockopt('SOL_SOCKET', 'SO_PASSCRED'), true);
    }
    assert.equal(lookup(a).getpeername().family, 'unix');
  } finally {
    close(a); close(b);
  }
});

test('data flows both ways through read(2)/write(2)', () => {
  const [a, b] = pipe();
  try {
    const buf = Buffer.alloc(64);
    assert.equal(writeSync(a, 'down the pipe'), 13);
    assert.equal(buf.toString('utf8', 0, readSync(b, buf)), 'down the pipe');
    assert.equal(writeSync(b, 'and back'), 8);
    assert.equal(buf.toString('utf8', 0, readSync(a, buf)), 'and back');
  } finally {
    close(a); close(b);
  }
});

test('the Sockets behind the numbers serve every xsock call', async () => {
  const [a, b] = pipe();
  try {
    await lookup(a).send('via send');
    assert.equal((await within(lookup(b).recv(64))).toString(), 'via send');
    lookup(b).shutdown('write');
    assert.equal((await within(lookup(a).recv(64))).length, 0, 'EOF after the peer shut down writing');
  } finally {
    close(a); close(b);
  }
});

test('a child process given an end as fd 3 talks over it', async () => {
  const [a, b] = pipe();
  let child;
  try {
    const code = `const fs = require('fs'); const buf = Buffer.alloc(64);
      let n; for (;;) { try { n = fs.readSync(3, buf); break; } catch (e) { if (e.code !== 'EAGAIN') throw e; require('child_process').spawnSync('sleep', ['0.01']); } }
      fs.writeSync(3, 'child got ' + buf.toString('utf8', 0, n));`;
    child = spawn('timeout', ['10', process.execPath, '-e', code], { stdio: ['ignore', 'inherit', 'inherit', b] });
    const exited = new Promise((r) => child.on('exit', r));
    close(b);
    await lookup(a).send('hello');
    assert.equal((await within(lookup(a).recv(64), 10000, 'child reply')).toString(), 'child got hello');
    assert.equal(await within(exited, 10000, 'child exit'), 0);
    assert.equal((await within(lookup(a).recv(64))).length, 0, 'EOF once the child exits: no other holder');
  } finally {
    close(a);
  }
});

test('close(): closes once, then EBADF; pipe ends hang up for the peer', async () => {
  const [a, b] = pipe();
  close(a);
  assert.equal(lookup(a), undefined);
  assert.throws(() => close(a), { code: 'EBADF', syscall: 'close' });
  assert.equal((await within(lookup(b).recv(8))).length, 0);
  close(b);
});

test('fcntl(F_SETFL, O_NONBLOCK) is kept per descriptor and read back by F_GETFL', () => {
  const [a, b] = pipe();
  try {
    assert.equal(fcntl(a, F_GETFL), 0);
    fcntl(a, F_SETFL, O_NONBLOCK);
    assert.equal(fcntl(a, F_GETFL), O_NONBLOCK);
    assert.equal(fcntl(b, F_GETFL), 0, 'the other end is unaffected');
    fcntl(a, F_SETFL, 0);
    assert.equal(fcntl(a, F_GETFL), 0);
  } finally {
    close(a); close(b);
  }
});

test('bad input: errors name the argument', () => {
  assert.throws(() => close('3'), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"fd"/ });
  assert.throws(() => close(-1), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"fd"/ });
  const [a, b] = pipe();
  try {
    assert.throws(() => fcntl(a, 99), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /"cmd"/ });
    assert.throws(() => fcntl(a, F_SETFL, 'x'), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"arg"/ });
    assert.throws(() => fcntl(1.5, F_GETFL), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"fd"/ });
  } finally {
    close(a); close(b);
  }
  assert.throws(() => fcntl(987654, F_GETFL), { code: 'EBADF', syscall: 'fcntl' });
});
