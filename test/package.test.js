// The package as a registry user gets it: `npm pack` of a copy of the sources, installed
// into an empty project with install scripts skipped and no C compiler on PATH, must load
// its prebuilt addon, work over real sockets, run its command, and pass publint and attw.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFdsAtEnd, tempDir } from './helpers.js';

checkFdsAtEnd();

const repo = fileURLToPath(new URL('..', import.meta.url));
const dir = tempDir();
const src = join(dir, 'src');          // the copy that is packed (the suite keeps using the repo's build)
const app = join(dir, 'app');          // the user's empty project
const fake = join(dir, 'nocc');        // compilers that fail
const pkg = join(app, 'node_modules', 'xsock');
let tarball;

/** The environment of a user's shell: no npm script context; `node` is the node running this file. */
function env(noCompiler) {
  const e = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_|^INIT_CWD$/i.test(k)));
  e.PATH = [...(noCompiler ? [fake] : []), dirname(process.execPath), process.env.PATH].join(':');
  return e;
}

/** Runs a command to completion (bounded), failing with its output when it fails. */
function run(cmd, args, { cwd = app, noCompiler = true, seconds = 120, expectFail = false } = {}) {
  const r = spawnSync(cmd, args, { cwd, env: env(noCompiler), encoding: 'utf8', timeout: seconds * 1000 });
  const out = `${cmd} ${args.join(' ')} (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}):\n${r.stdout}\n${r.stderr}`;
  if (expectFail) assert.notEqual(r.status, 0, out);
  else assert.equal(r.status, 0, out);
  return r;
}

before(() => {
  mkdirSync(src);
  for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'ARCHITECTURE.md', 'binding.gyp', 'tsconfig.json',
    'tsconfig.build.json', 'src', 'native', 'bin', 'examples', 'scripts']) {
    cpSync(join(repo, f), join(src, f), { recursive: true });
  }
  symlinkSync(join(repo, 'node_modules'), join(src, 'node_modules'));
  // prepack builds the prebuilt binary (prebuildify), prepare builds dist/ (tsc), postpack checks both are in
  run('npm', ['pack', '--pack-destination', dir], { cwd: src, noCompiler: false, seconds: 240 });
  tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz')));

  mkdirSync(fake);
  for (const c of ['cc', 'gcc', 'g++', 'c++', 'clang', 'make']) {
    writeFileSync(join(fake, c), '#!/bin/sh\necho "$0: no compiler here" >&2\nexit 1\n');
    chmodSync(join(fake, c), 0o755);
  }
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  run('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', tarball]);
}, { timeout: 300_000 });

test('the tarball holds dist, the prebuilt addon, the C sources, examples and the notices, not src or test', () => {
  const r = run('tar', ['tzf', tarball]);
  const files = r.stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/xti/index.js', 'dist/streams/index.js', 'bin/xsock.js',
    'binding.gyp', 'native/addon.c', 'examples/xti-async-connect.mjs', 'LICENSE', 'CHANGELOG.md', 'README.md', 'ARCHITECTURE.md']) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  assert.ok(files.some((f) => /^prebuilds\/linux-x64\/.*glibc.*\.node$/.test(f)), 'a linux-x64 glibc prebuild is in the tarball');
  assert.deepEqual(files.filter((f) => /^(src|test|build)\//.test(f)), []);
  assert.ok(!existsSync(join(pkg, 'build')), 'nothing was built at install time');
});

test('the pack check accepts this tarball and refuses one packed with --ignore-scripts (no prebuild, no dist)', () => {
  const check = join(repo, 'scripts', 'check-pack.js');
  run(process.execPath, [check, tarball], { cwd: dir });
  const bare = join(dir, 'bare');
  mkdirSync(bare);
  for (const f of ['package.json', 'bin', 'native', 'binding.gyp', 'scripts']) cpSync(join(repo, f), join(bare, f), { recursive: true });
  run('npm', ['pack', '--ignore-scripts', '--pack-destination', bare], { cwd: bare, noCompiler: false });
  const bad = join(bare, readdirSync(bare).find((f) => f.endsWith('.tgz')));
  const r = run(process.execPath, [check, bad], { cwd: dir, expectFail: true });
  assert.match(r.stderr, /lacks prebuilds\/linux-x64\/\*\.node, dist\/index\.js, dist\/index\.d\.ts, .*dist\/xti\/index\.js/);
  assert.match(r.stderr, /Do not publish this tarball/);
});

test('nothing in the package points to notes outside it', () => {
  const outside = /\.\.\/shared|\bshared\/|DESIGN\.md|\breference\/|\bseeds?\b|linux-sockets\.md/i;
  const found = [];
  for (const f of readdirSync(pkg, { recursive: true })) {
    if (/\.(js|mjs|ts|map|md|json|c|h|gyp)$/.test(f) || f === 'LICENSE') {
      const lines = readFileSync(join(pkg, f), 'utf8').split(/\\n|\n/);
      lines.forEach((l, i) => { if (outside.test(l)) found.push(`${f}:${i + 1}: ${l.trim().slice(0, 120)}`); });
    }
  }
  assert.deepEqual(found, []);
});

test('the three entry points import and a socketpair round trip works, with no compiler and no install script', () => {
  const code = `
    import { socketpair } from 'xsock';
    import * as xti from 'xsock/xti';
    import * as streams from 'xsock/streams';
    const [a, b] = socketpair('unix', 'seqpacket');
    await a.send('ping');
    const got = String(await b.recv());
    a.close(); b.close();
    console.log(JSON.stringify({ got, t_open: typeof xti.t_open, pipe: typeof streams.pipe }));`;
  const r = run(process.execPath, ['--input-type=module', '-e', code]);
  assert.deepEqual(JSON.parse(r.stdout), { got: 'ping', t_open: 'function', pipe: 'function' });
});

test('npx xsock semantics runs from the installed package', () => {
  const r = run('npx', ['--no-install', 'xsock', 'semantics', '--count', '50'], { seconds: 60 });
  assert.match(r.stdout, /^unix\s+seqpacket\s+yes/m);
  assert.match(r.stdout, /^inet\s+stream\s+yes/m);
});

test('the install script (node-gyp-build) finds the prebuild and compiles nothing', () => {
  const r = run('npm', ['rebuild', 'xsock', '--foreground-scripts']);
  assert.match(r.stdout + r.stderr, /> node-gyp-build/, 'the install script ran');
  assert.ok(!existsSync(join(pkg, 'build')), 'node-gyp did not run');
});

test('publint and attw (ESM-only profile) report no problems in the tarball', () => {
  const bin = join(repo, 'node_modules', '.bin');
  const p = run(join(bin, 'publint'), ['run', '--strict', tarball], { cwd: dir, noCompiler: false });
  assert.match(p.stdout, /All good/);
  // The package is ESM-only (engines node >= 20): require() and node10 resolution are out of scope.
  run(join(bin, 'attw'), ['--profile', 'esm-only', '--no-color', tarball], { cwd: dir, noCompiler: false, seconds: 60 });
});

test('without a usable addon the import fails saying what was looked for and how to build it', () => {
  rmSync(join(pkg, 'prebuilds'), { recursive: true });
  // The fallback build from source is then tried, and meets the missing compiler.
  const b = run('npm', ['rebuild', 'xsock', '--foreground-scripts'], { expectFail: true });
  assert.match(b.stdout + b.stderr, /no compiler here/);
  const r = run(process.execPath, ['--input-type=module', '-e', `
    try { await import('xsock'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`]);
  const { code, message } = JSON.parse(r.stdout);
  assert.equal(code, 'ERR_XSOCK_NATIVE_MISSING');
  assert.ok(message.includes(join(pkg, 'prebuilds', 'linux-x64')), message);
  assert.ok(message.includes(join(pkg, 'build', 'Release')), message);
  assert.match(message, /npm rebuild xsock/);
  assert.match(message, /node-gyp rebuild/);
});
