// Received descriptors a worker never take()s belong to the library; when the worker is
// terminated no JavaScript runs to close them, so the environment's teardown must (the
// shim's own-table). 10 workers each receive 15 descriptors, are terminated mid-wait, and
// the process's descriptor count returns to where it started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkFdsAtEnd, tempDir, within, fdCount } from './helpers.js';

checkFdsAtEnd();
const dir = tempDir();
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const WORKERS = 10;
const FDS = 15;

// Sends itself FDS descriptors over a socketpair, receives them without taking them,
// closes its originals (so only the received copies remain), then waits for ever.
const WORKER = `
import { parentPort } from 'node:worker_threads';
import { openSync, closeSync } from 'node:fs';
import { socketpair } from ${JSON.stringify(dist)};
const [a, b] = socketpair('unix', 'seqpacket');
const originals = Array.from({ length: ${FDS} }, () => openSync('/dev/null', 'r'));
await a.sendmsg({ data: 'x', fds: originals });
for (const fd of originals) closeSync(fd);
const m = await b.recvmsg({ fds: ${FDS}, timeout: 5000 });
parentPort.postMessage({ received: m.fds.length });
await b.recv(1); // never answered: terminate() finds the worker waiting
`;
const workerPath = join(dir, 'rights-worker.mjs');
writeFileSync(workerPath, WORKER);

test(`${WORKERS} workers each holding ${FDS} untaken received fds: terminate() closes them all`, async () => {
  const start = fdCount();
  const workers = [];
  for (let i = 0; i < WORKERS; i++) {
    const w = new Worker(workerPath);
    const ready = within(new Promise((res, rej) => { w.once('message', res); w.once('error', rej); }), 10000, `worker ${i}`);
    workers.push({ w, ready, exited: once(w, 'exit') });
  }
  for (const { ready } of workers) assert.equal((await ready).received, FDS);
  const held = fdCount();
  // Each worker holds its socketpair, its epoll and the received fds: at least FDS more.
  assert.ok(held - start >= WORKERS * FDS, `workers hold ${held - start} descriptors`);
  for (const { w } of workers) await within(w.terminate(), 10000, 'terminate');
  for (const { exited } of workers) await within(exited, 10000, 'exit');
  assert.equal(fdCount(), start, `descriptors left behind by terminated workers: ${fdCount() - start}`);
});
