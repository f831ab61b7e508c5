// tirdwr: I_PUSH 'tirdwr' on a connected XTI endpoint makes plain read(2)/write(2) work
// (blocking as in C), EOF at the orderly release, an error at a disconnect; I_POP restores
// XTI use; t_* calls are refused while it is pushed. Peers are python3 servers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  t_open, t_bind, t_alloc, t_connect, t_snd, t_rcv, t_look, t_close, t_getstate, fcntl, addressBytes,
  O_RDWR, O_NONBLOCK, F_SETFL, T_CALL, T_ADDR, T_DATAXFER, TPROTO, TError,
} from '../dist/xti/index.js';
import { ioctl, I_PUSH, I_POP, I_LOOK, pipe, close } from '../dist/streams/index.js';
import { socketOwning } from '../dist/socket/index.js';
import { checkFdsAtEnd, within, python, need } from './helpers.js';

checkFdsAtEnd();
const example = fileURLToPath(new URL('../examples/xti-tirdwr.mjs', import.meta.url));

// One connection; the mode says what the server does after reading a line's worth.
const SERVER = `
import socket, struct, sys, time
mode = sys.argv[1]
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)
print(l.getsockname()[1]); print('READY')
c, _ = l.accept()
if mode == 'echo':
    d = c.recv(100); c.sendall(d.upper())
    d = c.recv(100); c.sendall(d.upper())
    time.sleep(0.1); c.sendall(b'later')
    d = c.recv(100); c.sendall(d.upper())
    c.shutdown(socket.SHUT_WR); c.recv(10)
elif mode == 'reset':
    d = c.recv(100)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
c.close()
`;

async function connected(mode) {
  const peer = python(SERVER, [mode]);
  await peer.ready;
  const fd = t_open('/dev/tcp', O_RDWR, null);
  t_bind(fd, null, null);
  const call = t_alloc(fd, T_CALL, T_ADDR);
  const addr = addressBytes(`127.0.0.1:${peer.lines[0]}`);
  addr.copy(call.addr.buf);
  call.addr.len = addr.length;
  await within(t_connect(fd, call, null), 5000, 't_connect');
  return { fd, peer };
}

/** The file's O_NONBLOCK, as the kernel reports it. */
function fileNonblocking(fd) {
  const flags = /flags:\s+([0-7]+)/.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))[1];
  return (parseInt(flags, 8) & 0o4000) !== 0;
}

test('the example pops timod, pushes tirdwr and reads with read(2) until EOF (python3 peer)', async () => {
  need('python3');
  const peer = python(`
import socket
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)
print(l.getsockname()[1]); print('READY')
c, _ = l.accept(); d = c.recv(100); c.sendall(d.upper()); c.sendall(b' and more'); c.shutdown(socket.SHUT_WR); c.recv(10); c.close()
`);
  await peer.ready;
  const c = spawn('timeout', ['15', process.execPath, example, `127.0.0.1:${peer.lines[0]}`, 'plain read'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  c.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  c.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  const code = await within(new Promise((r) => c.on('close', r)), 15000, 'the example');
  assert.equal(code, 0, err);
  assert.equal(out, 'MODULE tirdwr\nREAD PLAIN READ and more\nEOF\n');
  assert.equal(await within(peer.exited, 5000, 'the peer'), 0);
});

test('pushed: read/write work (sync and fs.read with a callback), t_* refused, I_POP restores XTI', async () => {
  need('python3');
  const { fd, peer } = await connected('echo');
  try {
    assert.equal(ioctl(fd, I_LOOK), 'timod');
    assert.equal(fileNonblocking(fd), true);
    assert.equal(ioctl(fd, I_PUSH, 'tirdwr'), 0);
    assert.equal(ioctl(fd, I_LOOK), 'tirdwr');
    assert.equal(fileNonblocking(fd), false, 'read(2) blocks as in C');
    assert.throws(() => t_snd(fd, Buffer.from('x'), 1, 0), (e) => e instanceof TError && e.t_errno === TPROTO);
    assert.equal(t_getstate(fd), T_DATAXFER);
    assert.equal(t_look(fd), 0, "t_look answers at once: xsock's own receives never block");

    fs.writeSync(fd, 'one');
    const buf = Buffer.alloc(16);
    assert.equal(buf.toString('utf8', 0, fs.readSync(fd, buf, 0, 16, null)), 'ONE');
    // fs.read with a callback waits in the threadpool while the loop runs on.
    fs.writeSync(fd, 'two');
    const n = await within(new Promise((res, rej) => fs.read(fd, buf, 0, 16, null, (e, k) => (e ? rej(e) : res(k)))), 5000, 'fs.read');
    assert.equal(buf.toString('utf8', 0, n), 'TWO');
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 10);
    const m = await within(new Promise((res, rej) => fs.read(fd, buf, 0, 16, null, (e, k) => (e ? rej(e) : res(k)))), 5000, 'fs.read later');
    clearInterval(timer);
    assert.equal(buf.toString('utf8', 0, m), 'later');
    assert.ok(ticks >= 3, `the event loop ran while fs.read waited (${ticks} ticks)`);

    assert.equal(ioctl(fd, I_POP, 0), 0);
    assert.equal(ioctl(fd, I_LOOK), 'timod');
    assert.equal(fileNonblocking(fd), true, 'O_NONBLOCK is back');
    assert.equal(await within(Promise.resolve(t_snd(fd, Buffer.from('xti'), 3, 0)), 5000, 't_snd'), 3);
    const r = Buffer.alloc(8);
    const k = await within(Promise.resolve(t_rcv(fd, r, 8, { flags: 0 })), 5000, 't_rcv');
    assert.equal(r.toString('utf8', 0, k), 'XTI');
  } finally {
    t_close(fd);
  }
  await within(peer.exited, 5000, 'the peer');
});

test('pushed: read(2) returns 0 at the orderly release', async () => {
  need('python3');
  const { fd, peer } = await connected('echo');
  try {
    ioctl(fd, I_PUSH, 'tirdwr');
    const buf = Buffer.alloc(64);
    for (const w of ['a', 'b']) {
      fs.writeSync(fd, w);
      assert.equal(buf.toString('utf8', 0, fs.readSync(fd, buf, 0, 64, null)), w.toUpperCase());
    }
    assert.equal(buf.toString('utf8', 0, fs.readSync(fd, buf, 0, 64, null)), 'later');
    fs.writeSync(fd, 'c');
    let text = '';
    for (let n; (n = fs.readSync(fd, buf, 0, 64, null)) > 0;) text += buf.toString('utf8', 0, n);
    assert.equal(text, 'C');
  } finally {
    t_close(fd);
  }
  await within(peer.exited, 5000, 'the peer');
});

test('pushed: read(2) fails ECONNRESET at a disconnect', async () => {
  need('python3');
  const { fd, peer } = await connected('reset');
  try {
    ioctl(fd, I_PUSH, 'tirdwr');
    // The file is blocking now; xsock's own receives on it must still not block the loop.
    // The endpoint's own Socket (the one owner of the number).
    const s = socketOwning(fd);
    assert.ok(s, 'the endpoint has a live Socket');
    assert.equal(s.tryRecvInto(Buffer.alloc(4)), null, 'recv(2): EAGAIN, not a blocked loop');
    await assert.rejects(s.recvmsg({}, { timeout: 30 }), { code: 'ERR_XSOCK_TIMEOUT' });
    await assert.rejects(s.recvfrom(4, 0, { timeout: 30 }), { code: 'ERR_XSOCK_TIMEOUT' });
    fs.writeSync(fd, 'bye');
    assert.throws(() => fs.readSync(fd, Buffer.alloc(8), 0, 8, null), { code: 'ECONNRESET' });
  } finally {
    t_close(fd);
  }
  await within(peer.exited, 5000, 'the peer');
});

test('a non-blocking endpoint keeps O_NONBLOCK under tirdwr; fcntl follows it', async () => {
  need('python3');
  const { fd, peer } = await connected('reset');
  try {
    fcntl(fd, F_SETFL, O_NONBLOCK);
    ioctl(fd, I_PUSH, 'tirdwr');
    assert.equal(fileNonblocking(fd), true);
    assert.throws(() => fs.readSync(fd, Buffer.alloc(8), 0, 8, null), { code: 'EAGAIN' });
    fcntl(fd, F_SETFL, 0);
    assert.equal(fileNonblocking(fd), false);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    assert.equal(fileNonblocking(fd), true);
  } finally {
    t_close(fd);
  }
  await within(peer.exited, 5000, 'the peer');
});

test('I_PUSH/I_POP/I_LOOK refuse what STREAMS would', () => {
  const fd = t_open('/dev/tcp', O_RDWR, null);
  const [p0, p1] = pipe();
  try {
    t_bind(fd, null, null);
    assert.throws(() => ioctl(fd, I_PUSH, 'tirdwr'), { code: 'EPROTO', syscall: 'ioctl' }, 'not connected');
    assert.throws(() => ioctl(fd, I_PUSH, 'ldterm'), { code: 'EINVAL' });
    assert.throws(() => ioctl(fd, I_PUSH, 7), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"arg"/ });
    assert.throws(() => ioctl(p0, I_PUSH, 'tirdwr'), { code: 'EINVAL' }, 'not an XTI endpoint');
    assert.equal(ioctl(fd, I_POP, 0), 0);
    assert.throws(() => ioctl(fd, I_LOOK), { code: 'EINVAL' }, 'no module left');
    assert.throws(() => ioctl(fd, I_POP, 0), { code: 'EINVAL' });
    assert.throws(() => t_bind(fd, null, null), (e) => e instanceof TError && e.t_errno === TPROTO);
    assert.equal(ioctl(fd, I_PUSH, 'timod'), 0);
    assert.equal(ioctl(fd, I_LOOK), 'timod');
  } finally {
    t_close(fd);
    close(p0);
    close(p1);
  }
});
