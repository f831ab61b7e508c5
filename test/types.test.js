// The published types catch mistakes: test/types/mistakes.ts, compiled against the built
// package under tsc --strict, holds deliberate mistakes each marked @ts-expect-error (tsc
// fails when one stops being an error) and exact-type assertions for the right uses.
// The examples (examples/*.mjs, plain JavaScript with JSDoc) are checked the same way,
// with checkJs, by test/types/tsconfig.examples.json.
// The run-time half: syncFd()/asyncFd() check an endpoint's mode against the kernel-backed
// endpoint and pin it, so fcntl cannot make a branded descriptor lie.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readmeSnippets } from './readme-snippets.js';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { socketpair } from '../dist/index.js';
import * as xti from '../dist/xti/index.js';
import { checkFdsAtEnd } from './helpers.js';

checkFdsAtEnd();

const repo = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

test('deliberate mistakes fail to compile under tsc --strict; correct uses have exact types', () => {
  const src = readFileSync(new URL('types/mistakes.ts', import.meta.url), 'utf8');
  assert.ok((src.match(/@ts-expect-error/g) ?? []).length >= 14, 'the mistakes file lost its mistakes');
  // README's TypeScript snippets join the same compilation (one tsc run: the machine is shared).
  const tsSnippets = readmeSnippets().filter((x) => x.lang === 'ts');
  assert.ok(tsSnippets.length >= 1, 'README lost its TypeScript snippet');
  const generated = tsSnippets.map((x, i) => new URL(`types/readme-${i}.generated.ts`, import.meta.url));
  tsSnippets.forEach((x, i) => writeFileSync(generated[i], `// ${x.title} (from README.md)\n${x.code}\nexport {};\n`));
  try {
    const r = spawnSync(process.execPath, [tsc, '-p', 'test/types/tsconfig.json'], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `tsc --strict on test/types and README's TypeScript:\n${r.stdout}${r.stderr}`);
  } finally {
    for (const f of generated) rmSync(f, { force: true });
  }
});

test('the examples type-check under tsc --strict (checkJs) against the built package', () => {
  // examples/*.mjs import 'xsock/xti' and 'xsock/streams'; inside this package those names
  // resolve through package.json "exports" to dist/ (Node and tsc alike), so the examples
  // are compiled against the published .d.ts, as a user's code would be.
  const examples = readdirSync(new URL('../examples/', import.meta.url)).filter((f) => f.endsWith('.mjs'));
  assert.ok(examples.length >= 10, `examples/ lost its examples: ${examples.join(', ')}`);
  const r = spawnSync(process.execPath, [tsc, '-p', 'test/types/tsconfig.examples.json', '--listFiles'], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `tsc --strict --checkJs on examples/*.mjs:\n${r.stdout}${r.stderr}`);
  const compiled = new Set(r.stdout.split('\n').map((l) => l.trim()));
  for (const f of examples) assert.ok(compiled.has(join(repo, 'examples', f)), `${f} was not compiled`);
  for (const d of ['dist/xti/index.d.ts', 'dist/streams/index.d.ts']) {
    assert.ok(compiled.has(join(repo, d)), `the examples' imports did not resolve to the built ${d}`);
  }
});

test('getsockopt returns the value type of the option table', () => {
  const [a, b] = socketpair('unix', 'stream');
  try {
    a.setsockopt('SOL_SOCKET', 'SO_REUSEADDR', true);
    assert.equal(a.getsockopt('SOL_SOCKET', 'SO_REUSEADDR'), true);
    assert.equal(typeof a.getsockopt('SOL_SOCKET', 'SO_RCVBUF'), 'number');
    assert.deepEqual(Object.keys(a.getsockopt('SOL_SOCKET', 'SO_PEERCRED') ?? {}).sort(), ['gid', 'pid', 'uid']);
    assert.equal(a.getsockopt('SOL_SOCKET', 'SO_PEERCRED')?.pid, process.pid);
    assert.throws(() => a.setsockopt('SOL_SOCKET', 'SO_REUSEADDRR', true), { code: 'ERR_XSOCK_UNKNOWN_OPTION' });
  } finally {
    a.close();
    b.close();
  }
});

test('syncFd/asyncFd check the endpoint mode and pin it against fcntl(F_SETFL)', () => {
  const nb = xti.t_open('/dev/tcp', xti.O_RDWR | xti.O_NONBLOCK);
  const bl = xti.t_open('/dev/tcp', xti.O_RDWR);
  try {
    assert.throws(() => xti.asyncFd(nb), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /non-blocking/ });
    assert.throws(() => xti.syncFd(bl), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /blocking/ });
    const s = xti.syncFd(nb);
    const a = xti.asyncFd(bl);
    assert.equal(s, nb);
    assert.equal(a, bl);
    // t_rcv on an unconnected non-blocking endpoint fails synchronously (TOUTSTATE), never a Promise.
    assert.throws(() => xti.t_rcv(s, Buffer.alloc(8), 8), (e) => e instanceof xti.TError);
    const p = xti.t_rcv(a, Buffer.alloc(8), 8);
    assert.ok(p instanceof Promise);
    p.catch(() => {});
    assert.throws(() => xti.fcntl(s, xti.F_SETFL, xti.O_RDWR), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /pinned/ });
    assert.throws(() => xti.fcntl(a, xti.F_SETFL, xti.O_RDWR | xti.O_NONBLOCK), { code: 'ERR_XSOCK_INVALID_ARG_VALUE' });
    assert.equal(xti.fcntl(s, xti.F_SETFL, xti.O_RDWR | xti.O_NONBLOCK), 0);
    assert.equal(xti.fcntl(s, xti.F_GETFL) & xti.O_NONBLOCK, xti.O_NONBLOCK);
    assert.throws(() => xti.syncFd(-1), (e) => e instanceof xti.TError && e.t_errno === xti.TBADF);
  } finally {
    xti.t_close(nb);
    xti.t_close(bl);
  }
});

test('t_alloc returns the structure its type constant names', () => {
  const fd = xti.t_open('/dev/udp', xti.O_RDWR | xti.O_NONBLOCK);
  try {
    assert.deepEqual(Object.keys(xti.t_alloc(fd, xti.T_BIND, xti.T_ALL)).sort(), ['addr', 'qlen']);
    assert.deepEqual(Object.keys(xti.t_alloc(fd, xti.T_UNITDATA, xti.T_ALL)).sort(), ['addr', 'opt', 'udata']);
    assert.ok(Buffer.isBuffer(xti.t_alloc(fd, xti.T_CALL, xti.T_ALL).addr.buf));
  } finally {
    xti.t_close(fd);
  }
});
