// Runs soak parts, each in its own process group, under a heartbeat watchdog: a part
// whose event loop stops beating is a hang (killed, with what it was doing), a part that
// dies is a crash. Collects the counters and the distinct failures of every part.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PARTS = ['leaks', 'integrity', 'fuzz', 'races', 'scale'];
const here = (f) => fileURLToPath(new URL(f, import.meta.url));

/** Runs one part; resolves to { part, tally, failures, skipped, crashes, hangs, notes, ms }. */
export function runPart(part, { scale = 'slice', seed, all = false, hangMs = 10000, limitMs = 600000, log = () => {}, extraArgs = [] } = {}) {
  const args = ['--expose-gc', here(`./${part}.js`), `--scale=${scale}`, ...extraArgs];
  if (seed !== undefined) args.push(`--seed=${seed}`);
  if (all) args.push('--all');
  // Raise the soft descriptor limit to the hard one (scale needs ~10,000 per process).
  const child = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  const out = { part, tally: null, failures: [], skipped: [], crashes: [], hangs: [], notes: [], seed: undefined, ms: 0, lastDoing: undefined };
  const started = Date.now();
  let lastBeat = Date.now();
  let doing = '(starting)';
  let killedFor = null;
  let partial = '';
  let stderr = '';
  let lastTally = null;
  const kill = (why) => {
    if (killedFor) return;
    killedFor = why;
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  };
  const dog = setInterval(() => {
    if (Date.now() - lastBeat > hangMs) kill(`no heartbeat for ${hangMs} ms (the event loop froze) while: ${doing}`);
    else if (Date.now() - started > limitMs) kill(`still running after ${limitMs} ms while: ${doing}`);
  }, 200);
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  child.stdout.setEncoding('utf8').on('data', (d) => {
    lastBeat = Date.now();
    partial += d;
    let i;
    while ((i = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, i);
      partial = partial.slice(i + 1);
      let m;
      try { m = JSON.parse(line); } catch { continue; }
      if (m.doing) { doing = m.doing; out.lastDoing = m.doing; }
      if (m.start) out.seed = m.seed;
      if (m.failure) { out.failures.push(m.failure); log(m.failure); }
      if (m.note) out.notes.push(m.note);
      if (m.crash) out.crashes.push({ part, what: m.crash, doing });
      if (m.tally) lastTally = m.tally;
      if (m.result) { out.tally = m.result; out.skipped = m.skipped ?? []; }
    }
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearInterval(dog);
      out.ms = Date.now() - started;
      if (killedFor) out.hangs.push({ part, what: killedFor, seed: out.seed });
      else if (code !== 0 || out.tally === null) {
        if (out.crashes.length === 0) out.crashes.push({ part, what: `exited ${code ?? signal}: ${stderr.trim().split('\n').slice(-6).join(' | ')}`, doing });
      }
      out.tally ??= lastTally ?? { operations: 0, messages: 0, bytes: 0, fuzzCalls: 0, fdsLeaked: 0, bytesLost: 0, codeless: 0, failures: 0 };
      resolve(out);
    });
  });
}

/** Sums the parts into the closing table's figures. */
export function totals(results) {
  const t = { operations: 0, messages: 0, bytes: 0, fuzzCalls: 0, fdsLeaked: 0, bytesLost: 0, crashes: 0, hangs: 0, codeless: 0, failures: 0 };
  for (const r of results) {
    for (const k of ['operations', 'messages', 'bytes', 'fuzzCalls', 'fdsLeaked', 'bytesLost', 'codeless', 'failures']) t[k] += r.tally[k] ?? 0;
    t.crashes += r.crashes.length + (r.tally.crashes ?? 0);
    t.hangs += r.hangs.length + (r.tally.hangs ?? 0);
  }
  return t;
}

const human = (n) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)} k` : String(n));

/** The closing table: one row per part and the total. */
export function table(results) {
  const cols = [['operations', 'operations'], ['messages', 'messages'], ['bytes', 'bytes'], ['fuzzCalls', 'fuzz calls'], ['fdsLeaked', 'fds leaked'], ['bytesLost', 'bytes lost'], ['crashes', 'crashes'], ['hangs', 'hangs'], ['codeless', 'errors without a code'], ['failures', 'failed checks']];
  const rows = results.map((r) => ({ name: r.part, ...totals([r]), secs: (r.ms / 1000).toFixed(1) }));
  rows.push({ name: 'total', ...totals(results), secs: (results.reduce((s, r) => s + r.ms, 0) / 1000).toFixed(1) });
  const head = ['part', ...cols.map((c) => c[1]), 'seconds'];
  const body = rows.map((r) => [r.name, ...cols.map(([k]) => human(r[k])), r.secs]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padStart(i ? w[i] : 0).padEnd(w[i])).join(' | ')} |`;
  return [line(head), `|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
