#!/usr/bin/env node
// Refuses a package without what users load: the linux-x64 prebuilt addon and every file
// that package.json's main, types, exports and bin point to (dist/ is built by `prepare`, the
// prebuild by `prepack`; `--ignore-scripts` skips both and npm would pack without them).
//
//   node scripts/check-pack.js            what `npm pack` would put in the tarball now
//   node scripts/check-pack.js FILE.tgz   an existing tarball (check one before `npm publish FILE.tgz`)
//
// Run as `postpack`, it fails `npm pack` and stops `npm publish` before the upload. It cannot
// guard `npm publish --ignore-scripts` or `npm publish FILE.tgz`, which run no script.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tarball = process.argv[2];

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    process.stderr.write(`check-pack: ${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
    process.exit(1);
  }
  return r.stdout;
}

const files = tarball
  ? run('tar', ['tzf', resolve(tarball)]).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''))
  : JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts']))[0].files.map((f) => f.path);

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const targets = new Set();
const collect = (v) => {
  if (typeof v === 'string') targets.add(v.replace(/^\.\//, ''));
  else if (v && typeof v === 'object') Object.values(v).forEach(collect);
};
[pkg.main, pkg.types, pkg.exports, pkg.bin].forEach(collect);

const have = new Set(files);
const missing = [...targets].filter((f) => !have.has(f));
if (!files.some((f) => /^prebuilds\/linux-x64\/[^/]+\.node$/.test(f))) missing.unshift('prebuilds/linux-x64/*.node');
if (missing.length > 0) {
  process.stderr.write(`check-pack: ${tarball ?? 'the package'} lacks ${missing.join(', ')}.\n`
    + 'Pack with lifecycle scripts on (`npm pack`, not --ignore-scripts): prepack builds the prebuild, prepare builds dist/.\n'
    + 'Do not publish this tarball.\n');
  process.exit(1);
}
