// The loop stays alive exactly while something waits. A waiter woken by the watcher that
// waits again before the callback returns (a ping-pong) no longer tells the shim twice per
// round trip: the callback's net change is applied once it returns. These children would
// exit early (an unsettled await, exit code 13) if a wait begun inside the callback were
// not counted, and would never exit if the last waiter's end were not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { checkFdsAtEnd } from './helpers.js';

checkFdsAtEnd();

const lib = JSON.stringify(new URL('../dist/index.js', import.meta.url).href);

function runChild(code) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000 });
  return { ...r, ms: Date.now() - started };
}

test('a wait begun inside the watcher callback keeps the loop alive; the last one ending lets it exit', () => {
  const r = runChild(`
const { socketpair } = await import(${lib});
const [a, b] = socketpair('unix', 'seqpacket');
const [c, d] = socketpair('unix', 'seqpacket');
setTimeout(() => a.trySend('x'), 50);
await b.recv();                          // woken by the watcher
setTimeout(() => c.trySend('y'), 150);   // nothing else keeps the loop alive meanwhile
const m = await d.recv();                // begun in the microtasks of that callback
for (let i = 0; i < 200; i++) {          // ping-pong: woken and waiting again each time
  setTimeout(() => a.trySend('p'), 0);
  await b.recv();
}
console.log('done ' + m.toString());
for (const s of [a, b, c, d]) s.close();
`);
  assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}: ${r.stderr}`);
  assert.equal(r.stdout.trim(), 'done y');
});

test('a process whose last waiter was woken by the watcher exits, with its sockets still open', () => {
  const r = runChild(`
const { socketpair } = await import(${lib});
const [a, b] = socketpair('unix', 'seqpacket');
setTimeout(() => a.trySend('x'), 50);
await b.recv();
globalThis.keep = [a, b];               // open, unwatched: they must not hold the loop
console.log('woken');
`);
  assert.equal(r.signal, null, 'the child had to be killed: the loop stayed alive with nobody waiting');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'woken');
  assert.ok(r.ms < 15_000, `${r.ms} ms`);
});
