// worker_threads: each worker has its own sockets and readiness watchers on its own
// loop; workers that exit (normally, or terminated mid-wait) do not crash the process
// or disturb the main thread's sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { socket, socketpair, Socket } from '../dist/index.js';
import { checkFdsAtEnd, tempDir, within, fdCount } from './helpers.js';

checkFdsAtEnd();
const dir = tempDir();
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

// A worker serving one unix stream listener: upper-cases each connection's bytes until
// EOF. With workerData.hang it instead reports its fd and waits forever in accept().
const WORKER = `
import { parentPort, workerData } from 'node:worker_threads';
import { socket } from ${JSON.stringify(dist)};
const lst = socket('unix', 'stream');
lst.bind(workerData.path);
lst.listen();
parentPort.postMessage({ ready: true, fd: lst.fd });
if (workerData.hang) {
  await lst.accept();
} else {
  try {
    for (let i = 0; i < workerData.connections; i++) {
      const c = await lst.accept({ timeout: 10000 });
      for (let b; (b = await c.recv(65536, 0, { timeout: 10000 })).length > 0;) await c.sendAll(b.toString().toUpperCase());
      c.close();
    }
  } finally {
    lst.close();
  }
  parentPort.postMessage({ done: true });
}
`;
const workerPath = join(dir, 'worker.mjs');
writeFileSync(workerPath, WORKER);

function start(data) {
  const w = new Worker(workerPath, { workerData: data });
  const ready = new Promise((res, rej) => {
    w.once('message', res);
    w.once('error', rej);
  });
  return { w, ready: within(ready, 10000, 'worker ready'), exited: once(w, 'exit') };
}

async function ask(path, text) {
  const s = socket('unix', 'stream');
  try {
    await within(s.connect(path), 5000, 'connect');
    await s.sendAll(text);
    s.shutdown('write');
    const parts = [];
    for (let b; (b = await within(s.recv(65536), 5000, 'reply')).length > 0;) parts.push(b);
    return Buffer.concat(parts).toString();
  } finally {
    s.close();
  }
}

test('four workers, a socket each, served concurrently; they exit cleanly', async () => {
  const before = fdCount();
  const workers = [0, 1, 2, 3].map((i) => ({ path: join(dir, `w${i}.sock`), ...start({ path: join(dir, `w${i}.sock`), connections: 3 }) }));
  await Promise.all(workers.map((w) => w.ready));
  const replies = await Promise.all(workers.flatMap((w, i) => [0, 1, 2].map((j) => ask(w.path, `worker ${i} request ${j} `.repeat(1000)))));
  replies.forEach((r, k) => assert.equal(r, `WORKER ${Math.floor(k / 3)} REQUEST ${k % 3} `.repeat(1000)));
  const codes = await within(Promise.all(workers.map((w) => w.exited)), 10000, 'worker exit');
  assert.deepEqual(codes.map(([c]) => c), [0, 0, 0, 0]);
  assert.equal(fdCount(), before, 'every worker closed its own descriptors');
});

test('terminate() during a pending wait: no crash, the main thread keeps working', async () => {
  const path = join(dir, 'hang.sock');
  const { w, ready, exited } = start({ path, hang: true });
  const { fd } = await ready;
  const [a, b] = socketpair('unix', 'stream');
  const pending = b.recv(100); // the main thread is waiting too, on its own loop
  const before = fdCount();
  await w.terminate();
  await exited;
  // A terminated worker runs no JavaScript, yet the sockets it owned are closed: the
  // environment's teardown closes the descriptors its live Sockets owned.
  assert.throws(() => Socket.fromFd(fd), { code: 'ERR_XSOCK_BAD_FD' }, `worker's fd ${fd} was closed`);
  assert.ok(fdCount() < before, 'the worker left no descriptors behind');
  await a.sendAll('still alive');
  assert.equal((await within(pending, 5000, 'main thread recv')).toString(), 'still alive');
  a.close(); b.close();
});
