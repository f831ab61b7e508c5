// The side of a soak part that runs in its own process: arguments, counters, failure
// records and a heartbeat, all reported as JSON lines on stdout (written synchronously, so
// what was found before a crash or a freeze still reaches the runner).
import { writeSync, readdirSync, readlinkSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { isPending } from './known.js';

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : a.slice(name.length + 3);
};

function emit(obj) {
  const line = `${JSON.stringify(obj)}\n`;
  for (let off = 0; off < line.length;) {
    try {
      off += writeSync(1, line.slice(off));
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
    }
  }
}

/** Open descriptors of this process. */
export function fdCount() {
  return readdirSync('/proc/self/fd').length;
}

/** fd number -> what it is (for naming a leak). */
export function fdTable() {
  const out = new Map();
  for (const f of readdirSync('/proc/self/fd')) {
    try {
      out.set(Number(f), readlinkSync(`/proc/self/fd/${f}`));
    } catch {
      // the readdir's own descriptor, gone already
    }
  }
  return out;
}

const SOCKET_TYPES = { '0001': 'stream', '0002': 'dgram', '0005': 'seqpacket' };

/** "socket:[inode]" -> "unix seqpacket /path" / "tcp 127.0.0.1:port" where /proc/net says. */
export function describeLink(link) {
  const m = /^socket:\[(\d+)\]$/.exec(link);
  if (!m) return link;
  const inode = m[1];
  try {
    for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[6] === inode) return `${link} unix ${SOCKET_TYPES[f[4]] ?? f[4]}${f[7] ? ` ${f[7]}` : ''}`;
    }
    for (const proto of ['tcp', 'udp', 'tcp6', 'udp6']) {
      for (const line of readFileSync(`/proc/net/${proto}`, 'utf8').split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f[9] === inode) return `${link} ${proto} port ${parseInt(f[1].split(':')[1], 16)}`;
      }
    }
  } catch {
    // /proc/net unreadable: the bare link
  }
  return link;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `script` (with `args`) in a child of its own, so a loop that freezes there can be
 * killed (after 8 s) and counted as a hang; its JSON failure lines become ctx failures and
 * a crash is counted. `check` and `fn` name the failure records.
 */
export async function inWatchedChild(ctx, script, args, { check, fn, arg: what, froze }) {
  const c = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  c.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  const killer = setTimeout(() => c.kill('SIGKILL'), 8000);
  const [code, sig] = await new Promise((r) => c.on('close', (co, si) => r([co, si])));
  clearTimeout(killer);
  for (const line of out.split('\n')) if (line.startsWith('{')) ctx.fail(JSON.parse(line));
  if (sig === 'SIGKILL') {
    ctx.tally.hangs++;
    ctx.fail({ check, fn, ...(what === undefined ? {} : { arg: what }), what: `the event loop froze (killed after 8 s; ${froze})` });
  } else if (code !== 0) {
    ctx.tally.crashes++;
    ctx.fail({ check, fn, what: `the process died: ${code ?? sig}` });
  }
}

/** GCs and yields until `ok()` holds or `tries` rounds pass; returns ok(). */
export async function settle(ok, tries = 10) {
  for (let i = 0; i < tries; i++) {
    if (ok()) return true;
    globalThis.gc?.();
    await sleep(10 + i * 10);
  }
  return ok();
}

/** Rejects after ms, naming what was awaited. */
export function within(promise, ms, what) {
  let t;
  return Promise.race([
    Promise.resolve(promise).finally(() => clearTimeout(t)),
    new Promise((_, rej) => { t = setTimeout(() => rej(Object.assign(new Error(`no answer within ${ms} ms: ${what}`), { soakTimeout: true })), ms); }),
  ]);
}

/** A seeded PRNG (mulberry32): the same seed replays the same run. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (list) => list[Math.floor(next() * list.length)];
  return next;
}

/**
 * Runs one part: `main(ctx)` with the counters and helpers below; prints the result.
 * ctx.n(full, slice) is a count for this scale; ctx.check(id) says whether a check runs
 * (checks waiting for a fix are off in the slice, see known.js).
 */
export async function part(name, main) {
  const scale = arg('scale', 'slice');
  const all = argv.includes('--all');
  const seed = Number(arg('seed', String(Date.now() % 2 ** 31)));
  const mult = Number(process.env.SOAK_MULT ?? 1);
  const tally = { operations: 0, messages: 0, bytes: 0, fuzzCalls: 0, fdsLeaked: 0, bytesLost: 0, codeless: 0, failures: 0, crashes: 0, hangs: 0 };
  const seen = new Set();
  const skipped = new Set();
  const ctx = {
    name, scale, seed, tally,
    n: (full, slice) => (scale === 'full' ? Math.max(1, Math.round(full * mult)) : slice),
    /** True when check `id` runs now; a pending check runs only in the full soak (or --all). */
    check(id) {
      if (!isPending(id) || all || scale === 'full') return true;
      skipped.add(id);
      return false;
    },
    /** Records a distinct failure: check id, function, argument, what happened. */
    fail(f) {
      tally.failures++;
      // One line per check, function and what happened (the first argument seen stands for all).
      const key = `${f.check}|${f.fn ?? ''}|${String(f.what).replace(/\d+/g, 'N')}`;
      if (seen.has(key)) return;
      seen.add(key);
      emit({ failure: { part: name, pending: isPending(f.check) || undefined, ...f } });
    },
    doing(what) {
      emit({ doing: what });
    },
    note(text) {
      emit({ note: text });
    },
    /** Compares the fd table with a snapshot after GC; records and counts leaks. */
    async leakCheck(check, before, fn = '', allowance = 0) {
      const ok = () => fdTable().size <= before.size + allowance;
      if (await settle(ok, 15)) return 0;
      const now = fdTable();
      const extra = [...now].filter(([fd, what]) => before.get(fd) !== what);
      const n = Math.max(0, now.size - before.size - allowance);
      tally.fdsLeaked += n;
      ctx.fail({ check, fn, what: `${n} descriptors leaked: ${extra.slice(0, 6).map(([fd, w]) => `${fd}->${describeLink(w)}`).join(', ')}` });
      return n;
    },
  };
  // The counters ride on the heartbeat, so a part that crashes or freezes still counts.
  const beat = setInterval(() => emit({ beat: Date.now(), tally }), 250);
  process.on('uncaughtException', (err) => {
    emit({ crash: `${err?.stack ?? err}`.slice(0, 2000) });
    process.exit(70);
  });
  process.on('unhandledRejection', (err) => {
    emit({ crash: `unhandled rejection: ${err?.stack ?? err}`.slice(0, 2000) });
    process.exit(70);
  });
  emit({ start: name, scale, seed });
  // Node keeps a /dev/null open after its first spawn with 'ignore': open it before any
  // baseline is taken, so it is not mistaken for a leak.
  await new Promise((r) => spawn('true', [], { stdio: ['ignore', 'pipe', 'inherit'] }).on('close', r));
  await main(ctx);
  clearInterval(beat);
  emit({ result: tally, skipped: [...skipped] });
  process.exit(0);
}

export { emit };
