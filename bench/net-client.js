// Node core `net` client for the benchmark (unix stream and TCP only: net has no unix
// datagram or seqpacket), against the same C peer as the C and xsock clients.
//
//   node bench/net-client.js pingpong|oneway TRANSPORT ADDR SECONDS WARMUP
//
// pingpong: write one byte, the 'data' event writes the next.
// oneway:   write(64 B) until it returns false, then wait for 'drain' (net's backpressure).
// Prints one JSON line {"ops","secs","total"} like the C client.
import net from 'node:net';
import { once } from 'node:events';

const [mode, transport, addr, secsArg, warmArg] = process.argv.slice(2);
const secs = Number(secsArg);
const warm = Number(warmArg);
const MSG = 64;

const sock = transport === 'tcp' ? net.connect({ host: '127.0.0.1', port: Number(addr) }) : net.connect(addr);
await once(sock, 'connect');
sock.setNoDelay(true);

const start = performance.now();
const c = { t0: start, end: start + (warm + secs) * 1000, warming: warm > 0, ops: 0, total: 0 };
function tick(n) {
  c.ops += n;
  c.total += n;
  const tn = performance.now();
  if (c.warming && tn >= start + warm * 1000) {
    c.warming = false;
    c.ops = 0;
    c.t0 = tn;
  }
  return tn >= c.end;
}

function pingpong() {
  return new Promise((resolve, reject) => {
    let expect = 0;
    sock.on('data', (d) => {
      if (d.length !== 1 || d[0] !== expect) return reject(new Error(`pingpong: bad echo (${d.length} bytes)`));
      if (tick(1)) {
        resolve({ ops: c.ops, secs: (performance.now() - c.t0) / 1000, total: c.total });
        sock.end();
        return;
      }
      expect = c.total & 0xff;
      sock.write(Buffer.from([expect]));
    });
    sock.on('error', reject);
    sock.write(Buffer.from([expect]));
  });
}

async function oneway() {
  const msg = Buffer.alloc(MSG, 'a');
  const reply = [];
  let replyLen = 0;
  const replied = new Promise((resolve, reject) => {
    sock.on('data', (d) => {
      reply.push(d);
      replyLen += d.length;
      if (replyLen >= 8) resolve(Buffer.concat(reply).readBigUInt64LE(0));
    });
    sock.on('error', reject);
    sock.on('end', () => reject(new Error('the sink closed before reporting its count')));
  });
  for (;;) {
    let n = 0;
    let full = false;
    while (n < 32 && !full) {
      full = !sock.write(msg);
      n++;
    }
    if (tick(n)) break;
    if (full) await once(sock, 'drain');
  }
  sock.end();
  const got = Number(await replied);
  const t1 = performance.now(); // the clock stops when the receiver has everything
  if (got !== c.total * MSG) throw new Error(`oneway: sink received ${got}, sent ${c.total * MSG}`);
  return { ops: c.ops, secs: (t1 - c.t0) / 1000, total: c.total };
}

const r = mode === 'pingpong' ? await pingpong() : await oneway();
console.log(JSON.stringify(r));
sock.destroy();
