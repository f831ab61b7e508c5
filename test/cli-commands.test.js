// The xsock subcommands as a black box: usage errors (exit 2, one line), --help for every
// command, the measured semantics table, resolve against getent and python's getaddrinfo,
// the demo tour, sendfd/recvfd, and info.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { checkFdsAtEnd, tempDir, need } from './helpers.js';
import { xsock } from './cli-helpers.js';

checkFdsAtEnd();
const dir = tempDir();

const BAD = [
  [['bogus:/x', '-'], /unknown keyword 'bogus'/],
  [['unix-listen:', '-'], /needs a path/],
  [['tcp:127.0.0.1:99999', '-'], /port must be 0\.\.65535/],
  [['tcp:127.0.0.1', '-'], /expected HOST:PORT/],
  [['tcp4:[::1]:80', '-'], /not an IPv4 address/],
  [['tcp:[zz::1]:80', '-'], /'zz::1' in brackets is not an IPv6 address/],
  [['-', 'create:/tmp/x,perm=9'], /perm' must be an octal mode/],
  [['-', 'open:/tmp/x,frob'], /unknown option 'frob'/],
  [['-', 'open:/tmp/x,creat=maybe'], /takes 0 or 1/],
  [['-U', '-', 'create:/tmp/x'], /only writes: it cannot be the source/],
  [['unix:/x,type=banana', '-'], /type must be stream, dgram or seqpacket/],
  [['unix:/x,frob=1', '-'], /unknown option 'frob'/],
  [[`unix:/${'p'.repeat(120)}`, '-'], /at most 108 bytes/],
  [['-'], /expected two addresses, got 1/],
  [['a:', 'b:', 'c:'], /expected two addresses, got 3/],
  [['--frobnicate', '-', '-'], /Unknown option '--frobnicate'/],
  [['-b', 'lots', '-', '-'], /--buffer must be a number/],
  [['-T', 'soon', '-', '-'], /--idle-timeout must be a number/],
  [['--fork', '-', 'unix:/x'], /--fork needs a stream or seqpacket listener/],
  [['frobnicate'], /unknown command 'frobnicate'/],
  [['semantics', '--count', 'x'], /--count must be a positive integer/],
  [['resolve', 'localhost'], /resolve needs HOST and SERVICE/],
  [['sendfd', '/tmp/x'], /sendfd needs SOCKET and FILE/],
  [['recvfd', '127.0.0.1:80'], /SOCKET must be a unix address/],
  [['info', '/dev/nope'], /unknown provider '\/dev\/nope'/],
  [[], /usage: xsock/],
];

for (const [args, re] of BAD) {
  test(`bad usage: xsock ${args.join(' ').slice(0, 40)} exits 2 with one line`, async () => {
    const r = await xsock(args, { seconds: 10 }).exited;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, re);
    if (args.length > 0) assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line, got: ${r.stderr}`);
    assert.equal(r.stdout.length, 0);
  });
}

test('runtime failures (nobody listening) exit 1 with one line naming the call', async () => {
  const r = await xsock(['-', `unix:${join(dir, 'nobody.sock')}`], { input: 'x', seconds: 10 }).exited;
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^xsock: connect ENOENT .*nobody\.sock/);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  const t = await xsock(['-', 'tcp:127.0.0.1:1'], { input: 'x', seconds: 10 }).exited;
  assert.equal(t.code, 1);
  assert.match(t.stderr, /ECONNREFUSED/);
});

for (const cmd of [[], ['relay'], ['semantics'], ['demo'], ['resolve'], ['sendfd'], ['recvfd'], ['info']]) {
  test(`xsock ${cmd.join(' ')} --help`, async () => {
    const r = await xsock([...cmd, '--help'], { seconds: 10 }).exited;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.toString(), /^usage: xsock/);
  });
}

test('relay --help documents the address grammar', async () => {
  const r = await xsock(['--help'], { seconds: 10 }).exited;
  const relay = await xsock(['relay', '--help'], { seconds: 10 }).exited;
  assert.match(r.stdout.toString(), /relay/);
  for (const kw of ['unix-listen:PATH', 'seqpacket', 'unix-recv', 'tcp-listen', 'udp-recv', 'exec:', '--fork', '-T']) {
    assert.ok(relay.stdout.toString().includes(kw), `help mentions ${kw}`);
  }
});

test('semantics --json: the measured table is consistent with what each type promises', async () => {
  const r = await xsock(['semantics', '--json', '--count', '2000'], { seconds: 60 }).exited;
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout.toString());
  const row = (d, t) => rows.find((x) => x.domain === d && x.type === t);
  const us = row('unix', 'stream');
  assert.deepEqual([us.ordered, us.reliable, us.connectionOriented, us.boundaries], [true, true, true, false]);
  assert.equal(typeof us.outOfBand, 'boolean'); // kernels without CONFIG_AF_UNIX_OOB say no
  const uq = row('unix', 'seqpacket');
  assert.deepEqual([uq.boundaries, uq.connectionOriented, uq.outOfBand, uq.ordered, uq.reliable], [true, true, false, true, true]);
  const ud = row('unix', 'dgram');
  assert.deepEqual([ud.boundaries, ud.connectionOriented], [true, false]);
  for (const d of ['inet', 'inet6']) {
    const dg = row(d, 'dgram');
    if (!dg.supported) continue;
    assert.equal(dg.connectionOriented, false);
    assert.equal(dg.boundaries, true);
    const st = row(d, 'stream');
    assert.deepEqual([st.ordered, st.reliable, st.connectionOriented, st.boundaries, st.outOfBand], [true, true, true, false, true]);
    // inet seqpacket is SCTP: present or not, the row must say which, and be coherent.
    const sq = row(d, 'seqpacket');
    if (sq.supported) assert.equal(sq.boundaries, true);
    else assert.match(sq.error, /^E[A-Z]+/);
  }
  // Measured rows only: a row that opens but cannot be used here carries a note instead.
  for (const x of rows.filter((x) => x.supported && x.note === undefined)) {
    assert.equal(x.received <= x.sent, true, `${x.domain} ${x.type}`);
    if (x.reliable) assert.equal(x.received, x.sent);
  }
});

// getent prints "ADDR  STREAM host\nADDR  DGRAM\n..." for ahosts; both sides are the system resolver.
test('resolve agrees with getent ahosts and python getaddrinfo', { skip: need('getent') }, async () => {
  for (const [host, service] of [['localhost', '80'], ['127.0.0.1', 'domain'], ['::1', '22']]) {
    const r = await xsock(['resolve', '--json', host, service], { seconds: 10 }).exited;
    assert.equal(r.code, 0, r.stderr);
    const ours = r.stdout.toString().trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.type !== 'raw').map((x) => `${x.address} ${x.port} ${x.type}`).sort();
    const py = spawnSync('python3', ['-c', `
import socket, sys
for fam, typ, proto, cn, sa in socket.getaddrinfo(sys.argv[1], sys.argv[2]):
    if typ in (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_SEQPACKET): print(sa[0], sa[1], {1: 'stream', 2: 'dgram', 5: 'seqpacket'}[typ])
`, host, service], { encoding: 'utf8' });
    assert.deepEqual(ours, py.stdout.trim().split('\n').sort(), `${host} ${service}`);
    const ge = spawnSync('getent', ['ahosts', host], { encoding: 'utf8' });
    const geAddrs = new Set(ge.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]));
    assert.deepEqual(new Set(ours.map((l) => l.split(' ')[0])), geAddrs);
  }
});

test('resolve: an unknown name fails with an EAI_ code and exit 1', async () => {
  const r = await xsock(['resolve', 'no-such-host.invalid', '80'], { seconds: 20 }).exited;
  assert.equal(r.code, 1);
  assert.match(r.stderr, /EAI_NONAME|EAI_AGAIN|EAI_FAIL/);
});

test('sendfd / recvfd pass an open file and its sender\'s credentials', async () => {
  const file = join(dir, 'passed.txt');
  const out = join(dir, 'copied.txt');
  writeFileSync(file, 'contents seen through a passed descriptor\n');
  for (const type of ['stream', 'seqpacket', 'dgram']) {
    const sock = join(dir, `fd-${type}.sock`);
    const recv = xsock(['recvfd', '--json', '--type', type, '--timeout', '10', sock, out]);
    await recv.event('listening');
    const send = await xsock(['sendfd', '--type', type, '--timeout', '10', sock, file]).exited;
    assert.equal(send.code, 0, send.stderr);
    const r = await recv.exited;
    assert.equal(r.code, 0, r.stderr);
    const got = recv.events.find((e) => e.event === 'received');
    assert.equal(got.name, 'passed.txt');
    assert.equal(got.credentials.uid, process.getuid());
    assert.equal(readFileSync(out, 'utf8'), readFileSync(file, 'utf8'));
  }
});

test('demo --json: every step of the tour passes', async () => {
  const r = await xsock(['demo', '--json'], { seconds: 30 }).exited;
  const steps = r.stdout.toString().trim().split('\n').map((l) => JSON.parse(l));
  const names = steps.map((s) => s.step);
  for (const want of ['rendezvous unix/stream', 'rendezvous unix/seqpacket', 'rendezvous unix/dgram', 'rendezvous inet/stream',
    'rendezvous inet/dgram', 'rights (SCM_RIGHTS)', 'credentials (SCM_CREDENTIALS)', 'out-of-band (MSG_OOB)', 'XTI asynchronous connect']) {
    assert.ok(names.includes(want), `demo has step ${want}`);
  }
  for (const s of steps) assert.ok(s.ok, `${s.step}: ${s.detail}`);
  assert.equal(r.code, 0);
});

test('info lists every XTI provider with its service type', async () => {
  const r = await xsock(['info', '--json'], { seconds: 10 }).exited;
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.toString().trim().split('\n').map((l) => JSON.parse(l));
  const by = Object.fromEntries(rows.map((x) => [x.provider, x]));
  assert.deepEqual(Object.keys(by).sort(), ['/dev/tcp', '/dev/tcp6', '/dev/ticlts', '/dev/ticots', '/dev/ticotsord', '/dev/udp', '/dev/udp6']);
  assert.equal(by['/dev/tcp'].servtypeName, 'T_COTS_ORD');
  assert.equal(by['/dev/udp'].servtypeName, 'T_CLTS');
  assert.equal(by['/dev/ticots'].servtypeName, 'T_COTS');
  assert.equal(by['/dev/ticlts'].type, 'dgram');
});
