// Runs every test file in its own process (node:test), bounded in time, GC exposed so the
// fd checks can count reaped sockets. --test-force-exit: a file whose tests are done exits
// even if a failed test left a handle open; Node 20 ends such a file at the timeout, but
// Node 24 and later wait for it for ever.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const files = process.argv.slice(2).length ? process.argv.slice(2)
  : readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.test.js')).sort().map((f) => `test/${f}`);
const r = spawnSync(process.execPath, [
  '--expose-gc', '--test', '--test-concurrency=2', '--test-timeout=300000', '--test-force-exit', ...files,
], { stdio: 'inherit' });
process.exit(r.status ?? 1);
