// Builds the demo's pages: each file in demo/pages/ is the main content of one page, under a comment that gives its
// title, path and description; demo/layout.html is the rest (head, header, dashboard), the same on every page.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;

/**
 * Writes each page into `outdir` as the service serves it: `/` as `index.html`, `/profile` as `profile.html`.
 * `<body data-page>` is the page file's name, which tells the demo's script what the page does.
 */
export function buildPages(outdir) {
  const layout = readFileSync(join(here, 'layout.html'), 'utf8');
  for (const file of readdirSync(join(here, 'pages'))) {
    const source = readFileSync(join(here, 'pages', file), 'utf8');
    const [, header, content] = /^<!--\n([\s\S]*?)\n-->\n([\s\S]*)$/.exec(source) ?? [];
    if (!header) throw new Error(`demo/pages/${file} must start with a comment giving its title, path and description`);
    const fields = Object.fromEntries(header.split('\n').map((line) => line.split(/:\s*(.*)/s).slice(0, 2)));
    const values = { ...fields, page: file.replace(/\.html$/, ''), content: content.trimEnd() };
    const html = layout
      .replace(`<a href="${fields.path}">`, `<a href="${fields.path}" aria-current="page">`)
      .replace(/\{\{(\w+)\}\}/g, (_, name) => values[name] ?? '');
    writeFileSync(join(outdir, fields.path === '/' ? 'index.html' : `${fields.path.slice(1)}.html`), html);
  }
}
