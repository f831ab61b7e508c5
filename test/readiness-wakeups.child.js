// Child of readiness-wakeups.test.js: ROUNDS one-byte round trips with a python echo
// peer over a seqpacket socketpair; the peer answers late, so each reply is awaited
// through readiness (recvInto).
import { spawn } from 'node:child_process';
import { socketpair } from '../dist/index.js';

const ROUNDS = Number(process.argv[2]);
const [a, b] = socketpair('unix', 'seqpacket');
const peer = spawn('python3', ['-c', `
import socket, time
s = socket.socket(fileno=3)
s.setblocking(True)
while True:
    d = s.recv(16)
    if not d: break
    time.sleep(0.0003)  # so the reply comes after the caller has started waiting
    s.send(d)
`], { stdio: ['ignore', 'inherit', 'inherit', b.fd] });
b.close();
const out = Buffer.alloc(1);
const inb = Buffer.alloc(16);
for (let i = 0; i < ROUNDS; i++) {
  out[0] = i & 0xff;
  if (a.trySend(out) === null) await a.send(out);
  const n = await a.recvInto(inb, 0, { timeout: 10000 });
  if (n !== 1 || inb[0] !== out[0]) throw new Error(`bad echo at round ${i}`);
}
a.close();
await new Promise((resolve) => peer.on('exit', resolve));
