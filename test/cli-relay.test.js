// The xsock relay as a black box against socat and python3 peers: records intact and in
// order, boundaries kept where the type keeps them, half-close, exec, --fork, -v traces
// of rights and credentials, tcp/udp over v4 and v6.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { randomBytes, createHash } from 'node:crypto';
import { checkFdsAtEnd, tempDir, python, startPeer, need, within } from './helpers.js';
import { xsock } from './cli-helpers.js';

checkFdsAtEnd();
const dir = tempDir();
const sha = (b) => createHash('sha256').update(b).digest('hex');

// A python peer that serves one connection (or datagrams) on argv[1] and reports, as JSON,
// every message it got; stream/seqpacket ones echo each message upper-cased, and after
// the client's EOF send 'BYE' (so a half-close must have passed through).
const PY_SERVER = `
import socket, sys, json
typ = {'stream': socket.SOCK_STREAM, 'seqpacket': socket.SOCK_SEQPACKET, 'dgram': socket.SOCK_DGRAM}[sys.argv[2]]
s = socket.socket(socket.AF_UNIX, typ); s.bind(sys.argv[1])
if typ == socket.SOCK_DGRAM:
    print('READY', flush=True)
    n = int(sys.argv[3])
    for i in range(n):
        d, a = s.recvfrom(65536)
        print(json.dumps({'len': len(d), 'hex': d.hex()}), flush=True)
        if a: s.sendto(d.upper(), a)
    sys.exit(0)
s.listen(1); print('READY', flush=True)
c, _ = s.accept()
while True:
    d = c.recv(65536)
    print(json.dumps({'len': len(d), 'hex': d.hex()}), flush=True)
    if not d: break
    c.sendall(d.upper())
c.sendall(b'BYE'); c.close()
`;

test('unix stream: bytes intact through listen -> connect, socat on both ends', { skip: need('socat') }, async () => {
  const data = randomBytes(3 * 1024 * 1024 + 17);
  const src = join(dir, 'src.bin');
  const out = join(dir, 'out.bin');
  writeFileSync(src, data);
  const sink = startPeer('socat', ['-u', `UNIX-LISTEN:${join(dir, 'sink.sock')},unlink-early`, `CREATE:${out}`], { ready: false });
  await within(waitFor(() => existsSync(join(dir, 'sink.sock'))), 5000, 'socat sink');
  const x = xsock(['--json', `unix-listen:${join(dir, 'in.sock')}`, `unix:${join(dir, 'sink.sock')}`]);
  await x.event('listening');
  const source = startPeer('socat', ['-u', `FILE:${src}`, `UNIX-CONNECT:${join(dir, 'in.sock')}`], { ready: false });
  assert.equal(await source.exited, 0);
  const r = await x.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await sink.exited, 0);
  assert.equal(sha(readFileSync(out)), sha(data));
  const close = x.events.find((e) => e.event === 'close');
  assert.equal(close.bytes['>'], data.length);
  assert.ok(!existsSync(join(dir, 'in.sock')), 'the listener path is removed on close');
});

test('stdio -> unix stream: half-close reaches the server, its answer comes back', async () => {
  const path = join(dir, 'hc.sock');
  const py = python(PY_SERVER, [path, 'stream']);
  await py.ready;
  const x = xsock(['-', `unix:${path}`], { input: 'abc' });
  const r = await x.exited;
  assert.equal(r.code, 0, r.stderr);
  // The server sends BYE only after reading EOF: the shutdown(SHUT_WR) crossed the relay.
  assert.equal(r.stdout.toString(), 'ABCBYE');
  assert.equal(await py.exited, 0);
});

test('seqpacket: boundaries kept both ways through seqpacket-listen -> seqpacket', async () => {
  const server = join(dir, 'sq-server.sock');
  const front = join(dir, 'sq-front.sock');
  const py = python(PY_SERVER, [server, 'seqpacket']);
  await py.ready;
  const x = xsock(['--json', `seqpacket-listen:${front}`, `seqpacket:${server}`]);
  await x.event('listening');
  const client = python(`
import socket, sys, json
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(sys.argv[1])
sizes = [1, 7, 300, 4096, 2]
for i, n in enumerate(sizes): s.send(bytes([97 + i]) * n)
got = [len(s.recv(65536)) for _ in sizes]
s.shutdown(socket.SHUT_WR)
print(json.dumps({'got': got, 'tail': s.recv(100).decode()}), flush=True)
print('READY', flush=True)
`, [front]);
  await client.ready;
  const res = JSON.parse(client.lines[0]);
  assert.deepEqual(res.got, [1, 7, 300, 4096, 2], 'each echo is one message of the size sent');
  assert.equal(res.tail, 'BYE');
  await py.exited;
  const seen = py.lines.map((l) => JSON.parse(l)).filter((m) => m.len > 0).map((m) => m.len);
  assert.deepEqual(seen, [1, 7, 300, 4096, 2], 'the server received the records one for one');
  assert.equal((await x.exited).code, 0);
});

test('unix dgram: records from socat arrive intact, in order, one for one (unix-recv -> unix-sendto)', { skip: need('socat') }, async () => {
  const recs = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1 + ((i * 37) % 200), 65 + (i % 26)));
  const file = join(dir, 'recs.bin');
  // socat reads one record per read when -b is the record size: use equal-size records for it.
  const fixed = Array.from({ length: 50 }, (_, i) => Buffer.alloc(64, i));
  writeFileSync(file, Buffer.concat(fixed));
  const sinkPath = join(dir, 'dg-sink.sock');
  const py = python(PY_SERVER, [sinkPath, 'dgram', String(fixed.length)]);
  await py.ready;
  const x = xsock(['--json', '-T', '3', `unix-recv:${join(dir, 'dg-in.sock')}`, `unix-sendto:${sinkPath}`]);
  await x.event('listening');
  const src = startPeer('socat', ['-u', '-b', '64', `FILE:${file}`, `UNIX-SENDTO:${join(dir, 'dg-in.sock')}`], { ready: false });
  assert.equal(await src.exited, 0);
  assert.equal(await py.exited, 0);
  const got = py.lines.map((l) => Buffer.from(JSON.parse(l).hex, 'hex'));
  assert.equal(got.length, fixed.length);
  got.forEach((g, i) => assert.ok(g.equals(fixed[i]), `record ${i} intact and in order`));
  assert.equal((await x.exited).code, 0);
  assert.ok(recs.length > 0);
});

test('unix dgram: replies travel back to the sender (unix-sendto reads answers)', async () => {
  const sinkPath = join(dir, 'dg-echo.sock');
  const py = python(PY_SERVER, [sinkPath, 'dgram', '2']);
  await py.ready;
  const x = xsock(['-t', '1', '-b', '64', '-', `unix-sendto:${sinkPath}`], { input: 'ping' });
  const r = await x.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), 'PING');
  py.child.kill();
  await py.exited;
});

test('-v traces each message with its rights and credentials, and passes the rights on', async () => {
  const secret = join(dir, 'secret.txt');
  writeFileSync(secret, 'handed over');
  const sinkPath = join(dir, 'fd-sink.sock');
  const inPath = join(dir, 'fd-in.sock');
  const sink = python(`
import socket, sys, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); print('READY', flush=True)
msg, fds, flags, addr = socket.recv_fds(s, 100, 4)
print(msg.decode(), len(fds), os.read(fds[0], 100).decode() if fds else '-', flush=True)
`, [sinkPath]);
  await sink.ready;
  const x = xsock(['-v', '--json', '-T', '3', `unix-recv:${inPath}`, `unix-sendto:${sinkPath}`]);
  await x.event('listening');
  const src = python(`
import socket, sys, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
fd = os.open(sys.argv[2], os.O_RDONLY)
s.sendmsg([b'take-this'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fd.to_bytes(4, 'little'))], 0, sys.argv[1])
print('READY', flush=True)
`, [inPath, secret]);
  await src.ready;
  await sink.exited;
  assert.deepEqual(sink.lines, ['take-this 1 handed over']);
  const r = await x.exited;
  assert.equal(r.code, 0, r.stderr);
  const data = x.events.find((e) => e.event === 'data');
  assert.equal(data.bytes, 9);
  assert.equal(data.fds, 1);
  assert.equal(Buffer.from(data.hex, 'hex').toString(), 'take-this');
  assert.equal(typeof data.credentials.pid, 'number');
});

test('-v without --json prints a hexdump line per message', async () => {
  const path = join(dir, 'hex.sock');
  const py = python(PY_SERVER, [path, 'stream']);
  await py.ready;
  const x = xsock(['-v', '-', `unix:${path}`], { input: 'hexdump me' });
  const r = await x.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /> 10 bytes/);
  assert.match(r.stderr, /00000000 {2}68 65 78 64 75 6d 70 20 6d 65 +\|hexdump me\|/);
});

test('exec: a child on a socketpair; --fork serves several clients, each with its own child', async () => {
  const path = join(dir, 'fork.sock');
  const x = xsock(['--json', '--fork', `unix-listen:${path}`, 'exec:tr a-z A-Z']);
  await x.event('listening');
  const client = (text) => {
    const c = xsock(['-', `unix:${path}`], { input: text });
    return c.exited;
  };
  const [a, b] = await Promise.all([client('first'), client('second')]);
  assert.equal(a.stdout.toString(), 'FIRST');
  assert.equal(b.stdout.toString(), 'SECOND');
  assert.equal(a.code, 0);
  x.child.kill('SIGTERM'); // timeout passes it on to xsock
  await x.exited;
});

for (const [fam, host, py] of [['tcp4', '127.0.0.1', 'AF_INET'], ['tcp6', '[::1]', 'AF_INET6']]) {
  test(`${fam}: listen and connect relay a python echo`, async () => {
    const echo = python(`
import socket
s = socket.socket(socket.${py}); s.bind(('${host.replace(/[[\]]/g, '')}', 0)); s.listen(1)
print(s.getsockname()[1], flush=True); print('READY', flush=True)
c, _ = s.accept()
d = b''
while True:
    x = c.recv(65536)
    if not x: break
    d += x
c.sendall(d[::-1]); c.close()
`);
    await echo.ready;
    const port = echo.lines[0];
    const x = xsock(['--json', `${fam}-listen:0,bind=${host}`, `${fam}:${host}:${port}`]);
    const listening = await x.event('listening');
    const front = listening.address.replace(/.*:/, '');
    const c = xsock(['-', `${fam}:${host}:${front}`], { input: 'stressed' });
    const r = await c.exited;
    assert.equal(r.stdout.toString(), 'desserts');
    assert.equal((await x.exited).code, 0);
  });
}

for (const [fam, host, py] of [['udp4', '127.0.0.1', 'AF_INET'], ['udp6', '[::1]', 'AF_INET6']]) {
  test(`${fam}: datagrams keep their boundaries through udp-recv -> udp`, async () => {
    const sink = python(`
import socket, json
s = socket.socket(socket.${py}, socket.SOCK_DGRAM); s.bind(('${host.replace(/[[\]]/g, '')}', 0))
print(s.getsockname()[1], flush=True); print('READY', flush=True)
for i in range(5):
    d, a = s.recvfrom(65536); print(len(d), flush=True)
`);
    await sink.ready;
    const port = sink.lines[0];
    const x = xsock(['--json', '-T', '3', `${fam}-recv:0,bind=${host}`, `${fam}:${host}:${port}`]);
    const front = (await x.event('listening')).address.replace(/.*:/, '');
    const src = python(`
import socket, sys
s = socket.socket(socket.${py}, socket.SOCK_DGRAM)
for n in [5, 1, 1400, 0, 3]: s.sendto(b'x' * n, ('${host.replace(/[[\]]/g, '')}', int(sys.argv[1])))
print('READY', flush=True)
`, [front]);
    await src.ready;
    await sink.exited;
    assert.deepEqual(sink.lines.slice(1), ['5', '1', '1400', '0', '3']);
    assert.equal((await x.exited).code, 0);
  });
}

function waitFor(pred) {
  return new Promise((resolve) => {
    const t = setInterval(() => { if (pred()) { clearInterval(t); resolve(); } }, 20);
  });
}

// Urgent data, where socat cannot go: a python client's MSG_OOB byte crosses a TCP ->
// unix stream relay and arrives urgent at a python server (read with MSG_OOB), while the
// ordinary bytes around it arrive as ordinary data.
test('out-of-band: an urgent byte stays urgent through tcp-listen -> unix relay', async () => {
  const path = join(dir, 'oob.sock');
  const server = python(`
import socket, select, json, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
print('READY', flush=True)
c, _ = s.accept()
urgent = b''; normal = b''
while True:
    r, _, x = select.select([c], [], [c], 10)
    if x and not urgent:
        try:
            urgent = c.recv(1, socket.MSG_OOB)
            continue
        except OSError:
            pass
    d = c.recv(100)
    if not d: break
    normal += d
print(json.dumps({'urgent': urgent.decode(), 'normal': normal.decode()}), flush=True)
`, [path]);
  await server.ready;
  const x = xsock(['--json', '-v', 'tcp4-listen:0,bind=127.0.0.1', `unix:${path}`]);
  const front = (await x.event('listening')).address.replace(/.*:/, '');
  const client = python(`
import socket, sys, time
c = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
c.send(b'before'); time.sleep(0.2)
c.send(b'!', socket.MSG_OOB); time.sleep(0.2)
c.send(b'after'); time.sleep(0.2)
c.close()
`, [front], { ready: false });
  assert.equal(await within(client.exited, 10000, 'client'), 0);
  assert.equal(await within(server.exited, 15000, 'server'), 0);
  assert.deepEqual(JSON.parse(server.lines[0]), { urgent: '!', normal: 'beforeafter' });
  const r = await x.exited;
  assert.match(r.stderr, /MSG_OOB/, 'the trace shows the urgent byte');
});
