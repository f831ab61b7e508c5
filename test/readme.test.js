// README.md's guide runs as written: each JavaScript snippet (and each TypeScript one,
// transpiled) runs as an ES module inside this package, so `import 'xsock'` resolves to
// this build, against real sockets; a snippet must exit 0 within its time limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { readmeSnippets } from './readme-snippets.js';
import { checkFdsAtEnd } from './helpers.js';

checkFdsAtEnd();

const repo = fileURLToPath(new URL('..', import.meta.url));
const snippets = readmeSnippets();

test('the guide has a snippet for each task', () => {
  assert.ok(snippets.filter((s) => s.lang === 'js' || s.lang === 'ts').length >= 10, JSON.stringify(snippets.map((s) => s.title)));
});

for (const [i, s] of snippets.entries()) {
  if (s.lang !== 'js' && s.lang !== 'ts') continue;
  test(`README snippet ${i} (${s.title}) runs`, () => {
    const js = s.lang === 'ts'
      ? ts.transpileModule(s.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
      : s.code;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', js], { cwd: repo, encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, `${s.title}:\n${r.stdout}\n${r.stderr}`);
    assert.ok(r.stdout.trim().length > 0, 'the snippet prints what it shows');
    assert.doesNotMatch(r.stdout, /\bfalse\b/, `a check printed false:\n${r.stdout}`);
  });
}
