// Builds the demo's pages: each file in demo/pages/ is the main content of one page, under a comment that gives its
// title, path and description; demo/layout.html is the rest (head, header, dashboard), the same on every page.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// The build runs on plain Node, which does not load TypeScript; the parts come from the same people.ts as the script.
import { require as requireTs } from 'tsx/cjs/api';

const here = new URL('.', import.meta.url).pathname;
const { PAGE_PARTS } = requireTs('./page-parts.ts', import.meta.url);

/**
 * Writes each page into `outdir` as the service serves it: `/` as `index.html`, `/profile` as `profile.html`.
 * `<body data-page>` is the page file's name, which tells the demo's script what the page does. `{{name}}` is the
 * page's field, or a part of `page-parts.ts` (`{{name arguments}}`).
 */
export function buildPages(outdir) {
  const layout = readFileSync(join(here, 'layout.html'), 'utf8');
  for (const file of readdirSync(join(here, 'pages'))) {
    const source = readFileSync(join(here, 'pages', file), 'utf8');
    const [, header, content] = /^<!--\n([\s\S]*?)\n-->\n([\s\S]*)$/.exec(source) ?? [];
    if (!header) throw new Error(`demo/pages/${file} must start with a comment giving its title, path and description`);
    const fields = Object.fromEntries(header.split('\n').map((line) => line.split(/:\s*(.*)/s).slice(0, 2)));
    const fill = (text, values = {}) =>
      text.replace(
        /\{\{(\w+)((?: [\w-]+)*)\}\}/g,
        (_, name, args) => values[name] ?? fields[name] ?? PAGE_PARTS[name]?.(...args.split(' ').filter(Boolean)) ?? '',
      );
    const page = { page: file.replace(/\.html$/, ''), content: fill(content.trimEnd()) };
    const html = fill(
      layout.replace(`<a href="${fields.path}">`, `<a href="${fields.path}" aria-current="page">`),
      page,
    );
    writeFileSync(join(outdir, fields.path === '/' ? 'index.html' : `${fields.path.slice(1)}.html`), html);
  }
}
