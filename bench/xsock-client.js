// xsock client for the benchmark: the same two tests as `ref client`, written the way an
// application would use the public API, against the same C peer.
//
//   node bench/xsock-client.js pingpong|oneway try|await|batch TRANSPORT ADDR SECONDS WARMUP
//
// pingpong: trySend the byte, then `await recvInto` (tries recv(2), on EAGAIN waits for
//   input readiness). `try` and `await` differ only in the send: trySend vs await send.
// oneway:   `try`   = trySend until EAGAIN, then `await readiness.wait(POLL_OUT)`
//                     (the never-waiting form: no Promise per message);
//           `await` = `await send(msg)` per message (the obvious code; one Promise each);
//           `batch` = trySendBatch of 32 (sendmmsg(2), dgram/seqpacket only), wait on EAGAIN.
// Prints one JSON line {"ops","secs","total"} like the C client.
import { socket, POLL_OUT } from '../dist/index.js';

const [mode, variant, transport, addr, secsArg, warmArg] = process.argv.slice(2);
const secs = Number(secsArg);
const warm = Number(warmArg);
const MSG = 64;

async function open() {
  if (transport === 'udp') {
    const s = socket('inet', 'dgram');
    await s.connect({ family: 'inet', address: '127.0.0.1', port: Number(addr) });
    return s;
  }
  if (transport === 'tcp') {
    const s = socket('inet', 'stream');
    await s.connect({ family: 'inet', address: '127.0.0.1', port: Number(addr) });
    s.setsockopt('IPPROTO_TCP', 'TCP_NODELAY', true);
    return s;
  }
  const s = socket('unix', transport);
  // The peer answers datagrams with sendto, so the client needs a name: autobind.
  if (transport === 'dgram') s.bind({ family: 'unix' });
  await s.connect({ family: 'unix', path: addr });
  return s;
}

/** Measures `step` (one operation, maybe async) for warm + secs seconds. */
function clock() {
  const start = performance.now();
  return { start, t0: start, end: start + (warm + secs) * 1000, warming: warm > 0, ops: 0, total: 0 };
}

/** Called after each batch: true when the time is up. */
function tick(c, n) {
  c.ops += n;
  c.total += n;
  const tn = performance.now();
  if (c.warming && tn >= c.start + warm * 1000) {
    c.warming = false;
    c.ops = 0;
    c.t0 = tn;
  }
  return tn >= c.end;
}

async function pingpong(s) {
  const out = Buffer.alloc(1);
  const inb = Buffer.alloc(16);
  const c = clock();
  for (;;) {
    out[0] = c.total & 0xff;
    if (variant === 'await') await s.send(out);
    else if (s.trySend(out) === null) await s.send(out);
    const n = await s.recvInto(inb);
    if (n !== 1 || inb[0] !== out[0]) throw new Error(`pingpong: bad echo (n=${n})`);
    if (tick(c, 1)) break;
  }
  const t1 = performance.now();
  if (transport === 'dgram' || transport === 'udp') s.trySend(Buffer.alloc(0)); // the peer's end-of-session
  return { ops: c.ops, secs: (t1 - c.t0) / 1000, total: c.total };
}

async function oneway(s) {
  const msg = Buffer.alloc(MSG, 'a');
  const stream = transport === 'stream' || transport === 'tcp';
  const batch = new Array(32).fill(msg);
  const c = clock();
  for (;;) {
    if (variant === 'batch') {
      let n;
      while ((n = s.trySendBatch(batch)) === null) await s.readiness.wait(POLL_OUT);
      if (tick(c, n)) break;
      continue;
    }
    for (let i = 0; i < 32; i++) {
      if (variant === 'await') {
        const n = await s.send(msg);
        if (n < MSG) await s.sendAll(msg.subarray(n));
        continue;
      }
      let n;
      while ((n = s.trySend(msg)) === null) await s.readiness.wait(POLL_OUT);
      if (n < MSG) await s.sendAll(msg.subarray(n)); // a stream may take part of it
    }
    if (tick(c, 32)) break;
  }
  if (stream) s.shutdown('write');
  else await s.send('E');
  const got = await sinkCount(s);
  const t1 = performance.now(); // the clock stops when the receiver has everything
  const want = stream ? c.total * MSG : c.total;
  if (got !== want) throw new Error(`oneway: sink received ${got}, sent ${want}`);
  return { ops: c.ops, secs: (t1 - c.t0) / 1000, total: c.total };
}

async function sinkCount(s) {
  const b = Buffer.alloc(8);
  let got = 0;
  while (got < 8) {
    const n = await s.recvInto(got ? b.subarray(got) : b, 0, { timeout: 10000 });
    if (n === 0) throw new Error('the sink closed before reporting its count');
    got += n;
  }
  return Number(b.readBigUInt64LE(0));
}

const s = await open();
try {
  const r = mode === 'pingpong' ? await pingpong(s) : await oneway(s);
  console.log(JSON.stringify(r));
} finally {
  s.close();
}
