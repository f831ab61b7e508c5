// Relay throughput of `xsock` against `socat`, same peers, same machine, interleaved:
// unix stream -> unix stream (1 GiB, checksummed; xsock splices), and 64-byte datagrams
// unix dgram -> unix dgram. Prints the medians, the ratios against the targets (medians of
// per-round ratios: the two runs of a round ran back to back) and, for stream relays, the
// CPU time the relay process spent during the transfer (its start-up excluded), the figure
// that least depends on what else the machine runs. With --json, one JSON object at the end.
//   node bench/relay.js [--bytes N] [--datagrams N] [--runs N] [--only stream|dgram] [--relays A,B] [--json]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { bytes: { type: 'string' }, datagrams: { type: 'string' }, json: { type: 'boolean' }, runs: { type: 'string' }, only: { type: 'string' }, relays: { type: 'string' } } });
// XSOCK_BENCH_QUICK=1 shrinks the defaults to a smoke run; flags override either.
const QUICK = process.env.XSOCK_BENCH_QUICK === '1';
const BYTES = Number(values.bytes ?? process.env.XSOCK_BENCH_RELAY_BYTES ?? (QUICK ? 128 << 20 : 1 << 30));
const DATAGRAMS = Number(values.datagrams ?? process.env.XSOCK_BENCH_RELAY_DATAGRAMS ?? (QUICK ? 100_000 : 1_000_000));
const RUNS = Number(values.runs ?? (QUICK ? 1 : 3));
const BIN = fileURLToPath(new URL('../bin/xsock.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'xbench-'));

if (spawnSync('sh', ['-c', 'command -v socat']).status !== 0) {
  console.error('bench/relay.js: socat is not installed (apt-get install socat)');
  process.exit(1);
}

// Stream peers in C (bench/relay-peer.c, built here), identical for every relay, so the
// relay is what limits the rate: the source writes 1 MiB blocks of a pattern that differs
// per MiB, the sink reads into one buffer; both print a checksum over what they sent or
// received, and every run is checked against it.
const PEER = join(fileURLToPath(new URL('.', import.meta.url)), 'out', 'relay-peer');
function buildPeer() {
  mkdirSync(dirname(PEER), { recursive: true });
  const src = fileURLToPath(new URL('relay-peer.c', import.meta.url));
  const r = spawnSync('cc', ['-O2', '-Wall', '-o', PEER, src], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cc relay-peer.c failed: ${r.stderr}`);
}
// Datagram peers: the sink counts N messages; the source is a blocking sender, so unix
// dgram flow control (not loss) paces it.
const DGRAM_SINK = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(sys.argv[1]); print('READY', flush=True)
n = int(sys.argv[2]); buf = bytearray(2048); got = 0
while got < n:
    s.recv_into(buf); got += 1
print(got, flush=True)
`;
const DGRAM_SOURCE = `
import socket, sys, time
n = int(sys.argv[2]); msg = b'd' * 64; to = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for i in range(500):
    try: s.sendto(msg, to); break
    except OSError: time.sleep(0.01)
send = s.sendto
for i in range(n - 1): send(msg, to)
`;

// GNU time reports the relay's total CPU time when it exits; minus what it had used when
// the transfer started (read from /proc), that is the transfer's cost.
const TIME = ['/usr/bin/time', '/bin/time'].find((t) => existsSync(t));
const TICK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

function run(cmd, args, cpuFile) {
  const timed = cpuFile && TIME ? [TIME, '-f', '%U %S', '-o', cpuFile, cmd, ...args] : [cmd, ...args];
  const child = spawn('timeout', ['120', ...timed], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const ready = new Promise((resolve) => child.stdout.on('data', (d) => {
    out += d;
    if (out.includes('READY')) resolve();
  }));
  const done = new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
  return { child, ready, done };
}

function waitPath(path) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const t = setInterval(() => {
      if (existsSync(path)) { clearInterval(t); resolve(); } else if (Date.now() - t0 > 10000) { clearInterval(t); reject(new Error(`${path} never appeared`)); }
    }, 5);
  });
}

/** The process a `timeout [time] cmd` child runs: the leaf of its (single-child) chain. */
function leafPid(pid) {
  for (let i = 0; i < 3; i++) {
    let kids;
    try {
      kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    } catch {
      return pid;
    }
    if (kids === '') return pid;
    pid = Number(kids.split(' ')[0]);
  }
  return pid;
}

/** User + system CPU seconds of a live process (all its threads), or NaN. */
function cpuOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK; // utime, stime (fields 14, 15)
  } catch {
    return NaN;
  }
}

const RELAYS = {
  stream: {
    // No relay: the source straight to the sink, the ceiling any relay is measured under.
    'direct (no relay)': null,
    // A C splice(2) loop through a 1 MiB pipe: what any splice relay can reach here.
    'C splice 1 MiB': (a, b) => [PEER, ['splice', a, b, '1048576']],
    xsock: (a, b) => [process.execPath, [BIN, '--no-progress', `unix-listen:${a}`, `unix:${b}`]],
    'xsock -b 1048576': (a, b) => [process.execPath, [BIN, '--no-progress', '-b', '1048576', `unix-listen:${a}`, `unix:${b}`]],
    socat: (a, b) => ['socat', [`UNIX-LISTEN:${a}`, `UNIX-CONNECT:${b}`]],
    'socat -b 262144': (a, b) => ['socat', ['-b', '262144', `UNIX-LISTEN:${a}`, `UNIX-CONNECT:${b}`]],
    'socat -b 1048576': (a, b) => ['socat', ['-b', '1048576', `UNIX-LISTEN:${a}`, `UNIX-CONNECT:${b}`]],
  },
  dgram: {
    xsock: (a, b) => [process.execPath, [BIN, '--no-progress', '-u', `unix-recv:${a}`, `unix-sendto:${b}`]],
    socat: (a, b) => ['socat', ['-u', `UNIX-RECV:${a}`, `UNIX-SENDTO:${b}`]],
  },
};

let seq = 0;
async function once(kind, name) {
  let a = join(dir, `a${seq}`);
  const b = join(dir, `b${seq++}`);
  const sink = kind === 'stream' ? run(PEER, ['sink', b]) : run('python3', ['-c', DGRAM_SINK, b, String(DATAGRAMS)]);
  await sink.ready;
  const direct = RELAYS[kind][name] === null;
  const [cmd, args] = direct ? [] : RELAYS[kind][name](a, b);
  const cpuFile = kind === 'stream' && !direct ? join(dir, `cpu${seq}`) : undefined;
  const relay = direct ? null : run(cmd, args, cpuFile);
  if (direct) a = b;
  else await waitPath(a);
  const cpu0 = relay && cpuFile ? cpuOf(leafPid(relay.child.pid)) : NaN;
  const t0 = performance.now();
  const source = kind === 'stream' ? run(PEER, ['source', a, String(BYTES)]) : run('python3', ['-c', DGRAM_SOURCE, a, String(DATAGRAMS)]);
  const got = await sink.done;
  const seconds = (performance.now() - t0) / 1000;
  const sent = await source.done;
  if (relay) {
    // A stream relay ends by itself once both directions have (so its CPU time is told);
    // a datagram relay never sees an end.
    const quit = setTimeout(() => relay.child.kill('SIGTERM'), kind === 'stream' ? 3000 : 0);
    await relay.done;
    clearTimeout(quit);
  }
  if (kind === 'stream') {
    const [count, sum] = got.out.replace('READY', '').trim().split(' ');
    if (sent.code !== 0 || got.code !== 0) throw new Error(`${name} ${kind}: a peer failed (source ${sent.code}, sink ${got.code})`);
    if (`${count} ${sum}` !== sent.out.trim()) throw new Error(`${name} ${kind}: sink got ${count} bytes, checksum ${sum}; source sent ${sent.out.trim()}`);
    if (Number(count) !== BYTES) throw new Error(`${name} ${kind}: sink got ${count} bytes, expected ${BYTES}`);
    return { rate: Number(count) / seconds / (1 << 20), cpu: relayCpu(cpuFile, cpu0) };
  }
  const count = Number(got.out.replace('READY', '').trim());
  if (count !== DATAGRAMS) throw new Error(`${name} ${kind}: sink got ${count}, expected ${DATAGRAMS}`);
  return { rate: count / seconds, cpu: NaN };
}

/** CPU seconds the relay spent from the transfer's start to its exit (NaN when unknown). */
function relayCpu(file, before) {
  if (!file || !TIME) return NaN;
  try {
    const [user, sys] = readFileSync(file, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    return user + sys - before;
  } catch {
    return NaN;
  }
}

const median = (xs) => { const v = [...xs].sort((x, y) => x - y); return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2; };
// Targets (issue 14): the xsock relay at its default buffer against socat.
const TARGETS = [['socat', 2.0], ['socat -b 1048576', 1.5]];

/** Median over rounds of a/b: each round's two runs were back to back. */
const paired = (a, b) => median(a.map((x, i) => x / b[i]));
const only = values.relays?.split(',');

const results = {};
const cpu = {};
const ratio = {};
try {
  if (!values.only || values.only === 'stream') buildPeer();
  for (const kind of values.only ? [values.only] : ['stream', 'dgram']) {
    const names = Object.keys(RELAYS[kind]).filter((n) => !only || only.includes(n) || (n === 'xsock' && kind === 'stream') || (n === 'socat' && kind === 'dgram'));
    const rates = Object.fromEntries(names.map((n) => [n, []]));
    const cpus = Object.fromEntries(names.map((n) => [n, []]));
    // Interleaved rounds (every relay once per round, starting at a different one), so a
    // neighbour's load hits all of them alike; the figure is the median.
    for (let i = 0; i < RUNS; i++) {
      for (let j = 0; j < names.length; j++) {
        const name = names[(i + j) % names.length];
        const r = await once(kind, name);
        rates[name].push(r.rate);
        cpus[name].push(r.cpu);
      }
    }
    results[kind] = {};
    cpu[kind] = {};
    for (const name of names) {
      const med = median(rates[name]);
      results[kind][name] = med;
      const c = cpus[name].every((x) => Number.isFinite(x)) ? median(cpus[name]) / (BYTES / (1 << 30)) : NaN;
      if (Number.isFinite(c)) cpu[kind][name] = c;
      if (!values.json) {
        const unit = kind === 'stream' ? 'MiB/s' : 'msg/s';
        const cpuText = Number.isFinite(c) ? `  relay CPU ${(c * 1000).toFixed(0).padStart(4)} ms/GiB` : '';
        console.log(`${kind === 'stream' ? `unix stream ${BYTES >> 20} MiB, checksummed` : `unix dgram ${DATAGRAMS} x 64 B`}  ${name.padEnd(17)} ${med.toFixed(0).padStart(10)} ${unit}${cpuText} (median of ${RUNS}: ${rates[name].map((r) => r.toFixed(0)).join(', ')})`);
      }
    }
    if (kind === 'stream') {
      for (const [other, target] of TARGETS) {
        if (!rates[other]) continue;
        const r = paired(rates.xsock, rates[other]);
        ratio[`stream vs ${other}`] = r;
        if (!values.json) console.log(`relay unix stream: xsock / ${other} = ${r.toFixed(2)}x (target >= ${target}x: ${r >= target ? 'met' : 'UNMET'})`);
      }
      for (const other of ['direct (no relay)', 'C splice 1 MiB']) {
        if (!rates[other]) continue;
        const r = paired(rates.xsock, rates[other]);
        ratio[`stream vs ${other}`] = r;
        if (!values.json) console.log(`relay unix stream: xsock / ${other} = ${r.toFixed(2)}x (the ceiling: no relay, or C)`);
      }
    } else {
      ratio.dgram = paired(rates.xsock, rates.socat);
      if (!values.json) console.log(`relay unix dgram: xsock / socat = ${ratio.dgram.toFixed(2)}x`);
    }
  }
  if (values.json) console.log(JSON.stringify({ bench: 'relay', bytes: BYTES, datagrams: DATAGRAMS, results, cpu, ratio }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
