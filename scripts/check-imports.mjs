#!/usr/bin/env node
// Checks the imports between our own modules: no circle anywhere, and each folder imports only what
// docs/architecture.md says it may. Prints one line per problem and exits 1 if there is any.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/**
 * What the product code of each folder may import besides itself (tests and `testing/` helpers may import anything).
 */
const MAY_IMPORT = {
  contract: [],
  backend: ['contract', 'demo'],
  elements: ['contract', 'sw'],
  sw: ['contract', 'elements/store'],
  demo: ['contract', 'elements', 'sw'],
  react: ['elements'],
};

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.mjs'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => file && !file.endsWith('.d.ts') && existsSync(join(root, file)));
const known = new Set(files);
const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s(?:type\s)?[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|^import\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Each file's imports of our own files, type-only ones included: a circle of types is still a knot to untie. */
const graph = new Map();
for (const file of files) {
  const text = readFileSync(join(root, file), 'utf8');
  const targets = new Set();
  for (const match of text.matchAll(SPECIFIER)) {
    const target = normalize(join(dirname(file), match[1] ?? match[2] ?? match[3]));
    if (known.has(target)) targets.add(target);
  }
  graph.set(file, [...targets]);
}

const problems = [];
const isTest = (file) => /\.test\.ts$|\.contract\.ts$|(^|\/)testing\//.test(file);
for (const [file, targets] of graph) {
  const folder = file.split('/')[0];
  const allowed = MAY_IMPORT[folder];
  if (!allowed || isTest(file)) continue;
  for (const target of targets) {
    if (target.startsWith(`${folder}/`)) continue;
    if (!allowed.some((prefix) => target.startsWith(`${prefix}/`)))
      problems.push(
        `${file} imports ${target}: ${folder}/ may import ${allowed.join(', ') || 'nothing outside itself'}`,
      );
  }
}

// Tarjan's strongly connected components: every component of more than one file (or a file importing itself) is a
// circle.
let index = 0;
const stack = [];
const state = new Map();
function visit(file) {
  const mine = { index, low: index, onStack: true };
  index++;
  state.set(file, mine);
  stack.push(file);
  for (const target of graph.get(file) ?? []) {
    const seen = state.get(target);
    if (!seen) {
      visit(target);
      mine.low = Math.min(mine.low, state.get(target).low);
    } else if (seen.onStack) {
      mine.low = Math.min(mine.low, seen.index);
    }
  }
  if (mine.low !== mine.index) return;
  const component = [];
  let member;
  do {
    member = stack.pop();
    state.get(member).onStack = false;
    component.push(member);
  } while (member !== file);
  if (component.length > 1 || graph.get(file).includes(file))
    problems.push(`import circle: ${component.sort().join(' → ')}`);
}
for (const file of graph.keys()) if (!state.has(file)) visit(file);

for (const problem of problems) console.log(problem);
console.log(
  `${graph.size} modules, ${[...graph.values()].reduce((n, t) => n + t.length, 0)} imports between them: ${problems.length ? `${problems.length} problem(s)` : 'no circle, every folder within its rules'}`,
);
process.exit(problems.length ? 1 : 0);
