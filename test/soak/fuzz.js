// Fuzz: runs seeded fuzz-worker processes under the heartbeat watchdog. A worker that
// crashes or freezes is a finding (the seed and the last call replay it); the function
// it was calling is then left out and fuzzing goes on with the next seed, so one run
// finds many distinct failures. Replay one: node test/soak/fuzz-worker.js --seed=N --calls=M
import { part } from './lib.js';
import { runPart } from './runner.js';

await part('fuzz', async (ctx) => {
  const full = ctx.scale === 'full';
  // Full: first everything (finds the crash and freeze classes, a few restarts), then the
  // known triggers left out with err.code checked (finds the rest cleanly). Slice: the
  // second phase only, err.code left to the full soak until items 8/9 land.
  const phases = full
    ? [{ budget: ctx.n(60000, 0), safe: false, codes: true, restarts: 4 }, { budget: ctx.n(240000, 0), safe: true, codes: true, restarts: 8 }]
    : [{ budget: 3000, safe: !ctx.check('fuzz.second-watcher'), codes: ctx.check('fuzz.codes'), restarts: 1 }];
  let seed = ctx.seed;
  for (const phase of phases) {
    const exclude = [];
    let budget = phase.budget;
    let restarts = 0;
    while (budget > 0 && restarts < phase.restarts) {
      const calls = Math.min(budget, 60000);
      const extra = [`--calls=${calls}`];
      if (exclude.length) extra.push(`--exclude=${exclude.join(',')}`);
      if (phase.safe) extra.push('--safe');
      if (phase.codes) extra.push('--codes');
      const replay = `node test/soak/fuzz-worker.js --seed=${seed} ${extra.join(' ')}`;
      ctx.doing(`fuzz-worker: ${replay}`);
      const r = await runPart('fuzz-worker', { scale: ctx.scale, seed, extraArgs: extra, hangMs: 10000, limitMs: full ? 600000 : 60000 });
      for (const k of ['fuzzCalls', 'fdsLeaked', 'codeless', 'hangs', 'crashes']) ctx.tally[k] += r.tally[k] ?? 0;
      for (const f of r.failures) ctx.fail({ ...f, what: `${f.what} (replay: ${replay})` });
      const last = r.lastDoing ?? '';
      const m = /^#(\d+) ([^(]+)(\(.*)?$/.exec(last);
      const broke = [...r.crashes.map((c) => ['fuzz.crash', c.what]), ...r.hangs.map((h) => ['fuzz.hang', h.what])];
      for (const [check, what] of broke) {
        if (check === 'fuzz.crash') ctx.tally.crashes++; else ctx.tally.hangs++;
        // A freeze or a throw from a timer shows up at whatever call ran next: the culprit
        // may be an earlier call; the replay line reproduces it.
        ctx.fail({ check, fn: m?.[2] ?? last, arg: m?.[3] ?? '', what: `${what.slice(0, 500)} (last call #${m?.[1] ?? '?'}; replay: ${replay})` });
        if (m) exclude.push(m[2]);
        restarts++;
      }
      budget -= broke.length ? (m ? Number(m[1]) + 1 : calls) : calls;
      seed = (seed + 1) >>> 0;
    }
  }
});
