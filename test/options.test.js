// The option table drives setsockopt/getsockopt: round trips generated from the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socket, socketpair, optionTable, constants as C } from '../dist/index.js';
import { checkFdsAtEnd } from './helpers.js';

checkFdsAtEnd();

// Writable int/bool options and a value each accepts without privileges, per level.
const samples = {
  SO_BROADCAST: true, SO_KEEPALIVE: true, SO_OOBINLINE: true, SO_REUSEADDR: true, SO_REUSEPORT: true,
  SO_DONTROUTE: true, SO_PASSCRED: true, SO_RCVLOWAT: 2, SO_PRIORITY: 3, SO_TIMESTAMP: true,
  TCP_NODELAY: true, TCP_CORK: true, TCP_KEEPIDLE: 77, TCP_KEEPINTVL: 9, TCP_KEEPCNT: 4, TCP_SYNCNT: 3,
  TCP_USER_TIMEOUT: 1234, TCP_NOTSENT_LOWAT: 16384, TCP_DEFER_ACCEPT: 0, TCP_LINGER2: 10,
  IP_TOS: 16, IP_TTL: 33, IP_RECVTOS: true, IP_RECVTTL: true, IP_PKTINFO: true, IP_FREEBIND: true,
  IP_MULTICAST_TTL: 5, IP_MULTICAST_LOOP: false, IP_RECVERR: true,
  IPV6_V6ONLY: true, IPV6_UNICAST_HOPS: 44, IPV6_TCLASS: 8, IPV6_RECVPKTINFO: true, IPV6_MULTICAST_HOPS: 6,
};

for (const [name, value] of Object.entries(samples)) {
  const spec = optionTable.get(name);
  if (!spec) continue;
  test(`${name} round-trips through the option table (${spec.kind})`, () => {
    const domain = name.startsWith('IPV6_') ? 'inet6' : name === 'SO_PASSCRED' ? 'unix' : 'inet';
    const type = name.startsWith('TCP_') || name === 'SO_OOBINLINE' || name === 'SO_KEEPALIVE' ? 'stream' : 'dgram';
    const s = socket(domain, type);
    try {
      s.setsockopt(spec.level, name, value);
      assert.deepEqual(s.getsockopt(spec.level, name), value);
      assert.deepEqual(s.getsockopt(null, spec.optname === undefined ? name : name), value);
    } finally {
      s.close();
    }
  });
}

test('buffer sizes are doubled by Linux', () => {
  const s = socket('inet', 'dgram');
  s.setsockopt('SOL_SOCKET', 'SO_RCVBUF', 65536);
  assert.equal(s.getsockopt('SOL_SOCKET', 'SO_RCVBUF'), 131072);
  s.close();
});

test('linger and timeval options', () => {
  const s = socket('inet', 'stream');
  s.setsockopt('SOL_SOCKET', 'SO_LINGER', { onoff: true, linger: 7 });
  assert.deepEqual(s.getsockopt('SOL_SOCKET', 'SO_LINGER'), { onoff: true, linger: 7 });
  s.setsockopt('SOL_SOCKET', 'SO_RCVTIMEO', 1500);
  assert.equal(s.getsockopt('SOL_SOCKET', 'SO_RCVTIMEO'), 1500);
  s.close();
});

test('read-only facts: SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR, SO_ACCEPTCONN', () => {
  const s = socket('inet', 'stream');
  assert.equal(s.getsockopt('SOL_SOCKET', 'SO_TYPE'), C.SOCK_STREAM);
  assert.equal(s.getsockopt('SOL_SOCKET', 'SO_DOMAIN'), C.AF_INET);
  assert.equal(s.getsockopt('SOL_SOCKET', 'SO_PROTOCOL'), C.IPPROTO_TCP);
  assert.equal(s.getsockopt('SOL_SOCKET', 'SO_ERROR'), 0);
  assert.equal(s.getsockopt('SOL_SOCKET', 'SO_ACCEPTCONN'), false);
  assert.throws(() => s.setsockopt('SOL_SOCKET', 'SO_TYPE', 1), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /read-only/ });
  s.close();
});

test('SO_PEERCRED: own credentials on a socketpair, null on TCP', async () => {
  const [a, b] = socketpair('unix', 'stream');
  assert.deepEqual(a.getsockopt('SOL_SOCKET', 'SO_PEERCRED'), { pid: process.pid, uid: process.getuid(), gid: process.getgid() });
  a.close(); b.close();
  const t = socket('inet', 'stream');
  assert.equal(t.getsockopt('SOL_SOCKET', 'SO_PEERCRED'), null);
  t.close();
});

test('raw access by number: int and Buffer values, Buffer results with a length', () => {
  const s = socket('inet', 'stream');
  s.setsockopt(C.IPPROTO_TCP, C.TCP_NODELAY, 1);
  const raw = s.getsockopt(C.IPPROTO_TCP, C.TCP_NODELAY, 4);
  assert.ok(Buffer.isBuffer(raw));
  assert.equal(raw.readInt32LE(0), 1);
  const v = Buffer.alloc(4);
  v.writeInt32LE(0);
  s.setsockopt(C.SOL_SOCKET, C.SO_KEEPALIVE, v);
  assert.equal(s.getsockopt('SOL_SOCKET', 'SO_KEEPALIVE'), false);
  assert.equal(s.getsockopt('IPPROTO_TCP', 'TCP_CONGESTION').length > 0, true);
  const info = s.getsockopt('IPPROTO_TCP', 'TCP_INFO');
  assert.ok(Buffer.isBuffer(info) && info.length >= 100);
  s.close();
});

test('bad options: unknown names, mismatched level, wrong value types, kernel ENOPROTOOPT', () => {
  const s = socket('inet', 'stream');
  assert.throws(() => s.setsockopt('SOL_SOCKET', 'SO_NOPE', 1), { code: 'ERR_XSOCK_UNKNOWN_OPTION', message: /SO_NOPE/ });
  assert.throws(() => s.setsockopt('IPPROTO_TCP', 'SO_REUSEADDR', 1), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /level/ });
  assert.throws(() => s.setsockopt('SOL_SOCKET', 'SO_REUSEADDR', 'yes'), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /value/ });
  assert.throws(() => s.setsockopt('SOL_SOCKET', 'SO_LINGER', 5), { code: 'ERR_XSOCK_INVALID_ARG_TYPE' });
  assert.throws(() => s.setsockopt('NOT_A_LEVEL', 1, 1), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /level/ });
  assert.throws(() => s.getsockopt(C.SOL_SOCKET, 9999), { code: 'ENOPROTOOPT', syscall: 'getsockopt' });
  s.close();
});
