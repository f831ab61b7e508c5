// `npm run bench`: every workload of the speed issue, xsock against a C reference built
// here (cc -O2 into bench/out/) and Node core where it has the feature, interleaved:
//
//  - ping-pong (1 B round trips) over unix dgram, seqpacket, stream, TCP and UDP, each
//    client in its own process against the same C echo peer, unpinned and with both
//    processes pinned to CPU 0 (taskset -c 0), where a round trip costs wake-ups rather
//    than cross-CPU latency;
//  - one-way 64 B with backpressure over unix dgram, seqpacket, stream, TCP, each client
//    against the same C sink process;
//  - single-process workloads (bench/msg.js against bench/msg-ref.c, same loop shapes):
//    fd passing, unix dgram single and batched (sendmmsg/recvmmsg, 64), the same with the
//    receiver not connected back, u32-length framed unix stream, 1 GiB bulk over unix
//    stream and TCP (64 KiB writes), accept+close with 8 connects in flight; and the
//    N-API floor of each (bench/floor.js: the loop calling the shim with no library);
//  - then bench/relay.js (xsock's zero-copy relay against socat).
//
//   node bench/run.js [--seconds S] [--warmup W] [--rounds N] [--only dgram,tcp,...,msg] [--quick] [--no-extra]
//
// --only names transports (ping-pong and one-way rows) and `msg` (the single-process
// workloads); with --only the single-process workloads run only when `msg` is named.
//
// Environment (flags win): XSOCK_BENCH_QUICK=1 (a smoke run, well under a minute),
// XSOCK_BENCH_ROUNDS, XSOCK_BENCH_SECONDS, XSOCK_BENCH_WARMUP, XSOCK_BENCH_BULK_BYTES
// (bulk size), XSOCK_BENCH_SCALE (multiplies every single-process message count),
// XSOCK_BENCH_RELAY_BYTES (relay size, see bench/relay.js).
//
// Each two-process figure is taken after a warm-up of 1 s (every client, C too): V8 tiers a
// hot loop up over its first second, compiling on background threads, and with both
// processes pinned to one CPU those threads take that CPU from the measured loop. A
// 0.15 s warm-up measured pinned ping-pong 0.06-0.17 lower (unix dgram 0.60 against 0.66,
// seqpacket 0.57 against 0.69, tcp 0.73 against 0.90 in one paired run).
//
// Every round runs every client of a row once, starting the row at a different client
// each round, so drift (a neighbour's load) does not always favour the same one. A
// figure is the median of the rounds; a ratio is the median of the per-round ratios (the
// two samples of one round ran back to back). The issue's targets compare xsock with the
// C client using blocking sockets ("C block"); the C epoll client (non-blocking, epoll
// only after EAGAIN) is shown beside it as the least any event loop can do. All samples go
// to bench/out/results.json.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = join(here, 'out');
const ref = join(out, 'ref');
const msgRef = join(out, 'msg-ref');

const ALL = ['dgram', 'seqpacket', 'stream', 'tcp', 'udp'];
const opts = parseArgs(process.argv.slice(2));
const PINGPONG = ALL.filter((t) => !opts.only || opts.only.includes(t));
const ONEWAY = PINGPONG.filter((t) => t !== 'udp'); // the C sink counts unix and TCP
const MSG = !opts.only || opts.only.includes('msg');
const NET = new Set(['stream', 'tcp']); // net has no unix dgram or seqpacket
const NODE_CLIENT = { stream: 'net', tcp: 'net', udp: 'dgram' }; // Node core's client per transport
const DATAGRAM = new Set(['dgram', 'seqpacket']); // sendmmsg batches: message sockets only
const LABEL = { dgram: 'unix dgram', seqpacket: 'unix seqpacket', stream: 'unix stream', tcp: 'tcp loopback', udp: 'udp loopback' };

function env(name, fallback) {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!(n > 0)) {
    console.error(`bench: ${name} must be a positive number; received ${v}`);
    process.exit(2);
  }
  return n;
}

function parseArgs(argv) {
  const quick = process.env.XSOCK_BENCH_QUICK === '1' || argv.includes('--quick');
  const o = {
    seconds: env('XSOCK_BENCH_SECONDS', quick ? 0.1 : 0.3), warmup: env('XSOCK_BENCH_WARMUP', quick ? 0.05 : 1),
    rounds: Math.round(env('XSOCK_BENCH_ROUNDS', quick ? 1 : 3)), only: null, extra: true, quick,
    bulk: Math.round(env('XSOCK_BENCH_BULK_BYTES', quick ? 64 << 20 : 1 << 30)),
    scale: env('XSOCK_BENCH_SCALE', quick ? 0.1 : 1),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--seconds') o.seconds = positive(a, argv[++i]);
    else if (a === '--warmup') o.warmup = positive(a, argv[++i], true);
    else if (a === '--rounds') o.rounds = Math.max(1, Math.round(positive(a, argv[++i])));
    else if (a === '--only') {
      o.only = String(argv[++i]).split(',');
      const bad = o.only.filter((t) => !ALL.includes(t) && t !== 'msg');
      if (bad.length) {
        console.error(`bench: --only takes ${ALL.join(', ')}, msg; received ${bad.join(', ')}`);
        process.exit(2);
      }
    }
    else if (a === '--quick') { /* read above */ }
    else if (a === '--no-extra') o.extra = false;
    else {
      console.error(`bench: unknown argument ${a}\nusage: node bench/run.js [--seconds S] [--warmup W] [--rounds N] [--only dgram,seqpacket,stream,tcp,udp,msg] [--quick] [--no-extra]`);
      process.exit(2);
    }
  }
  return o;
}

function positive(name, v, zeroOk = false) {
  const n = Number(v);
  if (!(n > 0 || (zeroOk && n === 0))) {
    console.error(`bench: ${name} needs a ${zeroOk ? 'non-negative' : 'positive'} number of seconds; received ${v}`);
    process.exit(2);
  }
  return n;
}

function buildReference() {
  mkdirSync(out, { recursive: true });
  execFileSync('cc', ['-O2', '-Wall', '-o', ref, join(here, 'ref.c')], { stdio: 'inherit' });
  execFileSync('cc', ['-O2', '-Wall', '-o', msgRef, join(here, 'msg-ref.c')], { stdio: 'inherit' });
}

function checkLibrary() {
  for (const f of ['dist/index.js', 'build/Release/xsock.node']) {
    if (!existsSync(join(root, f))) {
      console.error(`bench: ${f} is missing; run \`npm run build\` (or \`npm run bench\`, which builds first)`);
      process.exit(2);
    }
  }
}

/** Runs cmd under `timeout`, resolving to its stdout; rejects with its stderr on failure. */
function run(cmd, args, limit, pinned = false) {
  return new Promise((resolve, reject) => {
    const child = spawn('timeout', [String(limit), ...pin(pinned), cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.trim()}`))));
  });
}

/** Starts the C peer; resolves once it prints READY, with the address clients use. */
/** taskset -c 0: both processes of a pinned pair on one CPU. */
function pin(pinned) {
  return pinned ? ['taskset', '-c', '0'] : [];
}

function startPeer(kind, transport, dir, limit, pinned) {
  const inet = transport === 'tcp' || transport === 'udp';
  const addr = inet ? '0' : join(dir, `${transport}-${kind}`);
  const child = spawn('timeout', [String(limit), ...pin(pinned), ref, 'peer', kind, transport, addr], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  const ready = new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const m = /^READY(?: (\d+))?$/.exec(line);
      if (!m) reject(new Error(`peer said ${line}`));
      else resolve(inet ? m[1] : addr);
    });
    exited.then((code) => reject(new Error(`peer exited ${code} before READY: ${stderr.trim()}`)));
  });
  return { ready, exited, child, stderr: () => stderr };
}

/** One figure: a fresh peer, one client; operations per second (NaN with a note on failure). */
async function measure(test, transport, client, dir) {
  const limit = Math.ceil(opts.seconds + opts.warmup + 30);
  const pinned = test === 'pinned';
  if (pinned) test = 'pingpong';
  const peer = startPeer(test === 'pingpong' ? 'echo' : 'sink', transport, dir, limit, pinned);
  try {
    const addr = await peer.ready;
    const common = [transport, addr, String(opts.seconds), String(opts.warmup)];
    const [cmd, args] = client === 'c-block' ? [ref, ['client', test, 'block', ...common]]
      : client === 'c-epoll' ? [ref, ['client', test, 'epoll', ...common]]
      : client === 'xsock' ? [process.execPath, [join(here, 'xsock-client.js'), test, 'try', ...common]]
      : client === 'xsock-await' ? [process.execPath, [join(here, 'xsock-client.js'), test, 'await', ...common]]
      : client === 'xsock-batch' ? [process.execPath, [join(here, 'xsock-client.js'), test, 'batch', ...common]]
      : client === 'dgram' ? [process.execPath, [join(here, 'dgram-client.js'), test, ...common]]
      : [process.execPath, [join(here, 'net-client.js'), test, ...common]];
    const r = JSON.parse((await run(cmd, args, limit, pinned)).trim().split('\n').pop());
    const code = await peer.exited;
    if (code !== 0) throw new Error(`peer exited ${code}: ${peer.stderr().trim()}`);
    return { rate: r.ops / r.secs, ops: r.ops, secs: r.secs, total: r.total };
  } catch (err) {
    if (peer.child.exitCode === null) peer.child.kill();
    await peer.exited;
    console.error(`bench: ${test} ${transport} ${client}: ${err.message}`);
    return { rate: NaN, error: err.message };
  }
}

function median(xs) {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

const fmt = (x) => (Number.isNaN(x) ? 'failed' : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(1)}k`);
const ratio = (a, b) => (a > 0 && b > 0 ? (a / b).toFixed(2) : '-');
const pad = (cells, widths) => cells.map((c, i) => String(c).padEnd(widths[i])).join(' ').trimEnd();

function table(title, head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  console.log(`\n${title}`);
  console.log(pad(head, widths));
  for (const r of rows) console.log(pad(r, widths));
}

/** Single-process workloads: name, what N counts, the count, the implementations. */
function msgWorkloads() {
  const k = (x) => Math.max(1000, Math.round(x * opts.scale));
  return [
    { name: 'fdpass', n: k(100_000), unit: 'fd/s', impls: ['c', 'xsock', 'floor'] },
    { name: 'seqpacket', n: k(300_000), unit: 'msg/s', impls: ['c', 'xsock', 'floor'] },
    { name: 'dgram', n: k(300_000), unit: 'msg/s', impls: ['c', 'c-batch', 'xsock', 'xsock-batch', 'floor'] },
    { name: 'dgram-unconn', n: k(300_000), unit: 'msg/s', impls: ['c', 'c-batch', 'xsock', 'xsock-batch', 'floor'] },
    { name: 'stream-u32', n: k(300_000), unit: 'msg/s', impls: ['c', 'xsock', 'net', 'floor'] },
    { name: 'bulk-unix', n: opts.bulk, unit: 'B/s', impls: ['c', 'xsock', 'net'] },
    { name: 'bulk-tcp', n: opts.bulk, unit: 'B/s', impls: ['c', 'xsock', 'net'] },
    { name: 'accept', n: k(20_000), unit: 'conn/s', impls: ['c', 'xsock', 'net', 'floor'] },
  ];
}

/** One single-process sample: operations per second (NaN with a note on failure). */
async function measureMsg(w, impl) {
  const [cmd, args] = impl === 'c' ? [msgRef, [w.name, String(w.n)]]
    : impl === 'c-batch' ? [msgRef, [`${w.name}-batch`, String(w.n)]]
    : [process.execPath, [join(here, 'msg.js'), impl, w.name, String(w.n)]];
  try {
    const [ops, secs] = (await run(cmd, args, 120)).trim().split(' ').map(Number);
    return { rate: ops / secs, ops, secs };
  } catch (err) {
    console.error(`bench: ${w.name} ${impl}: ${err.message}`);
    return { rate: NaN, error: err.message };
  }
}

/** Runs `clients` once each, the order rotated by round; samples land in row[client]. */
async function rowRound(row, clients, round, sample) {
  const order = clients.map((_, i) => clients[(i + round) % clients.length]);
  for (const c of order) {
    const fig = (row[c] ??= { samples: [] });
    const m = await sample(c);
    fig.samples.push(m);
    if (m.error) fig.error = m.error;
  }
}

function pingClients(t) {
  return ['c-block', 'c-epoll', 'xsock', ...(NODE_CLIENT[t] ? [NODE_CLIENT[t]] : [])];
}

function onewayClients(t) {
  return ['c-block', 'c-epoll', 'xsock', 'xsock-await', ...(DATAGRAM.has(t) ? ['xsock-batch'] : []), ...(NET.has(t) ? ['net'] : [])];
}

async function main() {
  checkLibrary();
  buildReference();
  const dir = mkdtempSync(join(os.tmpdir(), 'xsb-'));
  const results = {
    seconds: opts.seconds, warmup: opts.warmup, rounds: opts.rounds, bulk: opts.bulk, scale: opts.scale,
    node: process.version, kernel: os.release(), cpus: os.cpus().length, pingpong: {}, pinned: {}, oneway: {}, msg: {},
  };
  const started = performance.now();
  console.log(`xsock benchmarks — Linux ${os.release()}, Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`${opts.rounds} interleaved round(s); timed tests ${opts.seconds} s after ${opts.warmup} s warm-up; bulk ${opts.bulk >> 20} MiB; message counts x${opts.scale}${opts.quick ? ' (quick)' : ''}`);
  try {
    for (let round = 0; round < opts.rounds; round++) {
      for (const test of ['pingpong', 'pinned']) {
        for (const t of PINGPONG) await rowRound(results[test][t] ??= {}, pingClients(t), round, (c) => measure(test, t, c, dir));
      }
      for (const t of ONEWAY) await rowRound(results.oneway[t] ??= {}, onewayClients(t), round, (c) => measure('oneway', t, c, dir));
      for (const w of MSG ? msgWorkloads() : []) await rowRound(results.msg[w.name] ??= {}, w.impls, round, (impl) => measureMsg(w, impl));
      process.stderr.write(`bench: round ${round + 1}/${opts.rounds} done (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const section of ['pingpong', 'pinned', 'oneway', 'msg']) {
    for (const row of Object.values(results[section])) {
      for (const fig of Object.values(row)) fig.rate = fig.error ? NaN : median(fig.samples.map((m) => m.rate));
    }
  }
  report(results);
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  if (opts.extra) await extras();
  console.log(`\nbench: ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
  const failed = ['pingpong', 'pinned', 'oneway', 'msg'].some((test) => Object.values(results[test]).some((row) => Object.values(row).some((m) => m.error)));
  if (failed) process.exitCode = 1;
}

/** Median over rounds of a/b, each round's two samples taken back to back. */
function pairedRatio(fa, fb) {
  if (!fa || !fb || fa.error || fb.error) return NaN;
  const n = Math.min(fa.samples.length, fb.samples.length);
  const rs = [];
  for (let i = 0; i < n; i++) if (fa.samples[i].rate > 0 && fb.samples[i].rate > 0) rs.push(fa.samples[i].rate / fb.samples[i].rate);
  return rs.length ? median(rs) : NaN;
}

const rtxt = (x) => (Number.isNaN(x) ? '-' : `${x.toFixed(2)}x`);
const bytesPerSec = (x) => (Number.isNaN(x) ? 'failed' : `${(x / 1e9).toFixed(2)} GB/s`);

function report(results) {
  const fig = (sec, t, c) => results[sec][t]?.[c];
  const r = (sec, t, c) => fig(sec, t, c)?.rate ?? NaN;
  const pr = (sec, t, a, b) => rtxt(pairedRatio(fig(sec, t, a), fig(sec, t, b)));
  for (const [sec, title] of PINGPONG.length ? [['pingpong', 'ping-pong, 1-byte round trips per second, unpinned'], ['pinned', 'ping-pong, both processes pinned to CPU 0 (taskset -c 0)']] : []) {
    table(`${title} (median of ${opts.rounds}; ratios: median of per-round ratios)`,
      ['transport', 'C block', 'C epoll', 'xsock', 'xsock/C block', 'xsock/C epoll', 'node', 'node/C block', 'xsock/node'],
      PINGPONG.map((t) => {
        const n = NODE_CLIENT[t];
        return [LABEL[t], fmt(r(sec, t, 'c-block')), fmt(r(sec, t, 'c-epoll')), fmt(r(sec, t, 'xsock')),
          pr(sec, t, 'xsock', 'c-block'), pr(sec, t, 'xsock', 'c-epoll'),
          n ? `${fmt(r(sec, t, n))} (${n})` : '-', n ? pr(sec, t, n, 'c-block') : '-', n ? pr(sec, t, 'xsock', n) : '-'];
      }));
  }
  if (ONEWAY.length) table('one-way 64-byte messages per second to a C sink process, every message received\n(xsock = trySend + wait(POLL_OUT) on EAGAIN; await = `await send()` each; batch = trySendBatch of 32)',
    ['transport', 'C block', 'C epoll', 'xsock', 'xsock/C block', 'await', 'await/C block', 'batch', 'batch/C block', 'net', 'xsock/net'],
    ONEWAY.map((t) => [LABEL[t], fmt(r('oneway', t, 'c-block')), fmt(r('oneway', t, 'c-epoll')), fmt(r('oneway', t, 'xsock')),
      pr('oneway', t, 'xsock', 'c-block'), fmt(r('oneway', t, 'xsock-await')), pr('oneway', t, 'xsock-await', 'c-block'),
      DATAGRAM.has(t) ? fmt(r('oneway', t, 'xsock-batch')) : '-', DATAGRAM.has(t) ? pr('oneway', t, 'xsock-batch', 'c-block') : '-',
      NET.has(t) ? fmt(r('oneway', t, 'net')) : '-', NET.has(t) ? pr('oneway', t, 'xsock', 'net') : '-']));
  const ws = MSG ? msgWorkloads() : [];
  const mfmt = (w, x) => (w.unit === 'B/s' ? bytesPerSec(x) : `${fmt(x)} ${w.unit}`);
  const has = (w, impl) => w.impls.includes(impl);
  if (MSG) table('single-process workloads (bench/msg.js vs bench/msg-ref.c, same loops; batch = sendmmsg/recvmmsg of 64, C batch the same in C;\nfloor = the same loop calling the shim straight, no library: the most a Node-API binding reaches, bench/floor.js)',
    ['workload', 'N', 'C', 'xsock', 'xsock/C', 'floor/C', 'xsock/floor', 'batch', 'batch/C', 'C batch', 'batch/C batch', 'net', 'net/C'],
    ws.map((w) => [w.name, w.unit === 'B/s' ? `${w.n >> 20} MiB` : String(w.n), mfmt(w, r('msg', w.name, 'c')), mfmt(w, r('msg', w.name, 'xsock')),
      pr('msg', w.name, 'xsock', 'c'), has(w, 'floor') ? pr('msg', w.name, 'floor', 'c') : '-', has(w, 'floor') ? pr('msg', w.name, 'xsock', 'floor') : '-',
      w.impls.includes('xsock-batch') ? mfmt(w, r('msg', w.name, 'xsock-batch')) : '-', w.impls.includes('xsock-batch') ? pr('msg', w.name, 'xsock-batch', 'c') : '-',
      w.impls.includes('c-batch') ? mfmt(w, r('msg', w.name, 'c-batch')) : '-', w.impls.includes('c-batch') ? pr('msg', w.name, 'xsock-batch', 'c-batch') : '-',
      w.impls.includes('net') ? mfmt(w, r('msg', w.name, 'net')) : '-', w.impls.includes('net') ? pr('msg', w.name, 'net', 'c') : '-']));

  // The issue's table: each target against the C reference with blocking sockets.
  const rows = [];
  const add = (label, sec, t, x, c, target, note = '') => {
    if (sec === 'msg' && !MSG) return;
    const ratioV = pairedRatio(fig(sec, t, x), fig(sec, t, c));
    rows.push([label, sec === 'msg' ? mfmt(ws.find((w) => w.name === t), r(sec, t, c)) : fmt(r(sec, t, c)), rtxt(ratioV), `>= ${target}x`,
      Number.isNaN(ratioV) ? 'failed' : ratioV >= target ? 'met' : 'UNMET', note]);
  };
  const floorNote = (t) => `N-API floor ${pr('msg', t, 'floor', 'c')}`;
  if (ONEWAY.includes('seqpacket')) add('one-way 64 B unix seqpacket, one send each', 'oneway', 'seqpacket', 'xsock', 'c-block', 0.8, MSG ? `one process: xsock ${pr('msg', 'seqpacket', 'xsock', 'c')}, ${floorNote('seqpacket')}` : '');
  add('one-way 64 B unix dgram, batched (mmsg 64)', 'msg', 'dgram', 'xsock-batch', 'c', 1.1, `single sends ${pr('msg', 'dgram', 'xsock', 'c')} (${floorNote('dgram')}); C batched ${pr('msg', 'dgram', 'c-batch', 'c')}`);
  add('  same, receiver not connected back, batched', 'msg', 'dgram-unconn', 'xsock-batch', 'c', 1.0, `single sends ${pr('msg', 'dgram-unconn', 'xsock', 'c')} (${floorNote('dgram-unconn')}); C batched ${pr('msg', 'dgram-unconn', 'c-batch', 'c')}`);
  add('one-way 64 B unix stream, u32-length framed', 'msg', 'stream-u32', 'xsock', 'c', 0.9, `${floorNote('stream-u32')}; net ${pr('msg', 'stream-u32', 'net', 'c')}`);
  add(`bulk ${opts.bulk >> 20} MiB unix stream, 64 KiB writes`, 'msg', 'bulk-unix', 'xsock', 'c', 0.9, `net ${pr('msg', 'bulk-unix', 'net', 'c')}`);
  add(`bulk ${opts.bulk >> 20} MiB TCP loopback`, 'msg', 'bulk-tcp', 'xsock', 'c', 0.9, `net ${pr('msg', 'bulk-tcp', 'net', 'c')}`);
  add('fd passing, 1 byte + 1 SCM_RIGHTS fd each', 'msg', 'fdpass', 'xsock', 'c', 0.7, floorNote('fdpass'));
  add('accept + close, unix stream, 8 in flight', 'msg', 'accept', 'xsock', 'c', 0.85, `${floorNote('accept')}; net ${pr('msg', 'accept', 'net', 'c')}`);
  for (const t of PINGPONG) {
    const n = NODE_CLIENT[t];
    add(`ping-pong 1 B pinned, ${LABEL[t]}`, 'pinned', t, 'xsock', 'c-block', 0.7,
      `unpinned ${pr('pingpong', t, 'xsock', 'c-block')}${n ? `; ${n} pinned ${pr('pinned', t, n, 'c-block')}` : ''}`);
  }
  table('issue 14 targets: xsock / C (blocking sockets), median of per-round ratios',
    ['workload', 'C', 'xsock/C', 'target', '', 'beside'], rows);
  const unmet = rows.filter((x) => x[4] !== 'met').length;
  console.log(`${rows.length - unmet} of ${rows.length} targets met`);
}

/** The relay benchmark, in its own process, output passed through. */
async function extras() {
  for (const f of ['relay.js']) {
    const file = join(here, f);
    if (!existsSync(file)) continue;
    console.log(`\n== bench/${f}`);
    const code = await new Promise((resolve) => {
      const child = spawn('timeout', ['300', process.execPath, file], {
        stdio: 'inherit',
        env: { ...process.env, ...(opts.quick ? { XSOCK_BENCH_QUICK: '1' } : {}) },
      });
      child.on('close', resolve);
    });
    if (code !== 0) {
      console.error(`bench: bench/${f} exited ${code}`);
      process.exitCode = 1;
    }
  }
}

await main();
