// A wake-up is paid only for news somebody waits for. A unix (or UDP) socket reports a
// writable edge each time its peer consumes a message; when readiness asked the kernel for
// writability all the time, every such edge woke the loop and JavaScript for nothing — a
// ping-pong round trip cost two wake-ups. Counted with strace, not timed: the watcher's
// epoll_wait (one per wake-up) against the receives that found nothing (one per wait).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFdsAtEnd, need, tempDir } from './helpers.js';

checkFdsAtEnd();

const ROUNDS = 1000;

/** strace -c's table: syscall name -> { calls, errors }. */
function counts(file) {
  const m = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 5 && /^\d/.test(f[0]) && /^[a-z_0-9]+$/.test(f[f.length - 1])) {
      const errors = f.length === 6 ? Number(f[4]) : 0;
      m.set(f[f.length - 1], { calls: Number(f[3]), errors });
    }
  }
  return m;
}

test('a ping-pong wakes the loop once per wait, not again for each writable edge', { skip: need('strace') || need('python3') }, () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'counts');
    const child = fileURLToPath(new URL('readiness-wakeups.child.js', import.meta.url));
    // Only the node process is traced (no -f): python's blocking recv is not counted.
    const r = spawnSync('strace', ['-c', '-o', file, '-e', 'trace=epoll_wait,recvfrom', process.execPath, child, String(ROUNDS)], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const c = counts(file);
    const waits = c.get('recvfrom')?.errors ?? 0; // EAGAIN: the reply had not come yet
    const wakeups = c.get('epoll_wait')?.calls ?? 0;
    assert.equal(c.get('recvfrom')?.calls, ROUNDS + waits, 'every round received once, after its EAGAINs');
    // Each wait is ended by one wake-up; a few more for start-up and the child's exit.
    assert.ok(wakeups <= waits + 20, `${wakeups} wake-ups for ${waits} waits in ${ROUNDS} round trips`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
