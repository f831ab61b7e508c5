// Network selection and name-to-address mapping (netconfig, netdir), checked against
// libtirpc's own getnetconfig/taddr2uaddr/uaddr2taddr (a C program built here), python's
// resolver and inet_ntop, and real connections made to the addresses netdir returns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as X from '../dist/xti/index.js';
import { checkFdsAtEnd, tempDir, within, python, have, abstractName } from './helpers.js';

const {
  setnetconfig, getnetconfig, endnetconfig, getnetconfigent, setnetpath, getnetpath, endnetpath, nc_sperror,
  netdir_getbyname, netdir_getbyaddr, taddr2uaddr, uaddr2taddr, netdir_free, netdir_sperror,
  t_open, t_bind, t_getinfo, t_close, t_listen, t_accept, t_connect, t_snd, t_rcv, t_getprotaddr, t_alloc,
  O_RDWR, T_CALL, T_ALL, T_CLTS, T_COTS, T_COTS_ORD, NC_TPI_CLTS, NC_TPI_COTS, NC_TPI_COTS_ORD, NC_VISIBLE,
  HOST_SELF, HOST_SELF_CONNECT, ND_NOHOST, ND_NOSERV, ND_BADARG, ND_UKNWN, ND_ADDRLIST,
} = X;

checkFdsAtEnd();
const dir = tempDir();
const SHIPPED = '-';
function withTable(value, fn) {
  const old = process.env.XSOCK_NETCONFIG;
  if (value === undefined) delete process.env.XSOCK_NETCONFIG;
  else process.env.XSOCK_NETCONFIG = value;
  try {
    return fn();
  } finally {
    if (old === undefined) delete process.env.XSOCK_NETCONFIG;
    else process.env.XSOCK_NETCONFIG = old;
  }
}

// libtirpc as the oracle: the same calls in C, one per command line.
const ORACLE = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netconfig.h>
#include <rpc/rpc.h>
int main(int argc, char **argv) {
  if (!strcmp(argv[1], "list")) {
    void *h = setnetconfig(); struct netconfig *nc;
    while ((nc = getnetconfig(h)))
      printf("%s %lu %lu %s %s %lu\\n", nc->nc_netid, nc->nc_semantics, nc->nc_flag, nc->nc_protofmly, nc->nc_proto, nc->nc_nlookups);
    endnetconfig(h);
    return 0;
  }
  struct netconfig *nc = getnetconfigent(argv[2]);
  if (!nc) return 2;
  if (!strcmp(argv[1], "t2u")) {           /* t2u NETID HEXBYTES */
    unsigned char b[128]; size_t n = strlen(argv[3]) / 2;
    for (size_t i = 0; i < n; i++) sscanf(argv[3] + 2 * i, "%2hhx", &b[i]);
    struct netbuf nb = { n, n, b };
    char *u = taddr2uaddr(nc, &nb);
    printf("%s\\n", u ? u : "(null)");
  } else {                                 /* u2t NETID UADDR */
    struct netbuf *nb = uaddr2taddr(nc, argv[3]);
    if (!nb) { printf("(null)\\n"); return 0; }
    for (unsigned i = 0; i < nb->len; i++) printf("%02x", ((unsigned char *)nb->buf)[i]);
    printf("\\n");
  }
  return 0;
}
`;
let oracle = null;
function buildOracle() {
  if (oracle !== null) return oracle;
  oracle = false;
  if (!have('cc') || !existsSync('/usr/include/tirpc/netconfig.h')) return oracle;
  const src = join(dir, 'oracle.c');
  writeFileSync(src, ORACLE);
  const bin = join(dir, 'oracle');
  const r = spawnSync('cc', ['-I/usr/include/tirpc', '-o', bin, src, '-ltirpc']);
  if (r.status === 0) oracle = bin;
  return oracle;
}
const noOracle = () => (buildOracle() ? false : 'needs cc and libtirpc-dev (the C oracle)');
function runOracle(...args) {
  const r = spawnSync(oracle, args, { encoding: 'utf8', timeout: 5000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('the shipped table: every provider, Solaris fields, each device opens with the matching service type', () => {
  withTable(SHIPPED, () => {
    const h = setnetconfig();
    const seen = [];
    let nc;
    while ((nc = getnetconfig(h))) seen.push(nc);
    assert.equal(nc_sperror(), 'no more entries in /etc/netconfig');
    assert.equal(endnetconfig(h), 0);
    assert.equal(endnetconfig(h), -1);
    assert.equal(nc_sperror(), 'routine called before calling setnetpath() or setnetconfig()');
    assert.deepEqual(seen.map((n) => n.nc_netid), ['udp6', 'tcp6', 'udp', 'tcp', 'ticlts', 'ticotsord', 'ticots']);
    const servtype = { [NC_TPI_CLTS]: T_CLTS, [NC_TPI_COTS]: T_COTS, [NC_TPI_COTS_ORD]: T_COTS_ORD };
    for (const n of seen) {
      assert.equal(n.nc_flag, NC_VISIBLE, n.nc_netid);
      assert.equal(n.nc_nlookups, n.nc_lookups.length);
      const fd = t_open(n.nc_device, O_RDWR);
      const info = {};
      t_getinfo(fd, info);
      t_close(fd);
      assert.equal(info.servtype, servtype[n.nc_semantics], n.nc_netid);
    }
    const tcp = getnetconfigent('tcp');
    assert.deepEqual({ ...tcp, nc_unused: undefined }, {
      nc_netid: 'tcp', nc_semantics: NC_TPI_COTS_ORD, nc_flag: NC_VISIBLE, nc_protofmly: 'inet', nc_proto: 'tcp',
      nc_device: '/dev/tcp', nc_nlookups: 0, nc_lookups: [], nc_unused: undefined,
    });
    assert.deepEqual(getnetconfigent('ticots').nc_lookups, ['straddr.so']);
    assert.equal(getnetconfigent('nosuch'), null);
    assert.equal(nc_sperror(), 'netid not found in /etc/netconfig');
    assert.throws(() => getnetconfigent(7), (e) => e.code === 'ERR_XSOCK_INVALID_ARG_TYPE' && /netid/.test(e.message));
    assert.throws(() => getnetconfig({}), (e) => e.code === 'ERR_XSOCK_INVALID_ARG_TYPE' && /handlep/.test(e.message));
  });
});

test('/etc/netconfig is honoured: the same entries libtirpc reads, devices supplied for its "-"', { skip: !existsSync('/etc/netconfig') ? 'no /etc/netconfig here' : noOracle() }, () => {
  withTable(undefined, () => {
    const h = setnetconfig();
    const ours = [];
    let nc;
    while ((nc = getnetconfig(h))) ours.push(nc);
    endnetconfig(h);
    const theirs = runOracle('list').split('\n');
    assert.deepEqual(ours.map((n) => `${n.nc_netid} ${n.nc_semantics} ${n.nc_flag} ${n.nc_protofmly} ${n.nc_proto} ${n.nc_nlookups}`), theirs);
    const tcp = getnetconfigent('tcp');
    if (tcp) assert.equal(tcp.nc_device, '/dev/tcp');
  });
});

test('a netconfig file in the Solaris format: escapes, flags, lookups, NETPATH order; bad lines and missing files', () => {
  const file = join(dir, 'netconfig');
  writeFileSync(file, [
    '# comment line',
    '',
    'tcp\ttpi_cots_ord v inet tcp /dev/tcp -   # trailing comment',
    'udp  tpi_clts  vb  inet  udp  /dev/udp  a.so,b.so',
    'hidden tpi_cots - loopback - /dev/ticots straddr.so',
    'odd\\ name tpi_raw - inet - /dev/rawip -',
  ].join('\n'));
  withTable(file, () => {
    const udp = getnetconfigent('udp');
    assert.equal(udp.nc_flag, X.NC_VISIBLE | X.NC_BROADCAST);
    assert.deepEqual(udp.nc_lookups, ['a.so', 'b.so']);
    assert.equal(udp.nc_nlookups, 2);
    assert.equal(getnetconfigent('hidden').nc_flag, X.NC_NOFLAG);
    assert.equal(getnetconfigent('odd name').nc_semantics, X.NC_TPI_RAW);
    const old = process.env.NETPATH;
    try {
      delete process.env.NETPATH;
      let h = setnetpath();
      const visible = [];
      let nc;
      while ((nc = getnetpath(h))) visible.push(nc.nc_netid);
      assert.equal(endnetpath(h), 0);
      assert.deepEqual(visible, ['tcp', 'udp']);
      process.env.NETPATH = 'hidden:nosuch:tcp';
      h = setnetpath();
      const path = [];
      while ((nc = getnetpath(h))) path.push(nc.nc_netid);
      endnetpath(h);
      assert.deepEqual(path, ['hidden', 'tcp']);
    } finally {
      if (old === undefined) delete process.env.NETPATH;
      else process.env.NETPATH = old;
    }
  });
  const badFile = join(dir, 'netconfig.bad');
  writeFileSync(badFile, 'tcp tpi_cots_ord v inet tcp /dev/tcp -\n\nudp tpi_datagram v inet udp /dev/udp -\n');
  withTable(badFile, () => {
    assert.equal(setnetconfig(), null);
    assert.equal(X.nc_error, X.NC_BADLINE);
    assert.equal(nc_sperror(), 'error in /etc/netconfig: field 2 of line 3\n');
    assert.equal(getnetconfigent('tcp'), null);
  });
  withTable(join(dir, 'missing'), () => {
    assert.equal(setnetconfig(), null);
    assert.equal(nc_sperror(), 'cannot open /etc/netconfig');
  });
});

const hex = (b) => Buffer.from(b).toString('hex');
const INET = ['127.0.0.1:111', '10.1.2.3:65535', '0.0.0.0:0', '192.168.255.1:256'];
const INET6 = ['[::1]:2049', '[::]:0', '[fe80::1:2:3]:80', '[::ffff:1.2.3.4]:513', '[2001:db8::]:1', '[1:0:0:1::]:40000', '[2001:db8:0:1:1:1:1:1]:7'];

test('taddr2uaddr/uaddr2taddr agree with libtirpc on inet and inet6 addresses, both ways', { skip: noOracle() }, () => {
  withTable(SHIPPED, () => {
    for (const [netid, list] of [['tcp', INET], ['udp6', INET6]]) {
      const nc = getnetconfigent(netid);
      for (const text of list) {
        const nb = X.netbufOf(X.addressBytes(text));
        const ours = taddr2uaddr(nc, nb);
        assert.equal(ours, runOracle('t2u', netid, hex(nb.buf)), text);
        const back = uaddr2taddr(nc, ours);
        assert.equal(hex(back.buf.subarray(0, back.len)), runOracle('u2t', netid, ours), ours);
        assert.equal(hex(back.buf.subarray(0, back.len)), hex(nb.buf), `${text} round trip`);
      }
    }
  });
});

test('universal addresses computed independently by python (inet_ntop, port bytes)', async () => {
  const peer = python(`
import socket, sys
for a in sys.argv[1:]:
    host, port = a.rsplit(':', 1); port = int(port)
    host = host.strip('[]')
    fam = socket.AF_INET6 if ':' in host else socket.AF_INET
    print('%s.%d.%d' % (socket.inet_ntop(fam, socket.inet_pton(fam, host)), port >> 8, port & 255))
print('READY', flush=True)
`, [...INET, ...INET6]);
  await peer.ready;
  withTable(SHIPPED, () => {
    const tcp = getnetconfigent('tcp');
    const tcp6 = getnetconfigent('tcp6');
    const ours = [...INET, ...INET6].map((a) => taddr2uaddr(a.startsWith('[') ? tcp6 : tcp, X.netbufOf(X.addressBytes(a))));
    assert.deepEqual(ours, peer.lines);
    // Another transport's address, or a malformed universal address: null, ND_BADARG.
    assert.equal(taddr2uaddr(tcp, X.netbufOf(X.addressBytes('[::1]:1'))), null);
    assert.equal(X._nderror, ND_BADARG);
    for (const bad of ['1.2.3.4.5', '1.2.3.4.256.0', '1.2.3.999.0.1', '::1.0.1', 'x']) {
      assert.equal(uaddr2taddr(tcp, bad), null, bad);
      assert.equal(netdir_sperror(), 'n2a: bad arguments passed to routine');
    }
    assert.equal(uaddr2taddr(tcp6, '1.2.3.4.0.1'), null);
  });
});

test('loopback universal addresses: the string, with \\ doubled and unprintable bytes as \\ooo', () => {
  withTable(SHIPPED, () => {
    const nc = getnetconfigent('ticotsord');
    const raw = Buffer.from([0x6c, 0x6f, 0x2e, 0x5c, 0x0a, 0x00, 0xff, 0x41]);
    const u = taddr2uaddr(nc, X.netbufOf(raw));
    assert.equal(u, 'lo.\\\\\\012\\000\\377A');
    assert.deepEqual(uaddr2taddr(nc, u).buf, raw);
    assert.equal(uaddr2taddr(nc, 'bad\\9'), null);
  });
});

test('netdir_getbyname on tcp/udp: the resolver\'s addresses and the services database, as python finds them', async () => {
  const peer = python(`
import socket
for fam, typ in ((socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET, socket.SOCK_DGRAM)):
    print(sorted(set('%s:%d' % r[4][:2] for r in socket.getaddrinfo('localhost', 'daytime', fam, typ))))
print(socket.getservbyname('domain', 'udp'))
print('READY', flush=True)
`);
  await peer.ready;
  const nc = withTable(SHIPPED, () => getnetconfigent('tcp'));
  const udp = withTable(SHIPPED, () => getnetconfigent('udp'));
  const text = (l) => JSON.stringify([...new Set(l.n_addrs.map((a) => taddr2uaddr(nc, a)))].map((u) => {
    const p = u.split('.');
    return `${p.slice(0, 4).join('.')}:${Number(p[4]) * 256 + Number(p[5])}`;
  }).sort()).replaceAll('"', "'").replaceAll(',', ', ');
  const tcpList = await netdir_getbyname(nc, { h_host: 'localhost', h_serv: 'daytime' });
  assert.equal(tcpList.n_cnt, tcpList.n_addrs.length);
  assert.equal(text(tcpList), peer.lines[0]);
  assert.equal(text(await netdir_getbyname(udp, { h_host: 'localhost', h_serv: 'daytime' })), peer.lines[1]);
  const dns = await netdir_getbyname(udp, { h_host: '127.0.0.1', h_serv: 'domain' });
  assert.equal(taddr2uaddr(udp, dns.n_addrs[0]), `127.0.0.1.0.${peer.lines[2]}`);
  assert.equal(taddr2uaddr(nc, (await netdir_getbyname(nc, { h_host: HOST_SELF, h_serv: '8080' })).n_addrs[0]), '0.0.0.0.31.144');
  assert.equal(taddr2uaddr(nc, (await netdir_getbyname(nc, { h_host: HOST_SELF_CONNECT, h_serv: 'rpcbind' })).n_addrs[0]), '127.0.0.1.0.111');
  await assert.rejects(netdir_getbyname(nc, { h_host: 'localhost', h_serv: 'no-such-service' }), (e) => e.nd_errno === ND_NOSERV && e.code === 'ND_NOSERV');
  assert.equal(netdir_sperror(), 'n2a: service name not found');
  await assert.rejects(netdir_getbyname(nc, { h_host: 'no-such-host.invalid', h_serv: '13' }), (e) => e.nd_errno === ND_NOHOST);
  assert.equal(netdir_sperror(), 'n2a: hostname not found');
  await assert.rejects(netdir_getbyname(nc, { h_host: 'localhost', h_serv: '65536' }), (e) => e.nd_errno === ND_NOSERV);
  await assert.rejects(netdir_getbyname(nc, { h_host: X.HOST_BROADCAST, h_serv: '1' }), (e) => e.nd_errno === ND_NOHOST);
  await assert.rejects(netdir_getbyname(null, { h_host: 'x', h_serv: 'y' }), (e) => e.code === 'ERR_XSOCK_INVALID_ARG_TYPE' && /netconfigp/.test(e.message));
  await assert.rejects(netdir_getbyname(nc, { h_host: 3 }), (e) => e.code === 'ERR_XSOCK_INVALID_ARG_TYPE' && /h_host/.test(e.message));
  netdir_free(tcpList, ND_ADDRLIST);
  assert.equal(tcpList.n_cnt, 0);
  netdir_free(tcpList, 42);
  assert.equal(X._nderror, ND_UKNWN);
});

test('netdir_getbyaddr: host and service names of an address, as python\'s getnameinfo gives them', async () => {
  const peer = python(`
import socket
print(socket.getnameinfo(('127.0.0.1', 13), socket.NI_NAMEREQD)[0])
print('READY', flush=True)
`);
  await peer.ready;
  const nc = withTable(SHIPPED, () => getnetconfigent('tcp'));
  const list = await netdir_getbyaddr(nc, uaddr2taddr(nc, '127.0.0.1.0.13'));
  assert.deepEqual(list, { h_cnt: 1, h_hostservs: [{ h_host: peer.lines[0], h_serv: 'daytime' }] });
  const unnamed = await netdir_getbyaddr(nc, uaddr2taddr(nc, '127.0.0.1.234.96'));
  assert.equal(unnamed.h_hostservs[0].h_serv, String(234 * 256 + 96));
  await assert.rejects(netdir_getbyaddr(nc, X.netbufOf(Buffer.alloc(3))), (e) => e.nd_errno === ND_BADARG);
});

test('loopback netdir: the address netdir_getbyname gives is one a ticotsord server binds and a client reaches', async () => {
  const nc = withTable(SHIPPED, () => getnetconfigent('ticotsord'));
  const service = abstractName('nd');
  const [where] = (await netdir_getbyname(nc, { h_host: HOST_SELF, h_serv: service })).n_addrs;
  assert.equal(where.buf.toString(), `localhost.${service}`);
  assert.deepEqual(await netdir_getbyaddr(nc, where), { h_cnt: 1, h_hostservs: [{ h_host: 'localhost', h_serv: service }] });
  await assert.rejects(netdir_getbyname(nc, { h_host: 'elsewhere.example', h_serv: service }), (e) => e.nd_errno === ND_NOHOST);
  const srv = t_open(nc.nc_device, O_RDWR);
  const cli = t_open(nc.nc_device, O_RDWR);
  try {
    const ret = { addr: { len: 0 }, qlen: 0 };
    t_bind(srv, { addr: where, qlen: 1 }, ret);
    assert.equal(taddr2uaddr(nc, ret.addr), `localhost.${service}`, 'the library-filled netbuf holds the bound address');
    t_bind(cli, null, null);
    const call = t_alloc(cli, T_CALL, T_ALL);
    const [to] = (await netdir_getbyname(nc, { h_host: 'localhost', h_serv: service })).n_addrs;
    to.buf.copy(call.addr.buf);
    call.addr.len = to.len;
    const connecting = t_connect(cli, call, null);
    const ind = t_alloc(srv, T_CALL, T_ALL);
    await within(Promise.resolve(t_listen(srv, ind)), 3000, 't_listen');
    t_accept(srv, srv, ind);
    await within(Promise.resolve(connecting), 3000, 't_connect');
    await t_snd(cli, Buffer.from('via netdir'), 10, 0);
    const buf = Buffer.alloc(32);
    const n = await within(Promise.resolve(t_rcv(srv, buf, 32, {})), 3000, 't_rcv');
    assert.equal(buf.toString('utf8', 0, n), 'via netdir');
  } finally {
    t_close(srv);
    t_close(cli);
  }
});

test('a netbuf left for the library to fill ({ len: 0 }, {}) receives the address; { maxlen: 0 } still returns none', async () => {
  const fd = t_open('/dev/tcp', O_RDWR);
  try {
    const ret = { addr: { len: 0 }, qlen: 0 };
    t_bind(fd, { addr: { buf: X.addressBytes('127.0.0.1:0') }, qlen: 1 }, ret);
    assert.equal(ret.addr.len, 16);
    assert.equal(ret.addr.maxlen, 16);
    const port = ret.addr.buf.readUInt16BE(2);
    assert.ok(port > 0);
    const bound = { addr: {} };
    const none = { addr: { maxlen: 0 } };
    t_getprotaddr(fd, bound, none);
    assert.deepEqual(bound.addr.buf, ret.addr.buf);
    assert.equal(none.addr.len, 0);
    // A python client reaches the port the filled netbuf names.
    const peer = python('import socket, sys\nsocket.create_connection(("127.0.0.1", int(sys.argv[1])), 3).close()\nprint("READY", flush=True)', [String(port)]);
    await peer.ready;
    const fresh = t_open('/dev/tcp', O_RDWR);
    try {
      assert.throws(() => t_bind(fresh, { addr: { len: 3 }, qlen: 0 }, null), (e) => e.code === 'ERR_XSOCK_INVALID_ARG_TYPE' && /req\.addr\.buf/.test(e.message));
    } finally {
      t_close(fresh);
    }
    assert.throws(() => t_getprotaddr(fd, { addr: { maxlen: 4 } }, null), (e) => /boundaddr\.addr\.buf/.test(e.message));
  } finally {
    t_close(fd);
  }
});

test('examples/xti-netdir-daytime.mjs finds a python daytime server through netdir and prints its time', async () => {
  const peer = python(`
import socket
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
print(s.getsockname()[1]); print('READY', flush=True)
c, _ = s.accept(); c.sendall(b'Tue Dec  1 12:00:00 2026\\r\\n'); c.close()
`);
  await peer.ready;
  const port = Number(peer.lines.shift());
  const example = fileURLToPath(new URL('../examples/xti-netdir-daytime.mjs', import.meta.url));
  const c = spawn('timeout', ['20', process.execPath, example, 'localhost', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XSOCK_NETCONFIG: '-' },
  });
  let out = '';
  let err = '';
  c.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  c.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  const code = await within(new Promise((r) => c.on('close', r)), 20000, 'the example');
  assert.equal(code, 0, err);
  assert.match(out, new RegExp(`^server 127\\.0\\.0\\.1\\.${port >> 8}\\.${port & 255}$`, 'm'));
  assert.match(out, /^Tue Dec {2}1 12:00:00 2026\r?$/m);
  // An unknown service: the example reports netdir_perror's text and exits 1.
  const bad = spawnSync(process.execPath, [example, 'localhost', 'no-such-service'], { encoding: 'utf8', timeout: 10000 });
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr, 'netdir_getbyname: n2a: service name not found\n');
});
