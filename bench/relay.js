// Relay throughput of `xsock` against `socat`, same peers, same machine, one after the
// other: unix stream -> unix stream (1 GiB), and 64-byte datagrams unix dgram -> unix
// dgram. Prints one line per run and the ratios; with --json, one JSON object at the end.
//   node bench/relay.js [--bytes N] [--datagrams N] [--json]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { bytes: { type: 'string' }, datagrams: { type: 'string' }, json: { type: 'boolean' }, runs: { type: 'string' }, only: { type: 'string' } } });
const BYTES = Number(values.bytes ?? 1 << 30);
const DATAGRAMS = Number(values.datagrams ?? 1_000_000);
const RUNS = Number(values.runs ?? 3);
const BIN = fileURLToPath(new URL('../bin/xsock.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'xbench-'));

if (spawnSync('sh', ['-c', 'command -v socat']).status !== 0) {
  console.error('bench/relay.js: socat is not installed (apt-get install socat)');
  process.exit(1);
}

// Peers in python, identical for both relays. The stream source sends one 1 MiB buffer
// repeatedly; the sink reads into one buffer; neither hashes (that is the test's job).
const STREAM_SINK = `
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); print('READY', flush=True)
c, _ = s.accept(); buf = bytearray(1 << 20); n = 0
while True:
    k = c.recv_into(buf)
    if not k: break
    n += k
print(n, flush=True)
`;
const STREAM_SOURCE = `
import socket, sys, time
total = int(sys.argv[2]); block = b'x' * (1 << 20)
s = socket.socket(socket.AF_UNIX)
for i in range(500):
    try: s.connect(sys.argv[1]); break
    except OSError: time.sleep(0.01)
for i in range(total >> 20): s.sendall(block)
s.close()
`;
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

function run(cmd, args) {
  const child = spawn('timeout', ['120', cmd, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
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

const RELAYS = {
  stream: {
    xsock: (a, b) => [process.execPath, [BIN, '--no-progress', `unix-listen:${a}`, `unix:${b}`]],
    'xsock -b 1048576': (a, b) => [process.execPath, [BIN, '--no-progress', '-b', '1048576', `unix-listen:${a}`, `unix:${b}`]],
    socat: (a, b) => ['socat', [`UNIX-LISTEN:${a}`, `UNIX-CONNECT:${b}`]],
    'socat -b 262144': (a, b) => ['socat', ['-b', '262144', `UNIX-LISTEN:${a}`, `UNIX-CONNECT:${b}`]],
  },
  dgram: {
    xsock: (a, b) => [process.execPath, [BIN, '--no-progress', '-u', `unix-recv:${a}`, `unix-sendto:${b}`]],
    socat: (a, b) => ['socat', ['-u', `UNIX-RECV:${a}`, `UNIX-SENDTO:${b}`]],
  },
};

let seq = 0;
async function once(kind, name) {
  const a = join(dir, `a${seq}`);
  const b = join(dir, `b${seq++}`);
  const sink = kind === 'stream' ? run('python3', ['-c', STREAM_SINK, b]) : run('python3', ['-c', DGRAM_SINK, b, String(DATAGRAMS)]);
  await sink.ready;
  const [cmd, args] = RELAYS[kind][name](a, b);
  const relay = run(cmd, args);
  await waitPath(a);
  const t0 = performance.now();
  const source = kind === 'stream' ? run('python3', ['-c', STREAM_SOURCE, a, String(BYTES)]) : run('python3', ['-c', DGRAM_SOURCE, a, String(DATAGRAMS)]);
  const got = await sink.done;
  const seconds = (performance.now() - t0) / 1000;
  await source.done;
  relay.child.kill('SIGTERM');
  await relay.done;
  const count = Number(got.out.replace('READY', '').trim());
  const expected = kind === 'stream' ? Math.floor(BYTES / (1 << 20)) * (1 << 20) : DATAGRAMS;
  if (count !== expected) throw new Error(`${name} ${kind}: sink got ${count}, expected ${expected}`);
  return kind === 'stream' ? count / seconds / (1 << 20) : count / seconds;
}

const results = {};
try {
  for (const kind of values.only ? [values.only] : ['stream', 'dgram']) {
    results[kind] = {};
    for (const name of Object.keys(RELAYS[kind])) {
      const rates = [];
      for (let i = 0; i < RUNS; i++) rates.push(await once(kind, name));
      const best = Math.max(...rates);
      results[kind][name] = best;
      if (!values.json) {
        const unit = kind === 'stream' ? 'MiB/s' : 'msg/s';
        console.log(`${kind === 'stream' ? `unix stream ${BYTES >> 20} MiB` : `unix dgram ${DATAGRAMS} x 64 B`}  ${name.padEnd(16)} ${best.toFixed(0).padStart(10)} ${unit} (best of ${RUNS}: ${rates.map((r) => r.toFixed(0)).join(', ')})`);
      }
    }
  }
  const ratio = {};
  if (results.stream) Object.assign(ratio, { stream: results.stream.xsock / results.stream.socat, streamSameBuffer: results.stream.xsock / results.stream['socat -b 262144'] });
  if (results.dgram) ratio.dgram = results.dgram.xsock / results.dgram.socat;
  if (values.json) console.log(JSON.stringify({ bench: 'relay', bytes: BYTES, datagrams: DATAGRAMS, results, ratio }));
  else console.log(`ratio xsock/socat: ${Object.entries(ratio).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')} (streamSameBuffer: against socat -b 262144)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
