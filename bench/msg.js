#!/usr/bin/env node
// Single-process workloads, the same loop shapes as bench/msg-ref.c (see there): the
// sender fills a non-blocking socket until EAGAIN, the receiver drains it until EAGAIN.
// No wake-ups, so the figure is the library's cost per operation against C's.
//
//   node bench/msg.js IMPL WORKLOAD N      prints "<operations> <seconds>"
//
// IMPL: xsock (one send/recv per message), xsock-batch (sendmmsg/recvmmsg, 64 per call;
//       dgram and dgram-unconn), net (Node core `net`: stream-u32, bulk-unix, bulk-tcp,
//       accept; event-driven, as net is used), floor (the same loops calling the shim
//       straight, without the library: see bench/floor.js).
// WORKLOAD: fdpass, dgram, dgram-unconn, seqpacket, stream-u32, bulk-unix, bulk-tcp, accept
// (N is bytes for bulk-*, operations otherwise). bench/run.js runs these interleaved with C.
import { openSync, closeSync } from 'node:fs';
import net from 'node:net';
import { once } from 'node:events';
import { socket, socketpair } from '../dist/index.js';
import * as floor from './floor.js';
import { frames, u32Frame } from './frames.js';

const [impl, workload, nArg] = process.argv.slice(2);
const N = Number(nArg);
let n = N; // what the workload functions do: the warm-up run first, then the timed one

function fdpass() {
  const [a, b] = socketpair('unix', 'seqpacket');
  const f = openSync('/dev/null', 'r');
  const msg = { data: Buffer.from('x'), fds: [f] };
  const opts = { fds: 1, size: 16 };
  let sent = 0;
  let got = 0;
  while (got < n) {
    while (sent < n && a.trySendmsg(msg) !== null) sent++;
    for (let m; (m = b.tryRecvmsg(opts)) !== null;) {
      m.fds.close();
      got++;
    }
  }
  closeSync(f);
  a.close();
  b.close();
  return got;
}

/** A sender and a receiver of 64-byte messages; `unconn`: bound receiver, not connected back. */
function endpoints(type, unconn) {
  if (!unconn) return socketpair('unix', type);
  const name = { family: 'unix', abstract: `xsock-bench-${process.pid}-dgram` };
  const rx = socket('unix', 'dgram');
  const tx = socket('unix', 'dgram');
  rx.bind(name);
  tx.bind({ family: 'unix' }); // autobind: a sender with a name, as in C
  if (!tx.tryConnect(name)) throw new Error('unix dgram connect did not complete at once');
  return [tx, rx];
}

function messages(type, unconn) {
  const [tx, rx] = endpoints(type, unconn);
  const msg = Buffer.alloc(64, 0x64);
  const buf = Buffer.alloc(64);
  let sent = 0;
  let got = 0;
  while (got < n) {
    while (sent < n && tx.trySend(msg) !== null) sent++;
    if (unconn) while (rx.tryRecvfrom(64) !== null) got++; // the sender's address, as C's recvfrom
    else while (rx.tryRecvInto(buf) !== null) got++;
  }
  tx.close();
  rx.close();
  return got;
}

function batches(unconn) {
  const [tx, rx] = endpoints('dgram', unconn);
  const batch = Array.from({ length: 64 }, () => Buffer.alloc(64, 0x64));
  const opts = { count: 64, size: 64, controlSize: 0 };
  let sent = 0;
  let got = 0;
  while (got < n) {
    while (sent < n) {
      const k = tx.trySendBatch(n - sent >= 64 ? batch : batch.slice(0, n - sent));
      if (k === null) break;
      sent += k;
    }
    for (let ms; (ms = rx.tryRecvBatch(opts)) !== null;) got += ms.length;
  }
  tx.close();
  rx.close();
  return got;
}

function streamU32() {
  const [a, b] = socketpair('unix', 'stream');
  const frame = u32Frame();
  const inb = Buffer.alloc(1 << 16);
  let have = 0;
  let sent = 0;
  let got = 0;
  const drain = () => {
    for (;;) {
      const r = b.tryRecvInto(inb, 0, have);
      if (r === null) return;
      const [k, p] = frames(inb, have + r);
      got += k;
      inb.copy(inb, 0, p, have + r);
      have = have + r - p;
    }
  };
  while (got < n) {
    while (sent < n) {
      const w = a.trySend(frame);
      if (w === null) break;
      for (let off = w; off < 68;) { // finish a partial frame, making room as C does
        const k = a.trySend(frame, 0, off);
        if (k === null) drain();
        else off += k;
      }
      sent++;
    }
    drain();
  }
  a.close();
  b.close();
  return got;
}

function bulk(tx, rx) {
  const out = Buffer.alloc(1 << 16, 0x62);
  const inb = Buffer.alloc(1 << 16);
  let sent = 0;
  let got = 0;
  while (got < n) {
    while (sent < n) {
      const w = tx.trySend(n - sent >= out.length ? out : out.subarray(0, n - sent));
      if (w === null) break;
      sent += w;
    }
    for (let r; (r = rx.tryRecvInto(inb)) !== null;) {
      if (r === 0) throw new Error('unexpected end-of-file');
      got += r;
    }
  }
  tx.close();
  rx.close();
  return got;
}

async function bulkTcp() {
  const l = socket('inet', 'stream');
  l.bind({ family: 'inet', address: '127.0.0.1', port: 0 });
  l.listen(1);
  const c = socket('inet', 'stream');
  await c.connect(l.getsockname());
  const a = await l.accept();
  l.close();
  for (const s of [a, c]) s.setsockopt('IPPROTO_TCP', 'TCP_NODELAY', true);
  return bulk(c, a);
}

function acceptClose() {
  const name = { family: 'unix', abstract: `xsock-bench-${process.pid}-accept` };
  const l = socket('unix', 'stream');
  l.bind(name);
  l.listen(64);
  const inflight = [];
  let made = 0;
  let done = 0;
  while (done < n) {
    while (inflight.length < 8 && made < n) {
      const c = socket('unix', 'stream');
      if (!c.tryConnect(name)) throw new Error('unix connect did not complete at once');
      inflight.push(c);
      made++;
    }
    const a = l.tryAccept();
    if (a === null) throw new Error('nothing to accept');
    a.close();
    inflight.pop().close();
    done++;
  }
  for (const c of inflight) c.close();
  l.close();
  return done;
}

// ---- Node core net: the same work, event-driven as net is meant to be used ----

async function netPair(tcp) {
  const server = net.createServer();
  const path = `\0xsock-bench-${process.pid}-net`;
  server.listen(tcp ? { host: '127.0.0.1', port: 0 } : { path });
  await once(server, 'listening');
  const client = tcp ? net.connect(server.address().port, '127.0.0.1') : net.connect(path);
  const [peer] = await once(server, 'connection');
  await once(client, 'connect').catch(() => undefined);
  server.close();
  client.setNoDelay(true);
  peer.setNoDelay(true);
  return [client, peer];
}

/** Writes `chunk` `count` times with backpressure; the receiver counts with `onData` until `done()`. */
async function netPump(tcp, chunk, count, onData) {
  const [tx, rx] = await netPair(tcp);
  const finished = new Promise((resolve) => rx.on('data', (d) => { if (onData(d)) resolve(); }));
  for (let i = 0; i < count; i++) {
    if (!tx.write(i === count - 1 && chunk.last ? chunk.last : chunk.data)) await once(tx, 'drain');
  }
  await finished;
  tx.destroy();
  rx.destroy();
}

async function netBulk(tcp) {
  let got = 0;
  const size = 1 << 16;
  const data = Buffer.alloc(size, 0x62);
  const count = Math.ceil(n / size);
  const last = n % size ? data.subarray(0, n % size) : data;
  await netPump(tcp, { data, last }, count, (d) => (got += d.length) >= n);
  return got;
}

async function netU32() {
  const frame = u32Frame();
  let pending = Buffer.alloc(0);
  let got = 0;
  await netPump(false, { data: frame }, n, (d) => {
    const inb = pending.length ? Buffer.concat([pending, d]) : d;
    const [k, p] = frames(inb, inb.length);
    got += k;
    pending = inb.subarray(p);
    return got >= n;
  });
  return got;
}

async function netAccept() {
  const server = net.createServer();
  const path = `\0xsock-bench-${process.pid}-acc`;
  let done = 0;
  let made = 0;
  let finish;
  const finished = new Promise((r) => { finish = r; });
  // A new connect once one is accepted: 8 in flight, as in C (net gives up on a full
  // unix backlog with EAGAIN instead of retrying).
  server.on('connection', (c) => {
    c.destroy();
    if (++done === n) finish();
    else connectOne();
  });
  server.listen({ path, backlog: 64 });
  await once(server, 'listening');
  const connectOne = () => {
    if (made >= n) return;
    made++;
    const c = net.connect(path);
    c.on('connect', () => c.destroy());
    c.on('error', () => undefined);
  };
  for (let i = 0; i < 8; i++) connectOne();
  await finished;
  server.close();
  return done;
}

const table = {
  xsock: {
    fdpass, dgram: () => messages('dgram', false), 'dgram-unconn': () => messages('dgram', true),
    seqpacket: () => messages('seqpacket', false), 'stream-u32': streamU32,
    'bulk-unix': () => bulk(...socketpair('unix', 'stream')), 'bulk-tcp': bulkTcp, accept: acceptClose,
  },
  'xsock-batch': { dgram: () => batches(false), 'dgram-unconn': () => batches(true) },
  floor: {
    fdpass: () => floor.fdpass(n), dgram: () => floor.dgram(n), 'dgram-unconn': () => floor.dgramUnconn(n),
    seqpacket: () => floor.seqpacket(n), 'stream-u32': () => floor.streamU32(n), accept: () => floor.accept(n),
  },
  net: { 'stream-u32': netU32, 'bulk-unix': () => netBulk(false), 'bulk-tcp': () => netBulk(true), accept: netAccept },
};

const fn = table[impl]?.[workload];
if (!fn || !(N > 0)) {
  console.error('usage: node bench/msg.js xsock|xsock-batch|net|floor WORKLOAD N');
  process.exit(2);
}
// An untimed fifth first, so the figure is the optimised code's (C needs no warm-up).
n = Math.max(1, Math.round(N / 5));
if (await fn() !== n) throw new Error(`${workload}: the warm-up run fell short`);
n = N;
const t = performance.now();
const got = await fn();
const secs = (performance.now() - t) / 1000;
console.log(`${got} ${secs.toFixed(6)}`);
process.exitCode = got === n ? 0 : 1;
