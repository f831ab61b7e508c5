// Node core `dgram` client for the UDP ping-pong, against the same C peer as the C and
// xsock clients: send one byte, the 'message' event sends the next.
//
//   node bench/dgram-client.js pingpong udp PORT SECONDS WARMUP
//
// Prints one JSON line {"ops","secs","total"} like the C client.
import dgram from 'node:dgram';
import { once } from 'node:events';

const [mode, transport, port, secsArg, warmArg] = process.argv.slice(2);
if (mode !== 'pingpong' || transport !== 'udp') {
  console.error('usage: node bench/dgram-client.js pingpong udp PORT SECONDS WARMUP');
  process.exit(2);
}
const secs = Number(secsArg);
const warm = Number(warmArg);

const sock = dgram.createSocket('udp4');
sock.connect(Number(port), '127.0.0.1');
await once(sock, 'connect');

const start = performance.now();
const c = { t0: start, end: start + (warm + secs) * 1000, warming: warm > 0, ops: 0, total: 0 };
const r = await new Promise((resolve, reject) => {
  let expect = 0;
  sock.on('message', (d) => {
    if (d.length !== 1 || d[0] !== expect) return reject(new Error(`pingpong: bad echo (${d.length} bytes)`));
    c.ops++;
    c.total++;
    const tn = performance.now();
    if (c.warming && tn >= start + warm * 1000) {
      c.warming = false;
      c.ops = 0;
      c.t0 = tn;
    }
    if (tn >= c.end) return resolve({ ops: c.ops, secs: (tn - c.t0) / 1000, total: c.total });
    expect = c.total & 0xff;
    sock.send(Buffer.from([expect]));
  });
  sock.on('error', reject);
  sock.send(Buffer.from([expect]));
});
sock.send(Buffer.alloc(0), () => sock.close()); // the peer's end-of-session
console.log(JSON.stringify(r));
