// Scale: 10,000 concurrent unix connections to one listener, server and clients in
// separate processes (descriptor limits raised to the hard limit by the runner); then an
// EMFILE flood against a server with a small limit, after which it must still serve.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { part, within } from './lib.js';

const dir = mkdtempSync(join(tmpdir(), 'xs-scale-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const script = (f) => fileURLToPath(new URL(f, import.meta.url));

/** A child whose stdout lines are JSON; next() resolves the next one. */
function child(file, args, limit) {
  const c = spawn('sh', ['-c', `${limit ? `ulimit -n ${limit}; ` : ''}exec "$0" "$@"`, process.execPath, script(file), ...args.map(String)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = [];
  const waiting = [];
  createInterface({ input: c.stdout }).on('line', (l) => {
    let v;
    try { v = JSON.parse(l); } catch { return; }
    const w = waiting.shift();
    if (w) w(v); else lines.push(v);
  });
  const next = (ms, what) => within(lines.length ? Promise.resolve(lines.shift()) : new Promise((r) => waiting.push(r)), ms, what);
  return { c, next, say: (t) => c.stdin.write(`${t}\n`), kill: () => c.kill('SIGKILL') };
}

await part('scale', async (ctx) => {
  const n = ctx.n(10000, 200);
  ctx.doing(`${n} concurrent unix connections`);
  const path = join(dir, 's');
  const server = child('scale-server.js', [path]);
  try {
    await server.next(10000, 'server ready');
    const clients = child('scale-clients.js', [path, n, 1]);
    const r = await clients.next(300000, `${n} clients`);
    server.say('status');
    const st = await server.next(10000, 'server status');
    ctx.tally.operations += n * 4;
    ctx.tally.messages += r.echoed * 2;
    ctx.tally.bytes += r.echoed * 16;
    ctx.note(`scale: ${r.connected} connected, ${r.echoed} echoed, server holds ${st.open} at once`);
    if (r.echoed !== n || st.open < n) ctx.fail({ check: 'scale.concurrent', fn: 'accept/connect', arg: `${n} concurrent unix connections`, what: `${r.echoed} echoed, ${r.failed} failed, server holds ${st.open} at once: ${r.errors.join('; ')}` });
    clients.say('close');
    await within(new Promise((res) => clients.c.on('close', res)), 30000, 'clients exit').catch(() => clients.kill());
  } catch (err) {
    ctx.fail({ check: 'scale.concurrent', fn: 'scale', what: String(err.message).slice(0, 300) });
  } finally {
    server.say('quit');
    setTimeout(() => server.kill(), 2000).unref();
  }

  if (!ctx.check('scale.emfile-flood')) return;
  ctx.doing('EMFILE flood against a server limited to 128 descriptors');
  const fpath = join(dir, 'f');
  const small = child('scale-server.js', [fpath], 128);
  try {
    await small.next(10000, 'small server ready');
    const flood = child('scale-clients.js', [fpath, ctx.n(2000, 400), 0]);
    await flood.next(60000, 'flood connected');
    flood.say('close');
    await within(new Promise((res) => flood.c.on('close', res)), 30000, 'flood exit').catch(() => flood.kill());
    // After the flood, one ordinary client must be served.
    const one = child('scale-clients.js', [fpath, 1, 1]);
    const r = await one.next(15000, 'the client after the flood').catch((e) => ({ echoed: 0, errors: [e.message] }));
    one.say('close');
    setTimeout(() => one.kill(), 2000).unref();
    small.say('status');
    const st = await small.next(3000, 'server status after the flood').catch(() => null);
    ctx.tally.operations += 2000;
    if (r.echoed !== 1) ctx.fail({ check: 'scale.emfile-flood', fn: 'accept', arg: 'the ordinary accept loop after an EMFILE flood', what: `the listener no longer serves (${(r.errors ?? []).join('; ')}); server ${st ? `answers: ${JSON.stringify(st)}` : 'does not answer (its loop is frozen)'}` });
  } catch (err) {
    ctx.fail({ check: 'scale.emfile-flood', fn: 'accept', what: String(err.message).slice(0, 300) });
  } finally {
    small.kill();
  }
});
