#!/usr/bin/env node
// Message-layer benchmarks, each against a C reference built here (cc -O2) and run in the
// same process tree, same loop shape:
//   fd passing rate  - one fd per message, receiver closes it (xsock recvmsg vs C recvmsg)
//   batched datagrams - one-way 64 B unix datagrams: xsock sendmmsg/recvmmsg batches vs a
//                       naive C loop of one send(2)/recv(2) per message
// Usage: node bench/msg.js [--json] [--quick]   (needs a built dist/ and a C compiler)
import { spawnSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { socketpair } from '../dist/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const N_FD = quick ? 50_000 : 300_000;
const N_DG = quick ? 200_000 : 2_000_000;
const REPS = quick ? 2 : 5;

function buildRef() {
  mkdirSync(`${here}out`, { recursive: true });
  const src = `${here}msg-ref.c`;
  const bin = `${here}out/msg-ref`;
  let fresh = false;
  try { fresh = statSync(bin).mtimeMs > statSync(src).mtimeMs; } catch { /* not built yet */ }
  if (!fresh) {
    const r = spawnSync('cc', ['-O2', '-o', bin, src], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cc failed: ${r.stderr}`);
  }
  return bin;
}

function runRef(bin, mode, n) {
  const r = spawnSync('timeout', ['60', bin, mode, String(n)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${mode} reference failed: ${r.stderr}`);
  const [got, secs] = r.stdout.trim().split(' ').map(Number);
  return got / secs;
}

function jsFdPass(n) {
  const [a, b] = socketpair('unix', 'seqpacket');
  const f = openSync('/dev/null', 'r');
  const one = Buffer.from('x');
  const msg = { data: one, fds: [f] };
  const opts = { fds: 1, size: 16 };
  let sent = 0;
  let got = 0;
  const t = performance.now();
  while (got < n) {
    while (sent < n && a.trySendmsg(msg) !== null) sent++;
    for (let m; (m = b.tryRecvmsg(opts)) !== null;) {
      m.fds.close();
      got++;
    }
  }
  const secs = (performance.now() - t) / 1000;
  closeSync(f);
  a.close();
  b.close();
  return got / secs;
}

function jsDgram(n) {
  const [a, b] = socketpair('unix', 'dgram');
  const batch = Array.from({ length: 64 }, () => Buffer.alloc(64, 0x64));
  const opts = { count: 64, size: 64, controlSize: 0 };
  let sent = 0;
  let got = 0;
  const t = performance.now();
  while (got < n) {
    while (sent < n) {
      const k = a.trySendBatch(n - sent >= 64 ? batch : batch.slice(0, n - sent));
      if (k === null) break;
      sent += k;
    }
    for (let ms; (ms = b.tryRecvBatch(opts)) !== null;) got += ms.length;
  }
  const secs = (performance.now() - t) / 1000;
  a.close();
  b.close();
  return got / secs;
}

/** Best of REPS for each side, the two alternated so load from elsewhere hits both alike. */
function pairBest(cFn, jsFn) {
  let c = 0;
  let js = 0;
  for (let i = 0; i < REPS; i++) {
    c = Math.max(c, cFn());
    js = Math.max(js, jsFn());
  }
  return { c, js };
}

const bin = buildRef();
const results = [];
{
  const { c, js } = pairBest(() => runRef(bin, 'fdpass', N_FD), () => jsFdPass(N_FD));
  results.push({ name: 'fd passing (1 fd/msg, seqpacket)', unit: 'msg/s', xsock: js, c, ratio: js / c, target: 0.6 });
}
{
  const { c, js } = pairBest(() => runRef(bin, 'dgram', N_DG), () => jsDgram(N_DG));
  results.push({ name: 'batched 64 B dgram one-way (xsock mmsg vs naive C)', unit: 'msg/s', xsock: js, c, ratio: js / c, target: 1.0 });
}
if (json) console.log(JSON.stringify(results));
else {
  for (const r of results) {
    const ok = r.ratio >= r.target ? 'meets' : 'BELOW';
    console.log(`${r.name}: xsock ${Math.round(r.xsock).toLocaleString()} ${r.unit}, C ${Math.round(r.c).toLocaleString()} ${r.unit}, ratio ${r.ratio.toFixed(2)}x (target >= ${r.target}x: ${ok})`);
  }
}
