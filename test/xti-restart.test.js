// Servers restart: a /dev/tcp listener whose connections closed first (TIME_WAIT, seen in
// /proc/net/tcp) can be bound again at once by a new XTI listener and by a python server
// that sets SO_REUSEADDR — unless the caller turned IP_REUSEADDR off with t_optmgmt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as X from '../dist/xti/index.js';
import { checkFdsAtEnd, within, python } from './helpers.js';

const {
  t_open, t_bind, t_close, t_listen, t_accept, t_snd, t_sndrel, t_rcvrel, t_look, t_alloc, t_optmgmt,
  addressBytes, netbufOf, encodeOptions, decodeOptions, O_RDWR, T_CALL, T_ALL, T_ORDREL, T_OPTMGMT,
  T_NEGOTIATE, T_CURRENT, T_YES, T_NO, INET_IP, IP_REUSEADDR, TADDRBUSY,
} = X;

checkFdsAtEnd();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** TCP sockets in TIME_WAIT (state 06) whose local port is `port`. */
function timeWaits(port) {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)
    .filter((l) => { const f = l.trim().split(/\s+/); return f[1]?.endsWith(`:${hexPort}`) && f[3] === '06'; }).length;
}

function reuseaddr(fd, flags, value = 0) {
  const ret = t_alloc(fd, T_OPTMGMT, T_ALL);
  t_optmgmt(fd, { opt: netbufOf(encodeOptions([{ level: INET_IP, name: IP_REUSEADDR, value }])), flags }, ret);
  return decodeOptions(ret.opt.buf.subarray(0, ret.opt.len))[0].value.readInt32LE(0);
}

/** Serves `n` python clients, closing each connection first (t_sndrel before the peer's). */
async function serveAndCloseFirst(port, n) {
  const fd = t_open('/dev/tcp', O_RDWR);
  try {
    const ret = { addr: { len: 0 }, qlen: 0 };
    t_bind(fd, { addr: netbufOf(addressBytes(`127.0.0.1:${port}`)), qlen: 4 }, ret);
    const bound = ret.addr.buf.readUInt16BE(2);
    assert.equal(reuseaddr(fd, T_CURRENT), T_YES, 'a TCP listener has SO_REUSEADDR');
    const clients = python(`
import socket, sys
for i in range(int(sys.argv[2])):
    c = socket.create_connection(('127.0.0.1', int(sys.argv[1])), 5)
    data = b''
    while True:
        d = c.recv(100)
        if not d: break
        data += d
    c.close()
    print(data.decode(), flush=True)
print('READY', flush=True)
`, [String(bound), String(n)], { seconds: 20 });
    for (let i = 0; i < n; i++) {
      const call = t_alloc(fd, T_CALL, T_ALL);
      await within(Promise.resolve(t_listen(fd, call)), 5000, 't_listen');
      const res = t_open('/dev/tcp', O_RDWR);
      try {
        t_accept(fd, res, call);
        await t_snd(res, Buffer.from(`bye ${i}`), 5, 0);
        t_sndrel(res);
        const end = Date.now() + 5000;
        while (t_look(res) !== T_ORDREL) {
          if (Date.now() > end) throw new Error('no orderly release from the python client');
          await sleep(5);
        }
        t_rcvrel(res);
      } finally {
        t_close(res);
      }
    }
    await clients.ready;
    assert.deepEqual(clients.lines, Array.from({ length: n }, (_, i) => `bye ${i}`));
    return bound;
  } finally {
    t_close(fd);
  }
}

test('a new XTI listener and a python SO_REUSEADDR server bind the port of connections in TIME_WAIT', async () => {
  const port = await serveAndCloseFirst(0, 3);
  assert.ok(timeWaits(port) >= 1, 'the server closed first: its connections wait in TIME_WAIT');

  // The control: a listener that turned IP_REUSEADDR off before t_bind is refused.
  const strict = t_open('/dev/tcp', O_RDWR);
  try {
    assert.equal(reuseaddr(strict, T_NEGOTIATE, T_NO), T_NO);
    assert.throws(() => t_bind(strict, { addr: netbufOf(addressBytes(`127.0.0.1:${port}`)), qlen: 1 }, null), (e) => e.t_errno === TADDRBUSY);
  } finally {
    t_close(strict);
  }

  // The restarted server binds at once, and serves again.
  assert.equal(await serveAndCloseFirst(port, 1), port);
  assert.ok(timeWaits(port) >= 1);

  const peer = python(`
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(1)
print('bound', flush=True); print('READY', flush=True)
`, [String(port)]);
  await peer.ready;
  assert.deepEqual(peer.lines, ['bound']);
});

test('t_optmgmt still turns IP_REUSEADDR off on a bound listener; connectionless and unbound-qlen-0 endpoints are left alone', () => {
  const fd = t_open('/dev/tcp', O_RDWR);
  const client = t_open('/dev/tcp', O_RDWR);
  const udp = t_open('/dev/udp', O_RDWR);
  try {
    t_bind(fd, { addr: netbufOf(addressBytes('127.0.0.1:0')), qlen: 1 }, null);
    assert.equal(reuseaddr(fd, T_CURRENT), T_YES);
    assert.equal(reuseaddr(fd, T_NEGOTIATE, T_NO), T_NO);
    assert.equal(reuseaddr(fd, T_CURRENT), T_NO);
    t_bind(client, null, null);
    assert.equal(reuseaddr(client, T_CURRENT), T_NO, 'qlen 0: no listener, no reuse');
    t_bind(udp, { addr: netbufOf(addressBytes('127.0.0.1:0')), qlen: 5 }, null);
    assert.equal(reuseaddr(udp, T_CURRENT), T_NO, 'udp gets no qlen and no reuse');
  } finally {
    t_close(fd);
    t_close(client);
    t_close(udp);
  }
});
