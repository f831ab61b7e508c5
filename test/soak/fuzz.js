// Fuzz: runs seeded fuzz-worker processes under the heartbeat watchdog. A worker that
// crashes or freezes is a finding (the seed and the last call replay it); the function
// it was calling is then left out and fuzzing goes on with the next seed, so one run
// finds many distinct failures. Replay one: node test/soak/fuzz-worker.js --seed=N --calls=M
import { part } from './lib.js';
import { runPart } from './runner.js';

await part('fuzz', async (ctx) => {
  const full = ctx.scale === 'full';
  let budget = ctx.n(300000, 3000);
  const perWorker = full ? 60000 : 3000;
  const exclude = [];
  let seed = ctx.seed;
  let restarts = 0;
  while (budget > 0 && restarts < (full ? 12 : 1)) {
    const calls = Math.min(budget, perWorker);
    const extra = [`--calls=${calls}`];
    if (exclude.length) extra.push(`--exclude=${exclude.join(',')}`);
    if (!ctx.check('fuzz.codes') || !ctx.check('fuzz.second-watcher')) extra.push('--safe');
    ctx.doing(`fuzz-worker seed ${seed}: ${calls} calls`);
    const r = await runPart('fuzz-worker', { scale: ctx.scale, seed, extraArgs: extra, hangMs: 10000, limitMs: full ? 600000 : 60000 });
    for (const k of ['fuzzCalls', 'fdsLeaked', 'codeless', 'hangs']) ctx.tally[k] += r.tally[k] ?? 0;
    for (const f of r.failures) ctx.fail({ ...f, seed });
    const last = r.lastDoing ?? '';
    const m = /^#(\d+) ([^(]+)(\(.*)?$/.exec(last);
    const broke = [...r.crashes.map((c) => ['fuzz.crash', c.what]), ...r.hangs.map((h) => ['fuzz.hang', h.what])];
    for (const [check, what] of broke) {
      if (check === 'fuzz.crash') ctx.tally.crashes++; else ctx.tally.hangs++;
      ctx.tally.fuzzCalls += m ? Number(m[1]) + 1 : 0;
      ctx.fail({ check, fn: m?.[2] ?? last, arg: m?.[3] ?? '', what: `${what.slice(0, 400)} (replay: node test/soak/fuzz-worker.js --seed=${seed} --calls=${calls}${exclude.length ? ` --exclude=${exclude.join(',')}` : ''})` });
      if (m) exclude.push(m[2]);
      restarts++;
    }
    budget -= broke.length ? (m ? Number(m[1]) + 1 : calls) : calls;
    seed = (seed + 1) >>> 0;
  }
});
