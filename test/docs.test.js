// The API documentation builds from the doc comments with TypeDoc's validation on
// (notExported, invalidLink, notDocumented) and warnings treated as errors: every export of
// every entry point is documented, no link is broken, no type the docs reference is left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { checkFdsAtEnd } from './helpers.js';

checkFdsAtEnd();

const repo = fileURLToPath(new URL('..', import.meta.url));
const typedoc = join(repo, 'node_modules', 'typedoc', 'bin', 'typedoc');

test('typedoc.json keeps every validation on and fails on warnings', () => {
  const config = JSON.parse(readFileSync(join(repo, 'typedoc.json'), 'utf8'));
  assert.deepEqual(config.validation, { notExported: true, invalidLink: true, notDocumented: true });
  assert.equal(config.treatWarningsAsErrors, true);
  assert.deepEqual(config.entryPoints, ['src/index.ts', 'src/xti/index.ts', 'src/streams/index.ts']);
});

test('typedoc --emit none: no undocumented export, no broken link, no warning', () => {
  const r = spawnSync(process.execPath, [typedoc, '--emit', 'none'], { cwd: repo, encoding: 'utf8', timeout: 180_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  const out = `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  const problems = out.split('\n').filter((l) => /^\[(warning|error)\]/.test(l) && !/Found 0 errors and 0 warnings/.test(l));
  assert.deepEqual(problems, [], `${problems.length} TypeDoc warnings/errors`);
  assert.equal(r.status, 0, out);
});
