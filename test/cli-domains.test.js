// The command's raw IP, packet, netlink and vsock addresses, run as a black box inside a
// network namespace this file makes: what the kernel delivers is checked against what
// was sent and against the library's own decoders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { checkFdsAtEnd, tempDir, ip, netnsFixture } from './helpers.js';
import { xsock } from './cli-helpers.js';
import { decodeRouteEvents, buildEcho, parseIcmp, socket, constants as C } from '../dist/index.js';

checkFdsAtEnd();
const dir = tempDir();
const ns = netnsFixture('xc');
const { tag, skip, setUp } = ns;
const NS = ns.name;
const VETH = ns.veth;

test('bad domain addresses are usage errors (exit 2) that name the fault', async () => {
  const cases = [
    ['ip-sendto:localhost:icmp', /numeric/], ['ip-recv:999', /IP protocol/], ['ip6-sendto:127.0.0.1:icmp', /not an IPv6/],
    ['interface:', /interface name/], ['interface:lo,ethertype=0x10000', /ethertype/], ['interface:no-such-if0', /unknown interface/],
    ['netlink:nope', /netlink protocol/], ['netlink:route,groups=x', /groups/], ['netlink:route,color=1', /unknown option 'color'/],
    ['vsock-connect:bogus:1', /CID:PORT/], ['vsock-listen:1,type=dgram', /stream or seqpacket/],
  ];
  for (const [addr, why] of cases) {
    const { code, stderr } = await xsock([addr, '-'], { seconds: 10 }).exited;
    assert.equal(code, 2, `${addr}: ${stderr}`);
    assert.match(stderr, why, addr);
  }
  const help = await xsock(['relay', '--help'], { seconds: 10 }).exited;
  for (const k of ['ip-sendto:', 'ip-recv:', 'interface:', 'vsock-connect:', 'vsock-listen:', 'netlink:']) assert.ok(help.stdout.toString().includes(k), k);
});

test('netlink:route,groups=0x1 relays RTM_NEWLINK events, hex-dumped under -v', { skip }, async () => {
  setUp();
  const out = join(dir, 'nl.bin');
  const x = xsock(['--json', '-v', '-u', 'netlink:route,groups=0x1', `create:${out}`], { netns: NS, seconds: 20 });
  await x.event('listening');
  await x.event('open');
  await new Promise((r) => setTimeout(r, 200)); // the second endpoint opens right after
  const name = `xcn${tag}`;
  ip('-n', NS, 'link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`);
  // A veth pair is two RTM_NEWLINKs (and more as it changes): look through every datagram.
  await x.event('data');
  const heard = () => x.events.filter((e) => e.event === 'data');
  const named = () => heard().flatMap((d) => decodeRouteEvents(Buffer.from(d.hex, 'hex')))
    .find((e) => e.kind === 'link' && e.action === 'new' && e.link.name === name);
  for (let i = 0; i < 100 && !named(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(named(), JSON.stringify(heard()));
  for (const d of heard()) assert.equal(d.from, 'netlink:0:0x1');
  x.child.kill('SIGTERM');
  await x.exited;
  // Killed mid-stream, the relay may have logged a datagram it had not yet written, or
  // written one whose log line was still unflushed: the file and the log agree up to the
  // shorter of the two, and both hold every datagram up to the veth's.
  const file = readFileSync(out);
  const all = Buffer.concat(heard().map((d) => Buffer.from(d.hex, 'hex')));
  const common = Math.min(file.length, all.length);
  assert.ok(file.subarray(0, common).equals(all.subarray(0, common)), 'the file holds the datagrams as heard, in order');
  const upTo = heard().findIndex((d) => decodeRouteEvents(Buffer.from(d.hex, 'hex')).some((e) => e.kind === 'link' && e.action === 'new' && e.link.name === name));
  const needed = heard().slice(0, upTo + 1).reduce((n, d) => n + d.hex.length / 2, 0);
  assert.ok(common >= needed, `${common} bytes in common, ${needed} up to the veth's RTM_NEWLINK`);
});

test('ip-recv:253 hears what ip-sendto:127.0.0.1:253 sends, IP header first', { skip }, async () => {
  setUp();
  const out = join(dir, 'ip.bin');
  const rx = xsock(['--json', '-u', 'ip-recv:253', `create:${out}`], { netns: NS, seconds: 20 });
  await rx.event('listening');
  await new Promise((r) => setTimeout(r, 200));
  const tx = await xsock(['-u', '-', 'ip-sendto:127.0.0.1:253'], { netns: NS, seconds: 10, input: 'raw payload' }).exited;
  assert.equal(tx.code, 0, tx.stderr);
  const data = await rx.event('data');
  rx.child.kill('SIGTERM');
  await rx.exited;
  const got = readFileSync(out);
  assert.equal(got.length, data.bytes);
  assert.equal(got[0] >> 4, 4); // IPv4
  assert.equal(got[9], 253); // the protocol field
  assert.equal(got.subarray((got[0] & 15) * 4).toString(), 'raw payload');
});

test('ip-sendto:127.0.0.1:icmp carries an echo request; the reply comes back on stdout', { skip }, async () => {
  setUp();
  const req = buildEcho({ id: 4242, seq: 7, data: Buffer.from('xsock cli ping') });
  const r = await xsock(['--idle-timeout', '1', '-', 'ip-sendto:127.0.0.1:icmp'], { netns: NS, seconds: 10, input: req }).exited;
  const out = r.stdout;
  // The raw socket sees our request (loopback) and the kernel's reply, each with its IP header.
  const msgs = [];
  for (let off = 0; off + 20 <= out.length;) {
    const len = out.readUInt16BE(off + 2);
    msgs.push(parseIcmp(out.subarray(off, off + len)));
    off += len;
  }
  const reply = msgs.find((m) => m.type === 0 && m.id === 4242 && m.seq === 7);
  assert.ok(reply, `${r.code} ${r.stderr} ${out.toString('hex')}`);
  assert.equal(reply.data.toString(), 'xsock cli ping');
  assert.equal(reply.checksumOk, true);
});

test('interface:NAME sends whole frames out of one veth end and receives them on the other', { skip }, async () => {
  setUp();
  const mac = (n) => Buffer.from(JSON.parse(ip('-n', NS, '-j', 'link', 'show', n))[0].address.split(':').map((h) => parseInt(h, 16)));
  const frame = Buffer.concat([mac(VETH[1]), mac(VETH[0]), Buffer.from([0x88, 0xb5]), Buffer.from('frame through xsock interface:')]);
  const rx = xsock(['--json', '-v', '-u', `interface:${VETH[1]},ethertype=0x88b5,promisc`, `create:${join(dir, 'frames.bin')}`], { netns: NS, seconds: 20 });
  await rx.event('listening');
  await new Promise((r) => setTimeout(r, 200));
  const tx = await xsock(['-u', '-', `interface:${VETH[0]}`], { netns: NS, seconds: 10, input: frame }).exited;
  assert.equal(tx.code, 0, tx.stderr);
  const data = await rx.event('data');
  rx.child.kill('SIGTERM');
  await rx.exited;
  assert.equal(data.hex, frame.toString('hex'));
  assert.match(data.from, new RegExp(`^packet:${VETH[1]}:0x88b5\\?`));
});

test('vsock-connect: a round trip where a transport is loaded, otherwise an error naming the missing transport', async () => {
  let transport = true;
  const probe = socket('vsock', 'stream');
  try {
    probe.bind({ family: 'vsock', cid: C.VMADDR_CID_LOCAL, port: C.VMADDR_PORT_ANY });
  } catch {
    transport = false;
  } finally {
    probe.close();
  }
  if (!transport) {
    const r = await xsock(['vsock-connect:local:5', '-'], { seconds: 15 }).exited;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /vsock transport/);
    return;
  }
  const port = 20000 + (process.pid % 20000);
  const server = xsock(['--json', `vsock-listen:${port}`, '-'], { seconds: 20, input: 'from server' });
  await server.event('listening');
  const client = await xsock([`vsock-connect:local:${port}`, '-'], { seconds: 10, input: 'from client' }).exited;
  assert.equal(client.code, 0, client.stderr);
  assert.equal(client.stdout.toString(), 'from server');
  assert.equal((await server.exited).stdout.toString(), 'from client');
});
