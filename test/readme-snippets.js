// The snippets of README.md's "Guide by task": every fenced block preceded by
// `<!-- snippet -->`, with its language. Shared by readme.test.js (runs them) and
// types.test.js (type-checks the TypeScript ones under tsc --strict).
import { readFileSync } from 'node:fs';

/** [{ lang, code, title }] in README order. */
export function readmeSnippets() {
  const text = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = text.indexOf('## Guide by task');
  const end = text.indexOf('\n## ', start + 1);
  const guide = text.slice(start, end);
  const out = [];
  const re = /(?:^### (.+)$)|<!-- snippet -->\n```(\w+)\n([\s\S]*?)\n```/gm;
  let title = '';
  for (let m; (m = re.exec(guide));) {
    if (m[1]) title = m[1];
    else out.push({ lang: m[2], code: m[3], title });
  }
  return out;
}
