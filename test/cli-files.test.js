// File addresses of the xsock command as socat opens them: the relay's direction picks
// O_RDONLY/O_WRONLY/O_RDWR, socat's options (creat, excl, trunc, append, perm=) reach
// open(2), and a file that cannot be opened or written is an error (exit 1), never a
// silent success. Where socat is installed, both commands run on twin files and must
// leave the same bytes and modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, readFileSync, statSync, existsSync, readdirSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { checkFdsAtEnd, tempDir, have } from './helpers.js';
import { xsock } from './cli-helpers.js';

checkFdsAtEnd();
const dir = tempDir();
let n = 0;
/** A fresh sub-directory: the commands run there, so relative names stay put. */
function place() {
  const d = join(dir, `c${n++}`);
  mkdirSync(d);
  return d;
}

/** Runs `xsock ...args` with `input` on stdin in `cwd`. */
async function run(cwd, args, input = '') {
  const r = await xsock(['--no-progress', ...args.map((a) => a.replaceAll('@D', cwd))], { input, seconds: 15 }).exited;
  return r;
}

/** The same with socat (its exit code; stderr kept for messages). */
function socat(cwd, args, input = '') {
  return spawnSync('timeout', ['15', 'socat', ...args.map((a) => a.replaceAll('@D', cwd))], { input, cwd, encoding: 'utf8' });
}

/**
 * Each case: setup files, the addresses, stdin; what must hold afterwards. Run by xsock
 * in one directory and by socat in a twin; files and exit codes (0 or not) must agree.
 */
const CASES = [
  { name: '-u - OPEN:file overwrites from the start, no truncation', files: { f: 'old-content-long\n' }, args: ['-u', '-', 'OPEN:@D/f'], input: 'hi\n', code: 0, expect: { f: 'hi\n-content-long\n' } },
  { name: '-u - file:PATH is a sink too', files: { f: 'xxxxxx' }, args: ['-u', '-', 'file:@D/f'], input: 'ab', code: 0, expect: { f: 'abxxxx' } },
  { name: 'open without creat: ENOENT, exit 1, nothing created', files: {}, args: ['-u', '-', 'open:@D/g'], input: 'x', code: 1, expect: { g: null } },
  { name: 'OPEN:x,creat creates x', files: {}, args: ['-u', '-', 'OPEN:@D/x,creat'], input: 'made', code: 0, expect: { x: 'made' } },
  { name: 'create:x,perm=600 creates x with mode 600', files: {}, args: ['-u', '-', 'create:@D/x,perm=600'], input: 'secret', code: 0, expect: { x: 'secret' }, modes: { x: 0o600 } },
  { name: 'create truncates an existing file', files: { x: 'a long old line' }, args: ['-u', '-', 'CREATE:@D/x'], input: 'new', code: 0, expect: { x: 'new' } },
  { name: 'open:x,creat,excl on an existing file: EEXIST, exit 1, file untouched', files: { x: 'keep' }, args: ['-u', '-', 'open:@D/x,creat,excl'], input: 'no', code: 1, expect: { x: 'keep' } },
  { name: 'open:x,trunc truncates', files: { x: 'a long old line' }, args: ['-u', '-', 'open:@D/x,trunc'], input: 't', code: 0, expect: { x: 't' } },
  { name: 'open:x,append appends', files: { x: 'one\n' }, args: ['-u', '-', 'open:@D/x,append'], input: 'two\n', code: 0, expect: { x: 'one\ntwo\n' } },
  { name: 'GOPEN appends to an existing file', files: { x: 'one\n' }, args: ['-u', '-', 'GOPEN:@D/x'], input: 'two\n', code: 0, expect: { x: 'one\ntwo\n' } },
  { name: 'gopen creates a missing file', files: {}, args: ['-u', '-', 'gopen:@D/y'], input: 'new', code: 0, expect: { y: 'new' } },
  { name: 'a directory cannot be written: exit 1', files: {}, args: ['-u', '-', 'open:@D'], input: 'x', code: 1, expect: {} },
  { name: '/dev/full: the write fails, exit 1', files: {}, args: ['-u', '-', 'create:/dev/full'], input: 'x'.repeat(10), code: 1, expect: {} },
  { name: 'both ways: OPEN is read-write, cat\'s echo lands after what was read', files: { f: 'abc' }, args: ['OPEN:@D/f', 'EXEC:cat'], input: '', code: 0, expect: { f: 'abcabc' } },
  { name: '-u OPEN:f - reads it', files: { f: 'read me' }, args: ['-u', 'OPEN:@D/f', '-'], input: '', code: 0, expect: { f: 'read me' }, stdout: 'read me' },
];

for (const c of CASES) {
  test(`file address: ${c.name}${have('socat') ? ' (same as socat)' : ''}`, async () => {
    const mine = place();
    for (const [f, text] of Object.entries(c.files)) writeFileSync(join(mine, f), text);
    const r = await run(mine, c.args, c.input);
    assert.equal(r.code, c.code, r.stderr);
    if (c.code !== 0) assert.match(r.stderr, /^xsock: .*(ENOENT|EEXIST|EISDIR|ENOSPC)/, 'one line naming the failure');
    else assert.equal(r.stderr, '');
    if (c.stdout !== undefined) assert.equal(r.stdout.toString(), c.stdout);
    for (const [f, text] of Object.entries(c.expect)) {
      if (text === null) assert.equal(existsSync(join(mine, f)), false, `${f} must not exist`);
      else assert.equal(readFileSync(join(mine, f), 'utf8'), text, f);
    }
    for (const [f, mode] of Object.entries(c.modes ?? {})) assert.equal(statSync(join(mine, f)).mode & 0o777, mode, `mode of ${f}`);
    assert.deepEqual(readdirSync(mine).filter((f) => f.includes(',')), [], 'no file named after its options');
    if (!have('socat')) return;
    const theirs = place();
    for (const [f, text] of Object.entries(c.files)) writeFileSync(join(theirs, f), text);
    const s = socat(theirs, c.args, c.input);
    assert.equal(s.status === 0, c.code === 0, `socat exit ${s.status}: ${s.stderr}`);
    assert.deepEqual(readdirSync(mine).sort(), readdirSync(theirs).sort(), 'the same files as socat');
    for (const f of readdirSync(theirs)) {
      assert.equal(readFileSync(join(mine, f), 'utf8'), readFileSync(join(theirs, f), 'utf8'), `${f}: the same bytes as socat`);
      assert.equal(statSync(join(mine, f)).mode, statSync(join(theirs, f)).mode, `${f}: the same mode as socat`);
    }
  });
}

test('--json: an open-time error is one JSON error event and nothing else on stderr', async () => {
  const cwd = place();
  for (const [args, code] of [
    [['-u', '-', 'open:@D/missing'], 1],
    [['-u', '-', 'create:/dev/full'], 1],
    [['-u', '-', 'tcp:[zz::1]:80'], 2],
    [['-U', '-', 'create:@D/x'], 2],
  ]) {
    const r = await run(cwd, ['--json', ...args], 'data');
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    const events = lines.map((l) => { try { return JSON.parse(l); } catch { assert.fail(`not a JSON line: ${l}`); } });
    assert.equal(events.filter((e) => e.event === 'error').length, 1, `one error event: ${r.stderr}`);
  }
});

test('a sink-only address asked to be the source is bad usage (exit 2), not a silent exit 0', async () => {
  const cwd = place();
  const r = await run(cwd, ['-U', '-', 'create:@D/x'], 'x');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /only writes/);
  const both = await run(cwd, ['create:@D/a', 'append:@D/b'], 'x');
  assert.equal(both.code, 2);
  assert.equal(existsSync(join(cwd, 'a')), false, 'nothing opened');
});

test('--fork: a client whose sink fails is told once as JSON; the server lives on and serves the next', async () => {
  const cwd = place();
  const path = join(cwd, 'fork.sock');
  const x = xsock(['--json', '--fork', `unix-listen:${path}`, 'create:/dev/full'], { seconds: 20 });
  await x.event('listening');
  for (let i = 0; i < 2; i++) {
    const c = await xsock(['-u', '-', `unix:${path}`], { input: 'data that cannot land', seconds: 10 }).exited;
    assert.equal(c.code, 0, c.stderr);
  }
  const deadline = Date.now() + 10000;
  while (x.events.filter((e) => e.event === 'error').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const errors = x.events.filter((e) => e.event === 'error');
  assert.deepEqual(errors.map((e) => [e.client, e.code]), [['1', 'ENOSPC'], ['2', 'ENOSPC']], x.stderr());
  assert.equal(x.child.exitCode, null, `the server is still running: ${x.stderr()}`);
  for (const line of x.stderr().trimEnd().split('\n')) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
  x.child.kill('SIGTERM');
  await x.exited;
});
