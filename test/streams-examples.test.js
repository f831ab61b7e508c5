// The examples run as a user would run them: example 9-1 (descriptor passing between a
// parent and its child) and privilege separation (root hands a 0600 file to uid 65534).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { checkFdsAtEnd, tempDir, within, have, readableBuild } from './helpers.js';

checkFdsAtEnd();
const dir = tempDir();
chmodSync(dir, 0o755);
// The examples start children as uid 65534, which must be able to read the program: run
// them from a world-readable copy, since the checkout may sit in a 0700 directory.
const pkg = readableBuild();
const example = (name) => pkg.path(`examples/${name}`);
const isRoot = process.getuid() === 0;

function run(args) {
  const c = spawn('timeout', ['30', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  c.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  c.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  return within(new Promise((resolve) => c.on('close', (code) => resolve({ code, out, err }))), 30000, args.join(' '));
}

function statLines(out) {
  const re = /^stat: from=(\S+) mode=(0[0-7]+), ino=(\d+), dev=([0-9a-f]+), rdev=([0-9a-f]+)$/;
  return out.split('\n').map((l) => re.exec(l)).filter(Boolean).map((m) => ({ from: m[1], mode: m[2], ino: m[3], dev: m[4], rdev: m[5] }));
}

for (const target of ['/dev/null', 'file']) {
  test(`example 9-1 (${target}): both stat lines agree on mode, ino, dev, rdev; uid/gid are the child's`, async () => {
    let path = target;
    const args = [];
    if (target === 'file') {
      path = join(dir, 'testfile');
      writeFileSync(path, 'test file');
      chmodSync(path, 0o666);
      if (isRoot) args.push('--child-uid=65534', '--child-gid=65533');
    }
    const { code, out, err } = await run([example('streams-9-1.mjs'), path, ...args]);
    assert.equal(code, 0, err);
    const [original, received] = statLines(out);
    assert.ok(original && received, `two stat lines in:\n${out}`);
    assert.equal(original.from, path);
    assert.match(received.from, /^recvfd=\d+$/);
    for (const k of ['mode', 'ino', 'dev', 'rdev']) assert.equal(received[k], original[k], k);
    const child = /^child: pid=\d+ uid=(\d+) gid=(\d+)$/m.exec(out);
    const sender = /^sender: uid=(\d+) gid=(\d+)$/m.exec(out);
    assert.ok(child && sender, out);
    assert.deepEqual([sender[1], sender[2]], [child[1], child[2]], 'uid/gid reported by the kernel are the child\'s');
    if (args.length) assert.deepEqual([sender[1], sender[2]], ['65534', '65533']);
  });
}

test('privilege separation: the unprivileged worker cannot open the 0600 file but reads it through the passed fd', {
  skip: (!isRoot && 'needs root') || (!have('setpriv') && 'setpriv is not installed (util-linux)'),
}, async () => {
  const secret = join(dir, 'secret');
  const token = `token-${process.pid}-${Date.now()}`;
  writeFileSync(secret, token);
  chmodSync(secret, 0o600);
  const { code, out, err } = await run([example('privsep-open.mjs'), secret]);
  assert.equal(code, 0, err);
  assert.match(out, /^privileged: uid=0 opened /m);
  assert.match(out, new RegExp(`^worker: uid=65534 gid=65534 open ${secret}: EACCES$`, 'm'));
  assert.match(out, new RegExp(`^worker: received fd from uid=0 gid=0; read ${token.length} bytes: "${token}"$`, 'm'));
});
