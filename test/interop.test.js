// Interop with independent programs: python3's socket module and socat, both directions,
// on unix paths, exact-length abstract names, seqpacket, and TCP/UDP v4/v6.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, readFileSync } from 'node:fs';
import { socket } from '../dist/index.js';
import { checkFdsAtEnd, tempDir, abstractName, within, python, startPeer, need } from './helpers.js';

checkFdsAtEnd();
const dir = tempDir();

// A python echo server: prints READY and the bound address, echoes one connection/message.
const PY_SERVER = `
import socket, sys
fam = {'unix': socket.AF_UNIX, 'inet': socket.AF_INET, 'inet6': socket.AF_INET6}[sys.argv[1]]
typ = {'stream': socket.SOCK_STREAM, 'dgram': socket.SOCK_DGRAM, 'seqpacket': socket.SOCK_SEQPACKET}[sys.argv[2]]
addr = sys.argv[3]
if fam == socket.AF_UNIX:
    a = '\\0' + addr[1:] if addr.startswith('@') else addr
else:
    host, port = addr.rsplit(':', 1); a = (host.strip('[]'), int(port))
s = socket.socket(fam, typ); s.bind(a)
name = s.getsockname()
print(repr(name[1] if fam != socket.AF_UNIX else name), flush=True)
if typ == socket.SOCK_DGRAM:
    print('READY', flush=True)
    d, peer = s.recvfrom(1000); s.sendto(d.upper(), peer)
else:
    s.listen(1); print('READY', flush=True)
    c, _ = s.accept()
    while True:
        d = c.recv(1000)
        if not d: break
        c.send(d.upper())
`;

let seq = 0;
const cases = [
  ['unix', 'stream', () => join(dir, `py-s${seq++}`)],
  ['unix', 'seqpacket', () => join(dir, `py-q${seq++}`)],
  ['unix', 'dgram', () => join(dir, `py-d${seq++}`)],
  ['unix', 'stream', () => `@${abstractName('py')}`],
  ['unix', 'seqpacket', () => `@${abstractName('pyq')}`],
  ['unix', 'dgram', () => `@${abstractName('pyd')}`],
  ['inet', 'stream', () => '127.0.0.1:0'],
  ['inet', 'dgram', () => '127.0.0.1:0'],
  ['inet6', 'stream', () => '[::1]:0'],
  ['inet6', 'dgram', () => '[::1]:0'],
];

for (const [domain, type, where] of cases) {
  const addr = where();
  test(`xsock client -> python ${domain} ${type} server at ${addr.startsWith('@') ? '@abstract' : addr}`, async () => {
    const peer = python(PY_SERVER, [domain, type, addr]);
    await peer.ready;
    let target = addr;
    if (domain !== 'unix') target = domain === 'inet' ? `127.0.0.1:${peer.lines[0]}` : `[::1]:${peer.lines[0]}`;
    const s = socket(domain, type);
    try {
      if (type === 'dgram') s.bind(domain === 'unix' ? { family: 'unix' } : domain === 'inet' ? '127.0.0.1:0' : '[::1]:0');
      await within(s.connect(target));
      await s.send('hello');
      assert.equal((await within(s.recv(100), 5000, 'python reply')).toString(), 'HELLO');
    } finally {
      s.close();
    }
    await within(peer.exited, 5000, 'python exit');
  });
}

// A python client: connects to argv address, sends a message, prints the reply.
const PY_CLIENT = `
import socket, sys
fam = {'unix': socket.AF_UNIX, 'inet': socket.AF_INET, 'inet6': socket.AF_INET6}[sys.argv[1]]
typ = {'stream': socket.SOCK_STREAM, 'dgram': socket.SOCK_DGRAM, 'seqpacket': socket.SOCK_SEQPACKET}[sys.argv[2]]
addr = sys.argv[3]
if fam == socket.AF_UNIX:
    a = '\\0' + addr[1:] if addr.startswith('@') else addr
else:
    host, port = addr.rsplit(':', 1); a = (host.strip('[]'), int(port))
s = socket.socket(fam, typ)
if typ == socket.SOCK_DGRAM and fam == socket.AF_UNIX: s.bind('')
s.connect(a); s.send(b'from python')
print(s.recv(1000).decode(), flush=True)
`;

for (const [domain, type, where] of cases) {
  test(`python ${domain} ${type} client -> xsock server`, async () => {
    const s = socket(domain, type);
    try {
      s.bind(where());
      const a = s.getsockname();
      const text = domain === 'unix' ? (a.abstract !== undefined ? `@${a.abstract}` : a.path)
        : domain === 'inet' ? `127.0.0.1:${a.port}` : `[::1]:${a.port}`;
      if (type === 'dgram') {
        const peer = python(PY_CLIENT, [domain, type, text], { ready: false });
        const { data, from } = await within(s.recvfrom(100), 5000, 'python datagram');
        assert.equal(data.toString(), 'from python');
        await s.sendto('dgram reply', from);
        assert.equal(await within(peer.exited), 0);
        assert.deepEqual(peer.lines, ['dgram reply']);
      } else {
        s.listen(1);
        const peer = python(PY_CLIENT, [domain, type, text], { ready: false });
        const c = await within(s.accept(), 5000, 'python connect');
        assert.equal((await within(c.recv(100))).toString(), 'from python');
        await c.send('reply');
        assert.equal(await within(peer.exited), 0);
        assert.deepEqual(peer.lines, ['reply']);
        c.close();
      }
    } finally {
      s.close();
    }
  });
}

test('socat: records intact and in order over unix dgram (xsock sends, socat receives)', { skip: need('socat') }, async () => {
  const p = join(dir, 'socat-d');
  const out = join(dir, 'socat-out');
  const peer = startPeer('socat', ['-u', '-T', '1', `UNIX-RECV:${p}`, `OPEN:${out},creat,trunc`], { ready: false });
  for (let i = 0; i < 50 && !(await exists(p)); i++) await new Promise((r) => setTimeout(r, 20));
  const s = socket('unix', 'dgram');
  const records = Array.from({ length: 200 }, (_, i) => `record ${String(i).padStart(4, '0')}\n`);
  for (const r of records) await s.sendto(r, p);
  s.close();
  await within(peer.exited, 10000, 'socat');
  assert.equal(readFileSync(out, 'utf8'), records.join(''));
});

test('socat: seqpacket listener talks to an xsock client', { skip: need('socat') }, async () => {
  const p = join(dir, 'socat-q');
  const peer = startPeer('socat', [`UNIX-LISTEN:${p},type=5`, 'SYSTEM:cat'], { ready: false });
  const s = socket('unix', 'seqpacket');
  try {
    // The path appears at bind(2), before socat calls listen(2): until then connect is
    // refused (or the path is missing), so retry, bounded.
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      try { await within(s.connect(p)); ok = true; } catch (err) {
        if (err.code !== 'ECONNREFUSED' && err.code !== 'ENOENT') throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    assert.ok(ok, 'connected');
    await s.send('seqpacket via socat\n');
    assert.equal((await within(s.recv(100))).toString(), 'seqpacket via socat\n');
  } finally {
    s.close();
  }
  await within(peer.exited, 5000, 'socat');
});

test('socat: exact-length abstract listener reached by name', { skip: need('socat') }, async () => {
  const name = abstractName('socat');
  const peer = startPeer('socat', [`ABSTRACT-LISTEN:${name}`, 'SYSTEM:tr a-z A-Z'], { ready: false });
  const s = socket('unix', 'stream');
  let ok = false;
  for (let i = 0; i < 100 && !ok; i++) {
    try { await s.connect(`@${name}`); ok = true; } catch (err) {
      if (err.code !== 'ECONNREFUSED') throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  assert.ok(ok, 'connected');
  await s.sendAll('abstract\n');
  s.shutdown('write');
  assert.equal((await within(s.recv(100))).toString(), 'ABSTRACT\n');
  s.close();
  await within(peer.exited, 5000, 'socat');
});

for (const [fam, host] of [['inet', '127.0.0.1'], ['inet6', '[::1]']]) {
  test(`socat: UDP ${fam} sendto an xsock receiver; TCP ${fam} xsock listener`, { skip: need('socat') }, async () => {
    const u = socket(fam, 'dgram');
    u.bind(`${host}:0`);
    const port = u.getsockname().port;
    startPeer('socat', ['-u', 'STDIN', `UDP-SENDTO:${host}:${port}`], { ready: false, input: 'udp hello' });
    assert.equal((await within(u.recv(100))).toString(), 'udp hello');
    u.close();
    const t = socket(fam, 'stream');
    t.bind(`${host}:0`);
    t.listen();
    const peer = startPeer('socat', ['-', `TCP:${host}:${t.getsockname().port}`], { ready: false, input: 'tcp hello' });
    const c = await within(t.accept());
    assert.equal((await within(c.recv(100))).toString(), 'tcp hello');
    await c.send('tcp reply');
    c.close();
    await within(peer.exited);
    t.close();
  });
}

async function exists(p) {
  try { readFileSync(p); return true; } catch (e) { return e.code !== 'ENOENT'; }
}
