// A connect whose failure was already reported by another call (recv, getsockopt SO_ERROR)
// must end, not loop: the socket is writable and hung up, SO_ERROR is 0, no peer. Treating
// that as a spurious wake-up sent connect() back to a wait that poll(2) answers at once,
// for ever, in microtasks: timers and { timeout } never fired (issue 10's fuzz hangs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { constants as C } from '../dist/index.js';
import { checkFdsAtEnd } from './helpers.js';

checkFdsAtEnd();

/** Runs the child with a kill timer: a frozen child is a failure, not a hung suite. */
function runChild(args, ms = 20000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./connect-taken-error.child.js', import.meta.url)), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    let killed = false;
    const t = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, ms);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, killed, lines: out.split('\n').filter(Boolean).map((l) => JSON.parse(l)), err });
    });
  });
}

test('TCP connect after its refusal was taken by another call rejects ENOTCONN at once (no microtask loop)', async () => {
  const r = await runChild(['getsockopt', 'recv']);
  assert.equal(r.killed, false, `the child froze (event loop never turned); it printed ${JSON.stringify(r.lines)} ${r.err}`);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.lines.length, 2);
  const [byOpt, byRecv] = r.lines;
  for (const l of r.lines) {
    assert.equal(l.inProgress, true, 'EINPROGRESS first');
    assert.equal(l.soErrorAfter, 0, 'the refusal was taken before connect() looked');
    assert.deepEqual(l.connect, { code: 'ENOTCONN', syscall: 'connect' });
  }
  assert.equal(byOpt.taken, C.ECONNREFUSED);
  assert.equal(byRecv.taken, 'ECONNREFUSED');
});
