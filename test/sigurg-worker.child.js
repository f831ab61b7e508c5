// A worker with two subscribed TCP sockets: A fed by an xsock sender in this worker, B by a
// python3 sender the main thread starts (it connects to the port posted with `ready`, then
// sends 30000 normal bytes and, once told on stdin, its urgent byte). On 'go' the worker
// makes urgent data held back on A, then asks for it on B, reading each through once told;
// every handler call is posted at once. Stays subscribed until terminated.
import { parentPort, workerData } from 'node:worker_threads';
import { onUrgent } from '../dist/index.js';
import { listener, pair, sendHeldBackUrgent, readThrough, bounded } from './sigurg-peer.js';

const l = listener();
const A = await pair(l);
parentPort.postMessage({ ready: true, port: l.getsockname().port });
const B = { s: await bounded(l.accept({ timeout: 10000 }), 10000, 'the python sender') };
const socks = { A, B };
const waiting = {};
for (const [name, p] of Object.entries(socks)) {
  onUrgent(p.s, (sock, state) => {
    parentPort.postMessage({ call: `${workerData.name}${name}`, own: sock === p.s, state, now: p.s.urgentState() });
    waiting[name]?.();
  });
}
parentPort.on('message', async (m) => {
  if (m !== 'go') return;
  for (const [name, p] of Object.entries(socks)) {
    const told = new Promise((r) => { waiting[name] = r; });
    parentPort.postMessage({ sending: `${workerData.name}${name}`, python: !p.c });
    const sent = p.c ? await sendHeldBackUrgent(p.c) : 30000;
    await bounded(told, 8000, `the urgent notification on ${name}`);
    const byte = await readThrough(p.s, sent);
    parentPort.postMessage({ read: `${workerData.name}${name}`, byte, after: p.s.urgentState() });
  }
  parentPort.postMessage({ done: true });
});
parentPort.postMessage({ subscribed: true });
