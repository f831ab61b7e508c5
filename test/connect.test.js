// Rendezvous: bind, listen, accept, connect over unix paths, abstract names and loopback
// TCP/UDP v4/v6; naming calls; the errors the kernel reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { socket, constants as C } from '../dist/index.js';
import { checkFdsAtEnd, tempDir, abstractName, within } from './helpers.js';

checkFdsAtEnd();
const dir = tempDir();
let n = 0;
const path = (tag) => join(dir, `${tag}${n++}`);

const places = [
  ['unix path', 'unix', () => ({ family: 'unix', path: path('s') })],
  ['unix abstract', 'unix', () => ({ family: 'unix', abstract: abstractName() })],
  ['inet', 'inet', () => ({ family: 'inet', address: '127.0.0.1', port: 0 })],
  ['inet6', 'inet6', () => ({ family: 'inet6', address: '::1', port: 0 })],
];

for (const [label, domain, addr] of places) {
  for (const type of ['stream', 'seqpacket']) {
    if (domain !== 'unix' && type === 'seqpacket') continue;
    test(`${label} ${type}: listen, connect, accept, names, data`, async () => {
      const server = socket(domain, type);
      const client = socket(domain, type);
      try {
        server.bind(addr());
        server.listen(4);
        const where = server.getsockname();
        assert.equal(where.family, domain);
        if (domain !== 'unix') assert.ok(where.port > 0, 'kernel chose a port');
        const acc = server.accept();
        await within(client.connect(where));
        const conn = await within(acc);
        try {
          assert.deepEqual(client.getpeername(), where);
          assert.deepEqual(conn.getsockname(), where);
          if (domain !== 'unix') assert.deepEqual(conn.getpeername(), client.getsockname());
          assert.deepEqual(conn.remoteAddress, conn.getpeername());
          await client.send('hi');
          assert.equal((await within(conn.recv(10))).toString(), 'hi');
          await conn.send('yo');
          assert.equal((await within(client.recv(10))).toString(), 'yo');
          client.close();
          assert.equal((await within(conn.recv(10))).length, 0, 'EOF after the peer closes');
        } finally {
          conn.close();
        }
      } finally {
        server.close(); client.close();
      }
    });
  }
  test(`${label} dgram: sendto/recvfrom with the sender's address`, async () => {
    const a = socket(domain, 'dgram');
    const b = socket(domain, 'dgram');
    try {
      a.bind(addr());
      b.bind(addr());
      await b.sendto('to a', a.getsockname());
      const { data, from } = await within(a.recvfrom(100));
      assert.equal(data.toString(), 'to a');
      assert.deepEqual(from, b.getsockname());
      await a.sendto('back', from);
      assert.equal((await within(b.recv(100))).toString(), 'back');
    } finally {
      a.close(); b.close();
    }
  });
}

test('abstract names are exact-length: a padded name is a different socket', async () => {
  const name = abstractName('exact');
  const s = socket('unix', 'dgram');
  const c = socket('unix', 'dgram');
  try {
    s.bind({ family: 'unix', abstract: name });
    assert.deepEqual(s.getsockname(), { family: 'unix', abstract: name });
    const padded = Buffer.alloc(107);
    padded.write(name);
    await assert.rejects(c.sendto('x', { family: 'unix', abstract: padded }), { code: 'ECONNREFUSED' });
    await c.sendto('x', `@${name}`);
    assert.equal((await within(s.recv(10))).toString(), 'x');
  } finally {
    s.close(); c.close();
  }
});

test('unnamed unix socket: autobind gives NUL + 5 hex; unbound client address is empty', async () => {
  const s = socket('unix', 'dgram');
  const c = socket('unix', 'stream');
  try {
    assert.deepEqual(c.getsockname(), { family: 'unix' });
    s.bind({ family: 'unix' });
    const name = s.getsockname();
    assert.match(name.abstract, /^[0-9a-f]{5}$/);
  } finally {
    s.close(); c.close();
  }
});

test('a 108-byte path binds and reads back exactly (decoded by addrlen)', () => {
  const base = `${dir}/`;
  const p = base + 'p'.repeat(108 - base.length);
  assert.equal(Buffer.byteLength(p), 108);
  const s = socket('unix', 'stream');
  try {
    s.bind(p);
    assert.equal(s.getsockname().path, p);
  } finally {
    s.close();
  }
  assert.throws(() => socket('unix', 'stream').bind(p + 'x'), { code: 'ERR_XSOCK_PATH_TOO_LONG', message: /109 bytes.*108/ });
});

test('errors: ENOENT, ECONNREFUSED (stale file), EADDRINUSE, unlinkStale', async () => {
  const p = path('e');
  const c = socket('unix', 'stream');
  await assert.rejects(c.connect(p), { code: 'ENOENT', syscall: 'connect', address: p });
  c.close();
  const s = socket('unix', 'stream');
  s.bind(p);
  s.close(); // leaves the file: a stale socket
  assert.ok(existsSync(p));
  const c2 = socket('unix', 'stream');
  await assert.rejects(c2.connect(p), { code: 'ECONNREFUSED' });
  c2.close();
  const s2 = socket('unix', 'stream');
  assert.throws(() => s2.bind(p), { code: 'EADDRINUSE', syscall: 'bind' });
  s2.bind(p, { unlinkStale: true });
  s2.listen();
  const s3 = socket('unix', 'stream');
  assert.throws(() => s3.bind(p, { unlinkStale: true }), { code: 'EADDRINUSE' }, 'a live listener is never unlinked');
  const f = path('f');
  writeFileSync(f, 'not a socket');
  assert.throws(() => s3.bind(f, { unlinkStale: true }), { code: 'EADDRINUSE' }, 'a regular file is never unlinked');
  s2.close(); s3.close();
});

test('TCP: non-blocking connect to a closed port rejects ECONNREFUSED (SO_ERROR read once)', async () => {
  const probe = socket('inet', 'stream');
  probe.bind('127.0.0.1:0');
  const { port } = probe.getsockname();
  probe.close();
  const c = socket('inet', 'stream');
  const r = c.tryConnect({ family: 'inet', address: '127.0.0.1', port });
  assert.equal(r, false, 'EINPROGRESS');
  await assert.rejects(within(c.connect({ family: 'inet', address: '127.0.0.1', port })), { code: 'ECONNREFUSED', syscall: 'connect' });
  c.close();
});

test('TCP: tryConnect polls an in-progress connect without calling connect again', async () => {
  const s = socket('inet6', 'stream');
  s.bind('[::1]:0');
  s.listen();
  const c = socket('inet6', 'stream');
  try {
    let done = c.tryConnect(s.getsockname());
    for (let i = 0; !done && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 5));
      done = c.tryConnect(s.getsockname());
    }
    assert.equal(done, true);
    const conn = await within(s.accept());
    conn.close();
  } finally {
    s.close(); c.close();
  }
});

test('TCP: EADDRINUSE, shutdown on unconnected ENOTCONN, ECONNRESET when peer closes with unread data', async () => {
  const s = socket('inet', 'stream');
  s.bind('127.0.0.1:0');
  s.listen();
  const other = socket('inet', 'stream');
  assert.throws(() => other.bind(s.getsockname()), { code: 'EADDRINUSE', errno: -98, syscall: 'bind', address: '127.0.0.1', port: s.getsockname().port });
  assert.throws(() => other.shutdown('write'), { code: 'ENOTCONN' });
  other.close();
  const c = socket('inet', 'stream');
  await c.connect(s.getsockname());
  const conn = await s.accept();
  await c.send('unread');
  await new Promise((r) => setTimeout(r, 20));
  conn.close(); // unread data: the kernel answers with RST
  await assert.rejects(within(c.recv(10)), { code: 'ECONNRESET' });
  c.close(); s.close();
});

test('unix listen backlog: a full backlog is EAGAIN for tryConnect; connect() completes once accepted', async () => {
  const p = path('b');
  const s = socket('unix', 'stream');
  s.bind(p);
  s.listen(0);
  const clients = [];
  try {
    let refused = false;
    for (let i = 0; i < 8 && !refused; i++) {
      const c = socket('unix', 'stream');
      clients.push(c);
      refused = !c.tryConnect(p);
    }
    assert.ok(refused, 'the backlog filled');
    const last = clients[clients.length - 1];
    const pending = last.connect(p, { timeout: 5000 });
    for (let i = 0; i < clients.length; i++) {
      const conn = await within(s.accept());
      conn.close();
      if (i === 0) await new Promise((r) => setTimeout(r, 10));
    }
    await within(pending);
  } finally {
    for (const c of clients) c.close();
    s.close();
  }
});

test('listen backlog above somaxconn and -1 are accepted', () => {
  for (const b of [-1, 100000]) {
    const s = socket('inet', 'stream');
    s.bind('127.0.0.1:0');
    s.listen(b);
    assert.equal(s.getsockopt('SOL_SOCKET', 'SO_ACCEPTCONN'), true);
    s.close();
  }
});

test('UDP: connected socket gets ECONNREFUSED after an ICMP port unreachable', async () => {
  const probe = socket('inet', 'dgram');
  probe.bind('127.0.0.1:0');
  const dead = probe.getsockname();
  probe.close();
  const u = socket('inet', 'dgram');
  try {
    await u.connect(dead);
    await u.send('x');
    await assert.rejects(within(u.recv(10)), { code: 'ECONNREFUSED' });
  } finally {
    u.close();
  }
});

test('unix dgram: ENOTCONN without destination, ENOENT for a missing path', async () => {
  const u = socket('unix', 'dgram');
  try {
    await assert.rejects(u.send('x'), { code: 'ENOTCONN' });
    await assert.rejects(u.sendto('x', path('missing')), { code: 'ENOENT' });
    assert.equal(C.SOCK_DGRAM, u.type);
  } finally {
    u.close();
  }
});
