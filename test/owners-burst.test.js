// Ownership records of descriptors made and closed within one job. An async loop that
// creates and closes sockets without ever waiting is one job (each await resumes on a
// settled promise), and a WeakRef made per Socket kept every Socket of such a burst alive
// until it ended: npm run soak's leaks.rss saw +100 MiB over 150,000 socketpairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socketpair, Socket } from '../dist/index.js';
import { checkFdsAtEnd } from './helpers.js';

checkFdsAtEnd();

const MiB = 2 ** 20;

/** n socketpairs made and closed in one job: awaits of settled promises only. */
async function burst(n) {
  for (let i = 0; i < n; i++) {
    await null;
    const [a, b] = socketpair('unix', 'stream');
    a.close();
    b.close();
  }
}

test('a burst of socketpair create/close in one job keeps no closed Socket alive', async () => {
  assert.ok(global.gc, 'the suite runs with --expose-gc');
  await burst(2000); // code and caches warmed up
  await new Promise((r) => setImmediate(r));
  global.gc();
  const before = process.memoryUsage().heapUsed;
  await burst(30000);
  // Still the same job: whatever the burst kept reachable is still there for gc() to see.
  global.gc();
  const grown = process.memoryUsage().heapUsed - before;
  // 60,000 Sockets kept alive hold ~18 MiB; nothing kept holds next to nothing.
  assert.ok(grown < 4 * MiB, `heap grew ${(grown / MiB).toFixed(1)} MiB over 30,000 closed socketpairs`);
});

test('ownership holds from creation on, within the turn that made the socket and after it', async () => {
  const [a, b] = socketpair('unix', 'stream');
  try {
    // Same turn: the owner is held strongly.
    assert.throws(() => Socket.fromFd(a.fd), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /already owned/ });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    // Later turns: through a WeakRef.
    global.gc?.();
    assert.throws(() => Socket.fromFd(b.fd), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /already owned/ });
  } finally {
    a.close();
    b.close();
  }
});
