// XTI on the wire against independent peers (python3 sockets, socat), and the three classic
// examples run as programs against real peers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as X from '../dist/xti/index.js';
import { checkFdsAtEnd, within, python, startPeer, need } from './helpers.js';

const {
  t_open, t_bind, t_alloc, t_connect, t_listen, t_accept, t_snd, t_rcv, t_look, t_sndrel, t_rcvrel, t_snddis,
  t_close, t_sndudata, t_rcvudata, addressBytes, netbufOf, O_RDWR, T_BIND, T_CALL, T_ALL, T_ADDR, T_UNITDATA,
  T_EXPEDITED, T_EXDATA, T_ORDREL, T_DATA,
} = X;

checkFdsAtEnd();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(fd, event, ms = 3000) {
  const end = Date.now() + ms;
  while (t_look(fd) !== event) {
    if (Date.now() > end) throw new Error(`timed out waiting for event ${event}`);
    await sleep(5);
  }
}
function callTo(fd, addr) {
  const c = t_alloc(fd, T_CALL, T_ADDR);
  addr.copy(c.addr.buf);
  c.addr.len = addr.length;
  return c;
}

// A python TCP server: accepts one connection and runs MODE, reporting JSON lines.
const SERVER = `
import socket, sys, json
mode = sys.argv[1]
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 0)); s.listen(1)
print(s.getsockname()[1]); print('READY', flush=True)
c, _ = s.accept()
def say(**k): print(json.dumps(k), flush=True)
if mode == 'echo':
    data = b''
    while True:
        d = c.recv(100)
        if not d: break
        data += d
    c.sendall(data.upper()); c.shutdown(socket.SHUT_WR)
    say(got=data.decode(), eof=True)
elif mode == 'oob':
    import select
    select.select([], [], [c], 5)
    say(oob=c.recv(1, socket.MSG_OOB).decode())
    c.send(b'normal'); c.send(b'!', socket.MSG_OOB)
    c.recv(1)
elif mode == 'reset':
    try:
        while c.recv(100): pass
        say(result='eof')
    except ConnectionResetError:
        say(result='ECONNRESET')
`;

async function portOf(peer) {
  await peer.ready;
  return Number(peer.lines.shift());
}

test('XTI /dev/tcp client (blocking) against a python server: data, orderly release seen as EOF', async () => {
  const peer = python(SERVER, ['echo']);
  const port = await portOf(peer);
  const fd = t_open('/dev/tcp', O_RDWR);
  try {
    t_bind(fd, null, null);
    await within(t_connect(fd, callTo(fd, addressBytes(`127.0.0.1:${port}`)), null), 3000, 'connect');
    await t_snd(fd, Buffer.from('over the wire'), 13, 0);
    t_sndrel(fd);
    const buf = Buffer.alloc(64);
    let text = '';
    for (;;) {
      try {
        const n = await within(t_rcv(fd, buf, 64, { flags: 0 }), 3000, 't_rcv');
        text += buf.toString('utf8', 0, n);
      } catch (e) {
        assert.equal(e.t_errno, X.TLOOK);
        assert.equal(t_look(fd), T_ORDREL);
        t_rcvrel(fd);
        break;
      }
    }
    assert.equal(text, 'OVER THE WIRE');
    await within(peer.exited, 5000, 'python exit');
    assert.deepEqual(JSON.parse(peer.lines[0]), { got: 'over the wire', eof: true });
    assert.equal(t_getstateSafe(fd), X.T_IDLE);
  } finally {
    t_close(fd);
  }
});

function t_getstateSafe(fd) { return X.t_getstate(fd); }

test('python client against an XTI /dev/tcp listener (t_listen + t_accept on a second endpoint)', async () => {
  const lfd = t_open('/dev/tcp', O_RDWR);
  const rfd = t_open('/dev/tcp', O_RDWR);
  try {
    const ret = t_alloc(lfd, T_BIND, T_ALL);
    t_bind(lfd, { addr: netbufOf(addressBytes('127.0.0.1:0')), qlen: 1 }, ret);
    const port = ret.addr.buf.readUInt16BE(2);
    const peer = python(`
import socket, sys
c = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
c.sendall(b'ping'); c.shutdown(socket.SHUT_WR)
print(c.recv(100).decode(), flush=True)
`, [String(port)], { ready: false });
    const call = t_alloc(lfd, T_CALL, T_ALL);
    await within(t_listen(lfd, call), 3000, 't_listen');
    assert.equal(call.addr.len, 16);
    assert.equal(call.addr.buf.readUInt32BE(4), 0x7f000001, 'the caller is on loopback');
    t_accept(lfd, rfd, call);
    const buf = Buffer.alloc(16);
    const n = await within(t_rcv(rfd, buf, 16, { flags: 0 }), 3000, 't_rcv');
    assert.equal(buf.toString('utf8', 0, n), 'ping');
    await t_snd(rfd, Buffer.from('pong'), 4, 0);
    t_sndrel(rfd);
    await within(peer.exited, 5000, 'python exit');
    assert.deepEqual(peer.lines, ['pong']);
  } finally {
    t_close(rfd);
    t_close(lfd);
  }
});

test('expedited data is TCP urgent data, both ways, with a python MSG_OOB peer', async () => {
  const peer = python(SERVER, ['oob']);
  const port = await portOf(peer);
  const fd = t_open('/dev/tcp', O_RDWR);
  try {
    t_bind(fd, null, null);
    await within(t_connect(fd, callTo(fd, addressBytes(`127.0.0.1:${port}`)), null), 3000, 'connect');
    await t_snd(fd, Buffer.from('U'), 1, T_EXPEDITED);
    await within((async () => { while (peer.lines.length === 0) await sleep(5); })(), 5000, 'python OOB');
    assert.deepEqual(JSON.parse(peer.lines[0]), { oob: 'U' });
    await until(fd, T_EXDATA);
    const buf = Buffer.alloc(16);
    const fl = { flags: 0 };
    let n = await t_rcv(fd, buf, 16, fl);
    assert.equal(fl.flags, T_EXPEDITED);
    assert.equal(buf.toString('utf8', 0, n), '!');
    n = await t_rcv(fd, buf, 16, fl);
    assert.equal(fl.flags, 0);
    assert.equal(buf.toString('utf8', 0, n), 'normal');
    await t_snd(fd, Buffer.from('x'), 1, 0);
  } finally {
    t_close(fd);
  }
});

test('t_snddis is seen as ECONNRESET by a python peer', async () => {
  const peer = python(SERVER, ['reset']);
  const port = await portOf(peer);
  const fd = t_open('/dev/tcp', O_RDWR);
  try {
    t_bind(fd, null, null);
    await within(t_connect(fd, callTo(fd, addressBytes(`127.0.0.1:${port}`)), null), 3000, 'connect');
    await t_snd(fd, Buffer.from('bye'), 3, 0);
    t_snddis(fd, null);
    assert.equal(X.t_getstate(fd), X.T_IDLE);
    await within(peer.exited, 5000, 'python exit');
    assert.deepEqual(JSON.parse(peer.lines[0]), { result: 'ECONNRESET' });
  } finally {
    t_close(fd);
  }
});

test('/dev/udp against socat: datagrams both ways', { skip: need('socat') }, async () => {
  const fd = t_open('/dev/udp', O_RDWR);
  try {
    const ret = t_alloc(fd, T_BIND, T_ALL);
    t_bind(fd, { addr: netbufOf(addressBytes('127.0.0.1:0')), qlen: 0 }, ret);
    const port = ret.addr.buf.readUInt16BE(2);
    // socat sends stdin as one datagram to us and prints what comes back.
    const peer = startPeer('socat', ['-t', '2', '-', `UDP4-SENDTO:127.0.0.1:${port}`], { ready: false, seconds: 10, input: 'from socat' });
    const ud = t_alloc(fd, T_UNITDATA, T_ALL);
    await within(t_rcvudata(fd, ud, { flags: 0 }), 3000, 't_rcvudata');
    assert.equal(ud.udata.buf.toString('utf8', 0, ud.udata.len), 'from socat');
    assert.equal(ud.addr.len, 16);
    const reply = t_alloc(fd, T_UNITDATA, T_ADDR);
    ud.addr.buf.copy(reply.addr.buf, 0, 0, ud.addr.len);
    reply.addr.len = ud.addr.len;
    reply.udata = netbufOf('to socat\n');
    await t_sndudata(fd, reply);
    await within(peer.exited, 8000, 'socat exit');
    assert.deepEqual(peer.lines, ['to socat']);
  } finally {
    t_close(fd);
  }
});

const examples = fileURLToPath(new URL('../examples/', import.meta.url));
function example(name, args) {
  return startPeer(process.execPath, [`${examples}${name}`, ...args], { ready: false, seconds: 15 });
}
async function firstLine(peer, what) {
  await within((async () => { while (peer.lines.length === 0) await sleep(5); })(), 8000, what);
  return peer.lines[0];
}

test('example: connectionless SIGPOLL receiver drains until TNODATA', async () => {
  const ex = example('xti-sigpoll-receiver.mjs', ['/dev/udp', '127.0.0.1:0', '3']);
  const ready = await firstLine(ex, 'receiver READY');
  const port = Number(ready.split(':').pop());
  const peer = python(`
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for m in (b'one', b'two', b'three'): s.sendto(m, ('127.0.0.1', int(sys.argv[1])))
`, [String(port)], { ready: false });
  await within(peer.exited, 5000, 'sender');
  assert.equal(await within(ex.exited, 8000, 'receiver exit'), 0, ex.stderr());
  const got = ex.lines.slice(1).map((l) => JSON.parse(l));
  assert.deepEqual(got.map((g) => g.data), ['one', 'two', 'three']);
  assert.ok(got.every((g) => /^127\.0\.0\.1:\d+$/.test(g.from)));
});

test('example: asynchronous connect (t_connect TNODATA, then t_rcvconnect) against python', async () => {
  const peer = python(SERVER, ['echo']);
  const port = await portOf(peer);
  const ex = example('xti-async-connect.mjs', [`127.0.0.1:${port}`, 'async hello']);
  assert.equal(await within(ex.exited, 8000, 'connect example'), 0, ex.stderr());
  assert.deepEqual(ex.lines, ['CONNECTED', 'REPLY ASYNC HELLO']);
  await within(peer.exited, 5000, 'python');
});

test('example: asynchronous listen + t_accept on a second endpoint, python client', async () => {
  const ex = example('xti-async-listen.mjs', ['/dev/tcp', '127.0.0.1:0']);
  const port = Number((await firstLine(ex, 'listen READY')).split(' ')[1]);
  const peer = python(`
import socket, sys
c = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
c.sendall(b'quiet words'); c.shutdown(socket.SHUT_WR)
data = b''
while True:
    d = c.recv(100)
    if not d: break
    data += d
print(data.decode(), flush=True)
`, [String(port)], { ready: false });
  await within(peer.exited, 8000, 'python client');
  assert.deepEqual(peer.lines, ['QUIET WORDS']);
  assert.equal(await within(ex.exited, 8000, 'listen example'), 0, ex.stderr());
  assert.deepEqual(ex.lines.slice(1), ['ACCEPTED seq=1', 'DONE quiet words']);
});

test('examples interoperate with each other over /dev/ticotsord', async () => {
  const ex = example('xti-async-listen.mjs', ['/dev/ticotsord', `@xti-ex-${process.pid}`]);
  assert.equal(await firstLine(ex, 'listen READY'), `READY xti-ex-${process.pid}`);
  // A /dev/ticotsord client in this process.
  const fd = t_open('/dev/ticotsord', O_RDWR);
  try {
    t_bind(fd, null, null);
    await within(t_connect(fd, callTo(fd, Buffer.from(`xti-ex-${process.pid}`)), null), 3000, 'connect');
    await t_snd(fd, Buffer.from('local'), 5, 0);
    t_sndrel(fd);
    await until(fd, T_DATA, 5000);
    const buf = Buffer.alloc(16);
    const n = await t_rcv(fd, buf, 16, { flags: 0 });
    assert.equal(buf.toString('utf8', 0, n), 'LOCAL');
    await until(fd, T_ORDREL, 5000);
    t_rcvrel(fd);
  } finally {
    t_close(fd);
  }
  assert.equal(await within(ex.exited, 8000, 'listen example'), 0, ex.stderr());
});
