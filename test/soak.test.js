// The fast slice of `npm run soak`: every part at a tiny count, each in its own process
// under the heartbeat watchdog. Checks waiting for a fix are left out (test/soak/known.js);
// everything else must find nothing: no failure, leak, loss, crash, hang or codeless error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFdsAtEnd } from './helpers.js';
import { PARTS, runPart, table } from './soak/runner.js';

checkFdsAtEnd();
// A fixed seed by default, so the suite is repeatable; SOAK_SEED picks another, and `npm run soak`
// explores a new random seed every run.
const seed = Number(process.env.SOAK_SEED ?? 20261201);

for (const part of PARTS) {
  test(`soak slice: ${part} finds nothing (seed ${seed})`, async () => {
    const r = await runPart(part, { scale: 'slice', seed, hangMs: 10000, limitMs: 60000 });
    const found = [
      ...r.failures.filter((f) => !f.pending).map((f) => `${f.check} ${f.fn ?? ''} ${f.arg ?? ''}: ${f.what}`),
      ...r.crashes.map((c) => `crash while ${c.doing}: ${c.what}`),
      ...r.hangs.map((h) => `hang: ${h.what}`),
    ];
    assert.deepEqual(found, [], `${table([r])}\nreplay: node test/soak/run.js --slice --parts=${part} --seed=${seed}`);
    for (const k of ['fdsLeaked', 'bytesLost', 'codeless', 'crashes', 'hangs']) assert.equal(r.tally[k], 0, k);
    assert.ok(r.tally.operations + r.tally.messages + r.tally.fuzzCalls > 0, 'the part did something');
  });
}
