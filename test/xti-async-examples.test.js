// The asynchronous XTI examples run against each other, as a user would run them:
// the SIGPOLL-style listener (I_SETSIG S_INPUT, t_listen, t_accept) and the asynchronous
// connector (I_SETSIG S_OUTPUT, t_rcvconnect). Both handlers read only what t_look
// announces and leave when it says nothing more: every later arrival must notify them
// again, so every run completes. 50 runs in a row, each bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkFdsAtEnd, within } from './helpers.js';

checkFdsAtEnd();
const example = (name) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));
const RUNS = 50;

/** Starts an example; resolves `ready` with its first line matching `re`, `done` with its exit. */
function start(args, re) {
  const c = spawn('timeout', ['20', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let readyResolve;
  const ready = new Promise((r) => { readyResolve = r; });
  c.stdout.setEncoding('utf8').on('data', (d) => {
    out += d;
    const m = re && re.exec(out);
    if (m) readyResolve(m);
  });
  c.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  const done = new Promise((resolve) => c.on('close', (code) => resolve({ code, out, err })));
  return { ready, done };
}

/** One run: the listener, then the connector against it; both must finish with the exchange done. */
async function run(i) {
  {
    const server = start([example('xti-async-listen.mjs'), '/dev/tcp', '127.0.0.1:0'], /READY (\d+)/);
    const [, port] = await within(server.ready, 20000, `run ${i}: the listener's READY line`);
    const message = `run ${i} hello`;
    const client = start([example('xti-async-connect.mjs'), `127.0.0.1:${port}`, message]);
    const [c, s] = await within(Promise.all([client.done, server.done]), 25000, `run ${i}: both programs to finish`);
    assert.equal(c.code, 0, `run ${i}: the connector exits 0 (stdout ${JSON.stringify(c.out)}, stderr ${JSON.stringify(c.err)})`);
    assert.equal(s.code, 0, `run ${i}: the listener exits 0 (stdout ${JSON.stringify(s.out)}, stderr ${JSON.stringify(s.err)})`);
    assert.match(c.out, new RegExp(`^CONNECTED\\nREPLY ${message.toUpperCase()}\\n$`), `run ${i}: the connector's output`);
    assert.match(s.out, new RegExp(`ACCEPTED seq=\\d+\\nDONE ${message}\\n$`), `run ${i}: the listener's output`);
  }
}

// Five pairs at a time (each pair is its own two processes), so 50 runs stay quick.
test(`xti-async-listen and xti-async-connect complete against each other ${RUNS} times`, { timeout: 300000 }, async () => {
  const PARALLEL = 5;
  let completed = 0;
  for (let i = 0; i < RUNS; i += PARALLEL) {
    await Promise.all(Array.from({ length: Math.min(PARALLEL, RUNS - i) }, (_, k) => run(i + k).then(() => { completed++; })));
  }
  assert.equal(completed, RUNS);
});
