// Netlink, packet, raw ICMP and MPTCP sockets against the kernel and independent tools
// (ip, tcpdump, ping, ss), inside a network namespace this file makes, so nothing the
// tests add or send touches the host's interfaces.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync, writeFileSync } from 'node:fs';
import { checkFdsAtEnd, tempDir, startPeer, need, within, ip, netnsFixture } from './helpers.js';

checkFdsAtEnd();
const dir = tempDir();
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const ns = netnsFixture('xd', { addr: '10.251.0.1/30' });
const { tag, skip, setUp } = ns;
const NS = ns.name;
const VETH = ns.veth;

function run(cmd, args, { ok = true } = {}) {
  const r = spawnSync('timeout', ['10', cmd, ...args], { encoding: 'utf8' });
  if (ok && r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r;
}
const inNs = (cmd, ...args) => run('ip', ['netns', 'exec', NS, cmd, ...args]);

/** Runs an ES module in the namespace; `dist` is the package. */
function script(name, code) {
  const path = join(dir, `${name}.mjs`);
  writeFileSync(path, `import * as x from ${JSON.stringify(dist)};\n${code}`);
  return path;
}
const nsNode = (path, args = [], opts = {}) => startPeer('ip', ['netns', 'exec', NS, process.execPath, path, ...args], { seconds: 20, ...opts });
async function finished(peer) {
  assert.equal(await within(peer.exited, 15000, 'peer'), 0, peer.stderr());
  return peer.lines.map((l) => JSON.parse(l));
}

test('netlink: the RTM_GETLINK dump lists the links `ip -j link` lists, and the addresses `ip -j addr`', { skip }, async () => {
  setUp();
  const peer = nsNode(script('links', `
console.log(JSON.stringify(await x.listLinks()));
console.log(JSON.stringify(await x.listAddresses()));`), [], { ready: false });
  const [links, addrs] = await finished(peer);
  const ipLinks = JSON.parse(inNs('ip', '-j', 'link', 'show').stdout);
  assert.equal(links.length, ipLinks.length);
  const bits = { UP: 0x1, BROADCAST: 0x2, LOOPBACK: 0x8, POINTOPOINT: 0x10, NOARP: 0x80, MULTICAST: 0x1000, LOWER_UP: 0x10000 };
  for (const l of ipLinks) {
    const ours = links.find((k) => k.index === l.ifindex);
    assert.ok(ours, `link ${l.ifname} missing`);
    assert.equal(ours.name, l.ifname);
    assert.equal(ours.mtu, l.mtu);
    assert.equal(ours.address, l.address);
    for (const [flag, bit] of Object.entries(bits)) assert.equal((ours.flags & bit) !== 0, l.flags.includes(flag), `${l.ifname} ${flag}`);
  }
  const ipAddrs = JSON.parse(inNs('ip', '-j', 'addr', 'show').stdout)
    .flatMap((l) => l.addr_info.map((a) => ({ index: l.ifindex, family: a.family === 'inet6' ? 'inet6' : 'inet', address: a.local, prefixlen: a.prefixlen })));
  const mine = addrs.map((a) => ({ index: a.index, family: a.family, address: a.address, prefixlen: a.prefixlen }));
  const key = (a) => `${a.index} ${a.family} ${a.address}/${a.prefixlen}`;
  assert.deepEqual(mine.map(key).sort(), ipAddrs.map(key).sort());
  assert.ok(mine.some((a) => a.address === '10.251.0.1' && a.prefixlen === 30));
});

test('netlink: a socket subscribed to RTMGRP_LINK hears RTM_NEWLINK when a veth is added', { skip }, async () => {
  setUp();
  const name = `xdn${tag}`;
  const peer = nsNode(script('events', `
const s = x.openRouteSocket(x.constants.RTMGRP_LINK);
console.log('READY');
for (;;) {
  const evs = await x.nextRouteEvents(s, { timeout: 10000 });
  const e = evs.find((e) => e.kind === 'link' && e.action === 'new' && e.link.name === process.argv[2]);
  if (e) { console.log(JSON.stringify(e)); break; }
}
s.close();`), [name]);
  await peer.ready;
  ip('-n', NS, 'link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`);
  const [ev] = await finished(peer);
  const [shown] = JSON.parse(ip('-n', NS, '-j', 'link', 'show', name));
  assert.equal(ev.link.index, shown.ifindex);
  assert.equal(ev.link.address, shown.address);
  ip('-n', NS, 'link', 'del', name);
});

test('netlink: a kernel error comes back as the system error', { skip }, async () => {
  setUp();
  const peer = nsNode(script('nlerr', `
const s = x.openRouteSocket();
// RTM_NEWLINK for an existing name with NLM_F_EXCL|NLM_F_CREATE: the kernel answers EEXIST.
const ifi = Buffer.alloc(x.constants.SIZEOF_IFINFOMSG);
const attrs = x.encodeAttributes([{ type: x.constants.IFLA_IFNAME, data: 'lo' }]);
try {
  await x.netlinkRequest(s, { type: x.constants.RTM_NEWLINK, flags: x.constants.NLM_F_ACK | x.constants.NLM_F_CREATE | x.constants.NLM_F_EXCL, payload: Buffer.concat([ifi, attrs]) });
  console.log(JSON.stringify('no error'));
} catch (err) { console.log(JSON.stringify({ code: err.code, syscall: err.syscall })); }
s.close();`), [], { ready: false });
  const [res] = await finished(peer);
  assert.deepEqual(res, { code: 'EEXIST', syscall: 'netlink' });
});

/** The frames of a pcap file (classic format, as tcpdump -w writes). */
function pcapFrames(buf) {
  const le = buf.readUInt32LE(0) === 0xa1b2c3d4 || buf.readUInt32LE(0) === 0xa1b23c4d;
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const frames = [];
  for (let off = 24; off + 16 <= buf.length;) {
    const caplen = u32(off + 8);
    frames.push(buf.subarray(off + 16, off + 16 + caplen).toString('hex'));
    off += 16 + caplen;
  }
  return frames;
}

test('packet: frames sent on one end of a veth arrive on raw and cooked sockets bound to the other, as tcpdump sees them', { skip: skip || need('tcpdump') }, async () => {
  setUp();
  const pcap = join(dir, 'frames.pcap');
  const dump = spawn('timeout', ['20', 'ip', 'netns', 'exec', NS, 'tcpdump', '-i', VETH[1], '-U', '-c', '3', '-w', pcap, 'ether', 'proto', '0x88b5'], { stdio: ['ignore', 'ignore', 'pipe'] });
  after(() => { if (dump.exitCode === null) dump.kill('SIGKILL'); });
  let err = '';
  const dumped = new Promise((r) => dump.on('close', r));
  await within(new Promise((resolve, reject) => {
    dump.stderr.on('data', (d) => { err += d; if (err.includes('listening on')) resolve(); });
    dump.on('close', () => reject(new Error(`tcpdump exited: ${err}`)));
  }), 10000, 'tcpdump to listen');
  const peer = nsNode(script('packet', `
const [from, to] = process.argv.slice(2);
const raw = x.socket('packet', 'raw', 0x88b5);
raw.bind('packet:' + to + ':0x88b5');
const cooked = x.socket('packet', 'dgram', 0x88b5);
cooked.bind({ family: 'packet', protocol: 0x88b5, ifindex: x.ifNameToIndex(to) });
const links = await x.listLinks();
const mac = (n) => Buffer.from(links.find((l) => l.name === n).address.split(':').map((h) => parseInt(h, 16)));
const tx = x.socket('packet', 'raw', 0);
const sent = [];
for (let i = 0; i < 3; i++) {
  const eth = Buffer.concat([mac(to), mac(from), Buffer.from([0x88, 0xb5]), Buffer.from('xsock frame ' + i + ' '.repeat(40))]);
  await tx.sendto(eth, { family: 'packet', protocol: 0x88b5, ifindex: x.ifNameToIndex(from) });
  sent.push(eth.toString('hex'));
}
const got = [], cookedGot = [];
for (let i = 0; i < 3; i++) {
  const d = await raw.recvfrom(2048, 0, { timeout: 5000 });
  got.push({ hex: d.data.toString('hex'), from: d.from });
  const c = await cooked.recvfrom(2048, 0, { timeout: 5000 });
  cookedGot.push({ hex: c.data.toString('hex'), from: c.from });
}
console.log(JSON.stringify({ sent, got, cookedGot, fromMac: links.find((l) => l.name === from).address, toIndex: x.ifNameToIndex(to) }));
for (const s of [raw, cooked, tx]) s.close();`), VETH, { ready: false });
  const [r] = await finished(peer);
  assert.deepEqual(r.got.map((g) => g.hex), r.sent);
  for (const g of r.got) {
    assert.equal(g.from.protocol, 0x88b5);
    assert.equal(g.from.ifindex, r.toIndex);
    assert.equal(g.from.pkttype, 0); // PACKET_HOST: addressed to this end's MAC
    assert.equal(g.from.addr, r.fromMac);
  }
  // SOCK_DGRAM: the kernel strips the link-layer header and reports it in the address.
  assert.deepEqual(r.cookedGot.map((g) => g.hex), r.sent.map((h) => h.slice(28)));
  assert.equal(r.cookedGot[0].from.addr, r.fromMac);
  await within(dumped, 10000, 'tcpdump to exit');
  assert.deepEqual(pcapFrames(readFileSync(pcap)), r.sent);
});

test('packet: PACKET_ADD_MEMBERSHIP promisc and PACKET_AUXDATA reach the kernel', { skip }, async () => {
  setUp();
  const peer = nsNode(script('pktopt', `
import { createInterface } from 'node:readline';
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const s = x.socket('packet', 'raw', 'all');
const ifindex = x.ifNameToIndex(process.argv[2]);
s.setsockopt('SOL_PACKET', 'PACKET_ADD_MEMBERSHIP', { ifindex, type: 'promisc' });
s.setsockopt('SOL_PACKET', 'PACKET_AUXDATA', true);
const aux = s.getsockopt('SOL_PACKET', 'PACKET_AUXDATA');
const stats = s.getsockopt('SOL_PACKET', 'PACKET_STATISTICS');
let bad; try { s.setsockopt('SOL_PACKET', 'PACKET_ADD_MEMBERSHIP', { ifindex, type: 'sometimes' }); } catch (e) { bad = e.code; }
console.log(JSON.stringify({ aux, stats: typeof stats.packets, bad }));
console.log('READY');
await lines.next();
s.setsockopt('SOL_PACKET', 'PACKET_DROP_MEMBERSHIP', { ifindex, type: 'promisc' });
console.log(JSON.stringify('dropped'));
await lines.next();
s.close();`), [VETH[0]]);
  const promiscuity = () => JSON.parse(ip('-n', NS, '-d', '-j', 'link', 'show', VETH[0]))[0].promiscuity;
  const before = promiscuity();
  await peer.ready;
  assert.deepEqual(JSON.parse(peer.lines[0]), { aux: true, stats: 'number', bad: 'ERR_XSOCK_INVALID_ARG_VALUE' });
  assert.equal(promiscuity(), before + 1); // what `ip -d link` calls promiscuity: the kernel's count
  peer.child.stdin.write('drop\n');
  await within((async () => { while (peer.lines.length < 2) await new Promise((r) => setTimeout(r, 10)); })(), 5000, 'drop');
  assert.equal(promiscuity(), before);
  peer.child.stdin.end('done\n');
  await finished(peer);
});

test('packet: recvmsg and recvmmsg work on packet sockets, PACKET_AUXDATA arrives as control data', { skip }, async () => {
  setUp();
  const peer = nsNode(script('pktmsg', `
const r = x.socket('packet', 'raw', 0x88b6);
r.bind('packet:lo:0x88b6');
r.setsockopt('SOL_PACKET', 'PACKET_AUXDATA', true);
const t = x.socket('packet', 'raw', 0);
const frame = Buffer.concat([Buffer.alloc(12), Buffer.from([0x88, 0xb6]), Buffer.from('with aux data')]);
for (let i = 0; i < 3; i++) await t.sendto(frame, { family: 'packet', protocol: 0x88b6, ifindex: x.ifNameToIndex('lo') });
const m = await r.recvmsg({ timeout: 5000 });
const aux = m.control.find((c) => c.level === x.constants.SOL_PACKET && c.type === x.constants.PACKET_AUXDATA);
const batch = await r.recvBatch({ count: 8 }, { timeout: 5000 }).catch((e) => e.code);
console.log(JSON.stringify({ data: m.data.toString('hex'), from: m.from.protocol, auxLen: aux.data.readUInt32LE(4), batch: Array.isArray(batch) ? batch.length : batch }));
r.close(); t.close();`), [], { ready: false });
  const [res] = await finished(peer);
  assert.equal(res.data, Buffer.concat([Buffer.alloc(12), Buffer.from([0x88, 0xb6]), Buffer.from('with aux data')]).toString('hex'));
  assert.equal(res.from, 0x88b6);
  assert.equal(res.auxLen, 27); // tpacket_auxdata.tp_len: the frame's length on the wire
  assert.ok(res.batch >= 1, String(res.batch));
});

test('raw ICMP: an echo to 127.0.0.1 gets the reply ping -c 1 gets', { skip: skip || need('ping') && 'ping is not installed (apt-get install iputils-ping)' }, async () => {
  setUp();
  const peer = nsNode(script('icmp', `
const s = x.socket('inet', 'raw', 'icmp');
const r = await x.icmpEcho(s, { family: 'inet', address: '127.0.0.1', port: 0 }, { seq: 1, data: Buffer.alloc(56, 0x61), timeout: 5000 });
console.log(JSON.stringify({ bytes: r.bytes, ttl: r.reply.ttl, source: r.reply.source, from: r.from.address, ok: r.reply.checksumOk, data: r.reply.data.toString() }));
s.setsockopt('IPPROTO_IP', 'IP_HDRINCL', true);
console.log(JSON.stringify(s.getsockopt('IPPROTO_IP', 'IP_HDRINCL')));
s.close();
const s6 = x.socket('inet6', 'raw', 'ipv6-icmp');
const r6 = await x.icmpEcho(s6, '[::1]:0', { seq: 1, data: Buffer.alloc(56, 0x62), timeout: 5000 });
console.log(JSON.stringify({ bytes: r6.bytes, type: r6.reply.type, from: r6.from.address }));
s6.close();`), [], { ready: false });
  const [mine, hdrincl, mine6] = await finished(peer);
  const out = inNs('ping', '-n', '-c', '1', '-s', '56', '127.0.0.1').stdout;
  const m = /(\d+) bytes from ([\d.]+): icmp_seq=1 ttl=(\d+)/.exec(out);
  assert.ok(m, out);
  assert.deepEqual(mine, { bytes: Number(m[1]), ttl: Number(m[3]), source: m[2], from: m[2], ok: true, data: 'a'.repeat(56) });
  assert.equal(hdrincl, true);
  const out6 = inNs('ping', '-6', '-n', '-c', '1', '-s', '56', '::1').stdout;
  const m6 = /(\d+) bytes from ([\da-f:]+): icmp_seq=1/.exec(out6);
  assert.ok(m6, out6);
  assert.deepEqual(mine6, { bytes: Number(m6[1]), type: 129, from: m6[2] });
});

test('MPTCP: a stream round trip that ss -M shows as an MPTCP connection, with MPTCP_INFO', { skip: skip || need('ss') }, async () => {
  setUp();
  run('ip', ['netns', 'exec', NS, 'sysctl', '-q', '-w', 'net.mptcp.enabled=1'], { ok: false });
  const peer = nsNode(script('mptcp', `
import { createInterface } from 'node:readline';
const l = x.socket('inet', 'stream', 'mptcp');
l.bind('127.0.0.1:0'); l.listen();
const c = x.socket('inet', 'stream', 'mptcp');
await c.connect(l.getsockname(), { timeout: 5000 });
const a = await l.accept({ timeout: 5000 });
await c.sendAll('ping');
const got = (await a.recv(16, 0, { timeout: 5000 })).toString();
await a.sendAll('pong');
const back = (await c.recv(16, 0, { timeout: 5000 })).toString();
let info = null;
try { info = c.getsockopt('SOL_MPTCP', 'MPTCP_INFO').length; } catch (e) { info = e.code; }
console.log(JSON.stringify({ port: l.getsockname().port, got, back, info, protocol: a.protocol, type: a.typeName }));
console.log('READY');
await new Promise((r) => createInterface({ input: process.stdin }).once('line', r));
for (const s of [a, c, l]) s.close();`));
  await peer.ready;
  const [r] = peer.lines.map((line) => JSON.parse(line));
  const ss = inNs('ss', '-H', '-M', '-n', '-a').stdout;
  peer.child.stdin.end('done\n');
  await finished(peer);
  assert.equal(r.got, 'ping');
  assert.equal(r.back, 'pong');
  assert.equal(r.protocol, 262);
  assert.equal(r.type, 'stream');
  assert.ok(typeof r.info === 'number' && r.info > 0, `MPTCP_INFO: ${r.info}`);
  assert.match(ss, new RegExp(`127\\.0\\.0\\.1:${r.port}\\s`), ss);
  assert.ok(ss.split('\n').filter((line) => line.includes(`:${r.port}`)).length >= 2, ss);
});

test('xsock semantics in a namespace with IPv6 disabled prints every other row and says why inet6 is empty', { skip }, async () => {
  const ns6 = `xs6${tag}`;
  ip('netns', 'add', ns6);
  try {
    ip('-n', ns6, 'link', 'set', 'lo', 'up');
    run('ip', ['netns', 'exec', ns6, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1']);
    const bin = fileURLToPath(new URL('../bin/xsock.js', import.meta.url));
    const r = spawnSync('timeout', ['60', 'ip', 'netns', 'exec', ns6, process.execPath, bin, 'semantics', '--json', '--count', '500'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const rows = JSON.parse(r.stdout);
    const row = (d, t) => rows.find((x) => x.domain === d && x.type === t);
    assert.equal(row('inet', 'stream').reliable, true);
    assert.equal(row('unix', 'seqpacket').reliable, true);
    for (const t of ['stream', 'dgram', 'stream mptcp', 'raw ip253']) {
      assert.equal(row('inet6', t).supported, true);
      assert.match(row('inet6', t).note, /EADDRNOTAVAIL ::1:/, t);
    }
  } finally {
    spawnSync('timeout', ['10', 'ip', 'netns', 'del', ns6]);
  }
});
