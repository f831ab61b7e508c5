// Naming: resolve/getnameinfo/getservbyname/getservbyport against the system's own
// translators — python's socket.getaddrinfo (glibc) and `getent` — on the same names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  resolve, resolveAddress, getnameinfo, getservbyname, getservbyport, constants as C,
  AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST, AI_NUMERICSERV, AI_ADDRCONFIG, AI_V4MAPPED,
  NI_NUMERICHOST, NI_NUMERICSERV, NI_DGRAM, NI_NAMEREQD,
} from '../dist/index.js';
import { checkFdsAtEnd, need } from './helpers.js';

checkFdsAtEnd();

const AF = { inet: C.AF_INET, inet6: C.AF_INET6 };

// Each query: [host, service, family, type, protocol, flags]; python answers with the
// tuples glibc returns (or the EAI errno), one JSON line per query.
const PY = `
import socket, json, sys
out = []
for host, serv, fam, typ, proto, flags in json.loads(sys.stdin.read()):
    try:
        r = socket.getaddrinfo(host, serv, fam, typ, proto, flags)
        out.append([[int(f), int(t), p, c, list(a[:2])] for f, t, p, c, a in r])
    except socket.gaierror as e:
        out.append(e.errno)
print(json.dumps(out))
`;

function glibc(queries) {
  const r = spawnSync('timeout', ['20', 'python3', '-c', PY], { input: JSON.stringify(queries), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function ours([host, serv, family, type, protocol, flags]) {
  try {
    const r = await resolve(host, serv, { family, type, protocol, flags });
    return r.map((a) => [AF[a.family], a.type, a.protocol, a.canonname ?? '', [a.address.address, a.address.port]]);
  } catch (err) {
    assert.match(err.code, /^EAI_/, `unexpected error ${err.stack}`);
    assert.equal(err.syscall, 'getaddrinfo');
    return err.errno;
  }
}

const queries = [
  ['localhost', '80', 0, 0, 0, 0],
  ['localhost', 'http', 0, 0, 0, 0],
  ['localhost', 'domain', 0, 0, 0, 0],
  ['localhost', 'domain', 0, C.SOCK_DGRAM, 0, 0],
  ['localhost', 'https', 0, 0, 0, 0],
  ['localhost', null, 0, 0, 0, 0],
  ['localhost', '80', C.AF_INET, C.SOCK_STREAM, 0, AI_CANONNAME],
  ['localhost', '80', C.AF_INET6, 0, 0, 0],
  ['127.0.0.1', 'http', 0, C.SOCK_DGRAM, 0, 0],
  ['127.0.0.1', '80', 0, C.SOCK_STREAM, 17, 0],
  ['127.0.0.1', '80', 0, C.SOCK_SEQPACKET, 0, 0],
  ['127.0.0.1', '80', 0, C.SOCK_RAW, 0, 0],
  ['127.0.0.1', '80', 0, 0, 6, 0],
  ['127.0.0.1', '80', 0, C.SOCK_STREAM, 0, AI_CANONNAME],
  ['127.0.0.1', '80', C.AF_INET6, C.SOCK_STREAM, 0, 0],
  ['127.0.0.1', '80', C.AF_INET6, C.SOCK_STREAM, 0, AI_V4MAPPED],
  ['127.0.0.1', '22', 0, 0, 0, AI_ADDRCONFIG],
  ['127.1', 'ssh', 0, 0, 0, 0],
  ['0x7f.0.0.1', '9', 0, C.SOCK_DGRAM, 0, 0],
  ['::1', '80', 0, 0, 0, 0],
  ['::1', 'http', 0, C.SOCK_STREAM, 0, AI_NUMERICHOST],
  ['::1', '443', C.AF_INET, 0, 0, 0],
  ['fe80::1', '80', C.AF_INET6, C.SOCK_DGRAM, 0, 0],
  [null, '80', 0, 0, 0, 0],
  [null, '80', 0, C.SOCK_STREAM, 0, AI_PASSIVE],
  [null, 'domain', C.AF_INET6, 0, 0, AI_PASSIVE],
  [null, '80', 0, C.SOCK_STREAM, 0, AI_CANONNAME],
  [null, null, 0, 0, 0, 0],
  ['', '80', 0, 0, 0, 0],
  ['localhost', 'http', 0, 0, 0, AI_NUMERICSERV],
  ['localhost', '80', 0, 0, 0, AI_NUMERICHOST],
  ['localhost', '80', 0, 0, 0, 0x8000],
  ['localhost', '80', 0, 99, 0, 0],
  ['localhost', '80', C.AF_UNIX, 0, 0, 0],
  ['localhost', 'no-such-service-xs', 0, 0, 0, 0],
  ['no-such-host.invalid', '80', 0, 0, 0, 0],
];

test('resolve() agrees with glibc getaddrinfo (via python) on every query', async () => {
  const expected = glibc(queries);
  for (let i = 0; i < queries.length; i++) {
    assert.deepEqual(await ours(queries[i]), expected[i], `query ${JSON.stringify(queries[i])}`);
  }
});

test('resolve() of localhost matches `getent ahosts` (address, type, order)', async (t) => {
  if (need('getent')) return t.skip(need('getent'));
  const r = spawnSync('timeout', ['10', 'getent', 'ahosts', 'localhost'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  const rows = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).slice(0, 2));
  const types = { STREAM: C.SOCK_STREAM, DGRAM: C.SOCK_DGRAM, RAW: C.SOCK_RAW };
  const got = (await resolve('localhost', null)).map((a) => [a.address.address, a.type]);
  assert.deepEqual(got, rows.map(([addr, type]) => [addr, types[type]]));
});

test('getservbyname/getservbyport match `getent services`', (t) => {
  if (need('getent')) return t.skip(need('getent'));
  for (const [name, proto] of [['http', 'tcp'], ['domain', 'tcp'], ['domain', 'udp'], ['www', 'tcp'], ['ssh', undefined]]) {
    const r = spawnSync('timeout', ['10', 'getent', 'services', proto ? `${name}/${proto}` : name], { encoding: 'utf8' });
    assert.equal(r.status, 0, `getent services ${name}`);
    const [official, portProto, ...aliases] = r.stdout.trim().split(/\s+/);
    const [port, p] = portProto.split('/');
    assert.deepEqual(getservbyname(name, proto), { name: official, aliases, port: Number(port), proto: p });
    assert.deepEqual(getservbyport(Number(port), p), { name: official, aliases, port: Number(port), proto: p });
  }
  assert.equal(getservbyname('http', 'udp'), null, 'http has no udp entry: the lookup is protocol-aware');
  assert.equal(getservbyname('no-such-service-xs'), null);
  assert.equal(getservbyport(1, 'no-such-proto'), null);
  assert.throws(() => getservbyport(70000), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"port"/ });
  assert.throws(() => getservbyname(80), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"name"/ });
});

test('getnameinfo() agrees with python socket.getnameinfo', async () => {
  const cases = [
    ['127.0.0.1', 80, 0], ['127.0.0.1', 53, NI_DGRAM], ['127.0.0.1', 22, NI_NUMERICHOST],
    ['127.0.0.1', 80, NI_NUMERICSERV], ['127.0.0.1', 80, NI_NUMERICHOST | NI_NUMERICSERV],
    ['127.0.0.1', 61999, 0], ['::1', 443, NI_NUMERICHOST],
  ];
  const r = spawnSync('timeout', ['20', 'python3', '-c', `
import socket, json, sys
print(json.dumps([list(socket.getnameinfo((h, p), f)) for h, p, f in json.loads(sys.stdin.read())]))`],
  { input: JSON.stringify(cases), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const expected = JSON.parse(r.stdout);
  for (let i = 0; i < cases.length; i++) {
    const [address, port, flags] = cases[i];
    const family = address.includes(':') ? 'inet6' : 'inet';
    const got = await getnameinfo({ family, address, port }, flags);
    assert.deepEqual([got.host, got.service], expected[i], `getnameinfo ${JSON.stringify(cases[i])}`);
  }
  assert.deepEqual(await getnameinfo('/run/x.sock'), { host: 'localhost', service: '/run/x.sock' });
  await assert.rejects(getnameinfo('127.0.0.1:80', NI_NUMERICHOST | NI_NAMEREQD), { code: 'EAI_NONAME' });
  await assert.rejects(getnameinfo('127.0.0.1:80', 0x4000), { code: 'EAI_BADFLAGS', message: /0x4000/ });
});

test('text forms: unix, abstract, host:service, [v6]:service, tcp:/udp: prefixes', async () => {
  assert.deepEqual(await resolveAddress('unix:/tmp/a.sock'), [{ address: { family: 'unix', path: '/tmp/a.sock' }, type: C.SOCK_STREAM, protocol: 0 }]);
  assert.deepEqual(await resolveAddress('@abs', { type: 'dgram' }), [{ address: { family: 'unix', abstract: 'abs' }, type: C.SOCK_DGRAM, protocol: 0 }]);
  assert.deepEqual(await resolveAddress('localhost:http'), [{ address: { family: 'inet', address: '127.0.0.1', port: 80 }, type: C.SOCK_STREAM, protocol: 6 }]);
  assert.deepEqual(await resolveAddress('udp:localhost:domain'), [{ address: { family: 'inet', address: '127.0.0.1', port: 53 }, type: C.SOCK_DGRAM, protocol: 17 }]);
  assert.deepEqual((await resolveAddress('tcp6:[::1]:8080')).map((r) => [r.address.address, r.address.port, r.type]), [['::1', 8080, C.SOCK_STREAM]]);
  assert.deepEqual((await resolveAddress('tcp4::9000')).map((r) => [r.address.address, r.address.port]), [['0.0.0.0', 9000]], 'empty host = wildcard');
  await assert.rejects(resolveAddress('udp:localhost:http'), { code: 'EAI_SERVICE', message: /http\/udp/ });
  await assert.rejects(resolveAddress('[localhost]:80'), { code: 'EAI_NONAME' });
  await assert.rejects(resolveAddress('just-a-name'), { code: 'EAI_NONAME', message: /HOST:SERVICE/ });
});

test('bad arguments throw at once, naming the argument', async () => {
  await assert.rejects(resolve(42, 80), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"host"/ });
  await assert.rejects(resolve('localhost', {}), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"service"/ });
  await assert.rejects(resolve('localhost', 80, { flags: 'x' }), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"hints.flags"/ });
  await assert.rejects(resolve('localhost', 80, { type: {} }), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"hints.type"/ });
  await assert.rejects(resolve('localhost', '70000'), { code: 'EAI_SERVICE', message: /70000/ });
  await assert.rejects(resolve('localhost', 80, { type: 'bogus' }), { code: 'EAI_SOCKTYPE', message: /bogus/ });
  await assert.rejects(resolve('localhost', 80, { family: 'unix' }), { code: 'EAI_FAMILY' });
});
