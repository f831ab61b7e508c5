// The netlink, packet and vsock address forms and the per-domain protocol argument: every
// form round-trips object -> text -> object and object -> sockaddr -> object, the kernel
// agrees with what we encode (getsockname after bind), and fuzzed bad input gets a code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import {
  socket, parseAddress, formatAddress, constants as C, getprotobyname, getprotobynumber, ifNameToIndex, ifIndexToName,
  Socket,
} from '../dist/index.js';
import { encodeAddress, decodeAddress, ADDR_BUF_SIZE } from '../dist/address.js';
import { checkFdsAtEnd, need } from './helpers.js';

checkFdsAtEnd();
const root = process.getuid?.() === 0;
const py = need('python3');

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const mac = fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':'));
const plain = (a) => ({ ...a }); // fast-check records have a null prototype
const netlinkAddr = fc.record({ family: fc.constant('netlink'), pid: u32, groups: u32 }).map(plain);
const vsockAddr = fc.record({ family: fc.constant('vsock'), cid: u32, port: u32 }).map(plain);
// ifindex 0 (any), 1 (lo, named in text) and indexes no interface has (numeric in text).
const packetAddr = fc.record({
  family: fc.constant('packet'), protocol: fc.integer({ min: 0, max: 0xffff }),
  ifindex: fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 100000, max: 0x7fffffff })),
  hatype: fc.integer({ min: 0, max: 0xffff }), pkttype: fc.integer({ min: 0, max: 255 }), addr: mac,
}).map(plain);

test('netlink, vsock and packet addresses round-trip through text', () => {
  fc.assert(fc.property(fc.oneof(netlinkAddr, vsockAddr, packetAddr), (a) => {
    assert.deepEqual(parseAddress(formatAddress(a)), a);
  }), { numRuns: 500 });
});

test('and through struct sockaddr (by addrlen)', () => {
  const buf = Buffer.alloc(ADDR_BUF_SIZE);
  fc.assert(fc.property(fc.oneof(netlinkAddr, vsockAddr, packetAddr), (a) => {
    const len = encodeAddress(a, buf);
    assert.equal(len, { netlink: C.SIZEOF_SOCKADDR_NL, vsock: C.SIZEOF_SOCKADDR_VM, packet: C.SIZEOF_SOCKADDR_LL }[a.family]);
    assert.deepEqual(decodeAddress(buf, len), a);
  }), { numRuns: 500 });
});

test('text forms: names for interfaces, ethertypes, CIDs and packet types', () => {
  assert.deepEqual(parseAddress('netlink:0'), { family: 'netlink', pid: 0, groups: 0 });
  assert.deepEqual(parseAddress('netlink:77:0x11'), { family: 'netlink', pid: 77, groups: 0x11 });
  assert.deepEqual(parseAddress('vsock:local:1234'), { family: 'vsock', cid: C.VMADDR_CID_LOCAL, port: 1234 });
  assert.deepEqual(parseAddress('vsock:host:any'), { family: 'vsock', cid: C.VMADDR_CID_HOST, port: C.VMADDR_PORT_ANY });
  assert.equal(formatAddress({ family: 'vsock', cid: C.VMADDR_CID_ANY, port: 5 }), 'vsock:any:5');
  assert.deepEqual(parseAddress('packet:lo:ip'), { family: 'packet', protocol: 0x0800, ifindex: 1 });
  assert.deepEqual(parseAddress('packet:any:0x88b5?pkttype=outgoing&addr=02:00:00:00:00:01'),
    { family: 'packet', protocol: 0x88b5, ifindex: 0, pkttype: C.PACKET_OUTGOING, addr: '02:00:00:00:00:01' });
  assert.equal(formatAddress({ family: 'packet', protocol: 0x86dd, ifindex: 1 }), 'packet:lo:0x86dd');
});

test('malformed text and objects get a named code, never a crash', () => {
  const codes = new Set(['ERR_XSOCK_BAD_ADDRESS', 'ERR_XSOCK_OUT_OF_RANGE', 'ERR_XSOCK_INVALID_ARG_TYPE', 'ERR_XSOCK_INVALID_ARG_VALUE', 'ERR_XSOCK_PATH_TOO_LONG']);
  const prefixed = fc.tuple(fc.constantFrom('netlink:', 'packet:', 'vsock:', 'packet:lo:', 'vsock:local:', 'packet:lo?'), fc.string({ maxLength: 40 }))
    .map(([p, s]) => p + s);
  fc.assert(fc.property(prefixed, (text) => {
    try {
      const a = parseAddress(text);
      assert.deepEqual(parseAddress(formatAddress(a)), a); // what parses is well-formed
    } catch (err) {
      assert.ok(codes.has(err.code), `${JSON.stringify(text)}: ${err.code} ${err.message}`);
    }
  }), { numRuns: 2000 });
  const buf = Buffer.alloc(ADDR_BUF_SIZE);
  const junk = fc.oneof(fc.anything(), fc.integer(), fc.double(), fc.string());
  const badObj = fc.oneof(
    fc.record({ family: fc.constant('netlink'), pid: junk, groups: junk }),
    fc.record({ family: fc.constant('vsock'), cid: junk, port: junk }),
    fc.record({ family: fc.constant('packet'), protocol: junk, ifindex: junk, addr: junk }),
  );
  fc.assert(fc.property(badObj, (a) => {
    try {
      encodeAddress(a, buf);
    } catch (err) {
      assert.ok(codes.has(err.code), `${err.code} ${err.message}`);
    }
  }), { numRuns: 2000 });
  for (const [text, code] of [['netlink:x', 'ERR_XSOCK_BAD_ADDRESS'], ['netlink:4294967296', 'ERR_XSOCK_OUT_OF_RANGE'],
    ['packet:no-such-if0', 'ERR_XSOCK_BAD_ADDRESS'], ['packet:lo:0x10000', 'ERR_XSOCK_OUT_OF_RANGE'], ['packet:lo?addr=zz', 'ERR_XSOCK_BAD_ADDRESS'],
    ['packet:lo?color=red', 'ERR_XSOCK_BAD_ADDRESS'], ['vsock:1', 'ERR_XSOCK_BAD_ADDRESS'], ['vsock:guest:1', 'ERR_XSOCK_BAD_ADDRESS']]) {
    assert.throws(() => parseAddress(text), { code }, text);
  }
  assert.throws(() => encodeAddress({ family: 'packet', protocol: 0, ifindex: 1, addr: '1:2:3:4:5:6:7:8:9' }, buf), { code: 'ERR_XSOCK_BAD_ADDRESS' });
});

test('socket() takes protocol names and 16-bit numbers per domain, and refuses the rest by name', (t) => {
  assert.throws(() => socket('inet', 'raw', 'no-such-proto'), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /protocol/ });
  assert.throws(() => socket('netlink', 'raw', 'no-such'), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /route/ });
  assert.throws(() => socket('netlink', 'raw', 32), { code: 'ERR_XSOCK_OUT_OF_RANGE' });
  assert.throws(() => socket('packet', 'raw', 0x10000), { code: 'ERR_XSOCK_OUT_OF_RANGE' });
  assert.throws(() => socket('packet', 'raw', -1), { code: 'ERR_XSOCK_OUT_OF_RANGE' });
  assert.throws(() => socket('unix', 'stream', 'tcp'), { code: 'ERR_XSOCK_INVALID_ARG_VALUE' });
  assert.throws(() => socket('inet', 'stream', 1.5), { code: 'ERR_XSOCK_INVALID_ARG_TYPE' });
  assert.throws(() => socket('inet', 'stream', 0x10000), { code: 'ERR_XSOCK_OUT_OF_RANGE' });
  assert.throws(() => socket('appletalk', 'stream'), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /netlink/ });
  const m = socket('inet', 'stream', 'mptcp');
  assert.equal(m.protocol, 262);
  assert.equal(m.getsockopt('SOL_SOCKET', 'SO_PROTOCOL'), 262);
  m.close();
  const n = socket('netlink', 'dgram', 'kobject_uevent');
  assert.equal(n.protocol, C.NETLINK_KOBJECT_UEVENT);
  assert.equal(n.domainName, 'netlink');
  n.close();
});

test('getprotobyname/getprotobynumber agree with the C library', { skip: py }, () => {
  const names = ['icmp', 'tcp', 'udp', 'ipv6-icmp', 'sctp', 'gre', 'mptcp'];
  const r = spawnSync('python3', ['-c', `import socket,sys\nfor n in sys.argv[1:]:\n  try: print(socket.getprotobyname(n))\n  except OSError: print(-1)`, ...names], { encoding: 'utf8' });
  const libc = r.stdout.trim().split('\n').map(Number);
  names.forEach((n, i) => {
    if (libc[i] >= 0) assert.equal(getprotobyname(n)?.number, libc[i], n);
  });
  assert.equal(getprotobyname('icmpv6')?.number, 58);
  assert.equal(getprotobynumber(6)?.name, 'tcp');
  assert.equal(getprotobyname('no-such'), null);
});

test('interface name <-> index agree with the C library', { skip: py }, () => {
  const r = spawnSync('python3', ['-c', 'import socket,json; print(json.dumps(socket.if_nameindex()))'], { encoding: 'utf8' });
  const list = JSON.parse(r.stdout);
  assert.ok(list.length > 0);
  for (const [index, name] of list) {
    assert.equal(ifNameToIndex(name), index);
    assert.equal(ifIndexToName(index), name);
  }
  assert.equal(ifIndexToName(0x7ffffff0), null);
  assert.throws(() => ifNameToIndex('no-such-if0'), { code: 'ERR_XSOCK_INVALID_ARG_VALUE' });
  assert.throws(() => ifNameToIndex('x'.repeat(16)), { code: 'ERR_XSOCK_INVALID_ARG_VALUE' });
  assert.throws(() => ifNameToIndex('a\0b'), { code: 'ERR_XSOCK_INVALID_ARG_VALUE' });
});

test('the kernel reads what we encode: netlink pid, packet ethertype in network order', { skip: !root && 'packet sockets need root' }, () => {
  const n = socket('netlink', 'raw', 'route');
  n.bind({ family: 'netlink', pid: 0, groups: C.RTMGRP_LINK });
  const me = n.getsockname();
  assert.equal(me.family, 'netlink');
  assert.ok(me.pid > 0);
  assert.equal(me.groups, C.RTMGRP_LINK);
  n.close();

  const p = socket('packet', 'raw', 0x88b5);
  assert.equal(p.protocol, 0x88b5);
  // Unbound, sll_protocol is the socket's own (network-order) protocol: proof of the swap.
  assert.equal(p.getsockname().protocol, 0x88b5);
  p.bind('packet:lo:0x88b5');
  const name = p.getsockname();
  assert.equal(name.protocol, 0x88b5);
  assert.equal(name.ifindex, ifNameToIndex('lo'));
  assert.equal(name.hatype, 772); // ARPHRD_LOOPBACK
  const adopted = Socket.fromFd(p.detach());
  assert.equal(adopted.protocol, 0x88b5);
  adopted.close();
});

test('vsock: a loopback round trip where a transport is loaded, otherwise an error that says so', async () => {
  let s;
  try {
    s = socket('vsock', 'stream');
  } catch (err) {
    assert.match(err.message, /vsock|domain/);
    return;
  }
  try {
    s.bind({ family: 'vsock', cid: C.VMADDR_CID_LOCAL, port: C.VMADDR_PORT_ANY });
  } catch (err) {
    s.close();
    assert.equal(err.code, 'EADDRNOTAVAIL');
    assert.equal(err.syscall, 'bind');
    assert.match(err.message, /no vsock transport is loaded \(modprobe vsock_loopback/);
    return;
  }
  s.listen();
  const c = socket('vsock', 'stream');
  try {
    await c.connect(s.getsockname(), { timeout: 5000 });
    const a = await s.accept({ timeout: 5000 });
    await c.sendAll('over vsock');
    assert.equal((await a.recv(64, 0, { timeout: 5000 })).toString(), 'over vsock');
    assert.equal(a.remoteAddress.family, 'vsock');
    a.close();
  } finally {
    c.close();
    s.close();
  }
});
