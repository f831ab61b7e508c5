#!/usr/bin/env node
// `npm run soak`: every part at full size (a few minutes on 2 cores), then the table and
// the list of distinct failures. `--slice` runs the tiny counts of `npm test` (known
// defects left out; add `--all` to include them), `--parts=leaks,fuzz` picks parts,
// `--seed=N` replays. Exit 0 only when nothing was found.
import { PARTS, runPart, totals, table } from './runner.js';
import { PENDING } from './known.js';

const argv = process.argv.slice(2);
const opt = (n) => argv.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3);
const scale = argv.includes('--slice') ? 'slice' : 'full';
const parts = opt('parts')?.split(',') ?? PARTS;
const seed = opt('seed') === undefined ? Date.now() % 2 ** 31 : Number(opt('seed'));
const all = argv.includes('--all');

process.stderr.write(`soak: ${scale}, parts ${parts.join(', ')}, seed ${seed} (replay: node test/soak/run.js${scale === 'slice' ? ' --slice' : ''} --seed=${seed})\n`);
const results = [];
for (const p of parts) {
  process.stderr.write(`soak: ${p} ...\n`);
  const r = await runPart(p, { scale, seed, all, hangMs: 15000, limitMs: 900000, log: (f) => process.stderr.write(`  ! ${f.check} ${f.fn ?? ''} ${f.what.slice(0, 160)}\n`) });
  for (const n of r.notes) process.stderr.write(`  ${n}\n`);
  process.stderr.write(`soak: ${p} done in ${(r.ms / 1000).toFixed(1)} s\n`);
  results.push(r);
}
const t = totals(results);
const failures = results.flatMap((r) => [
  ...r.failures,
  ...r.crashes.map((c) => ({ part: c.part, check: `${c.part}.crash`, fn: c.doing, what: c.what })),
  ...r.hangs.map((h) => ({ part: h.part, check: `${h.part}.hang`, what: h.what })),
]);
let out = `\n${table(results)}\n`;
if (failures.length) {
  out += `\n${failures.length} distinct failures (function, argument, what happened):\n`;
  for (const f of failures) {
    const known = PENDING.get(f.check);
    out += `- [${f.check}]${known ? ` (known, ${known.split(':')[0]})` : ''} ${f.fn ?? ''}${f.arg ? ` ${f.arg}` : ''}: ${f.what}\n`;
  }
}
const skipped = [...new Set(results.flatMap((r) => r.skipped))];
if (skipped.length) out += `\nchecks left out (known defects, see test/soak/known.js): ${skipped.join(', ')}\n`;
out += `\nseed ${seed}\n`;
process.stdout.write(out);
const clean = t.fdsLeaked === 0 && t.bytesLost === 0 && t.crashes === 0 && t.hangs === 0 && t.codeless === 0 && failures.length === 0;
process.exit(clean ? 0 : 1);
