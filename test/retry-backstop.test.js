// The retry loop's backstop, as a pure unit test of the loop (no kernel involved): an
// attempt that keeps saying "not yet" while every wait ends at once — the shape of the
// connect bug that froze the fuzz runs — must leave timers running and its own timeout
// effective, instead of looping in microtasks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retry, EMPTY_ROUNDS } from '../dist/socket/retry.js';
import { checkFdsAtEnd, within } from './helpers.js';

checkFdsAtEnd();

test('empty attempts with waits that end at once: timers still fire and the timeout rejects', async () => {
  let ticks = 0;
  const dog = setInterval(() => { ticks++; }, 5);
  let attempts = 0;
  const how = { wait: () => Promise.resolve(1) };
  const t0 = performance.now();
  try {
    const err = await within(retry(() => { attempts++; return null; }, how, { timeout: 200 }).then(() => null, (e) => e), 5000, 'the paced retry');
    assert.ok(err, 'the call cannot succeed');
    assert.equal(err.code, 'ERR_XSOCK_TIMEOUT');
    const ms = performance.now() - t0;
    assert.ok(ms >= 190 && ms < 2000, `rejected after ${ms.toFixed(0)} ms`);
    assert.ok(ticks >= 5, `the event loop was starved: ${ticks} timer ticks`);
    // Unpaced for the first rounds, then about one round per millisecond (not millions).
    assert.ok(attempts > EMPTY_ROUNDS && attempts < EMPTY_ROUNDS + 1000, `${attempts} attempts`);
  } finally {
    clearInterval(dog);
  }
});

test('a call that succeeds within the first rounds is never paced', async () => {
  let n = 0;
  const how = { wait: () => Promise.resolve(1) };
  // Unpaced rounds never leave the microtask queue, so the call ends before the next
  // macrotask; one paced round (a timer) would let the setImmediate win.
  const first = await within(Promise.race([
    retry(() => (++n === EMPTY_ROUNDS ? 'done' : null), how),
    new Promise((r) => setImmediate(() => r('a macrotask ran first'))),
  ]), 5000, 'retry');
  assert.equal(first, 'done', 'no pause before the backstop engages');
});
