// The built page files the service serves as they are, read from dist/ once at startup: the drop-in bundle and the
// demo site. The only module that reads them from disk; the route that answers them is routes/assets.ts.
import { readdir, readFile } from 'node:fs/promises';
import { toAsset, type Asset } from './routes/assets.ts';

/**
 * The media types of the demo's files, by extension; a file of another kind is not served. Not Hono's table
 * (`hono/utils/mime`): it gives the same types for these but `image/svg+xml; charset=utf-8` for SVG.
 */
const DEMO_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

/**
 * The built page files (`npm run build`), served at the root: the bundle, and the demo site from `dist/demo/`, its
 * pages without their `.html` (`index.html` at `/`). A service without them serves the API alone.
 */
export async function loadStaticAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  const dist = new URL('../dist/', import.meta.url);
  const names = await readdir(dist).catch(() => [] as string[]);
  if (!names.includes('cached-profile-picture.js'))
    console.warn('[service] dist/ has no bundle: run `npm run build` to serve it');
  for (const name of names.filter((n) => n.endsWith('.js'))) {
    const body = new Uint8Array(await readFile(new URL(name, dist)));
    assets.set(name, await toAsset(body, 'text/javascript; charset=utf-8', /-[0-9a-f]{10}\.js$/.test(name)));
  }
  const demo = new URL('demo/', dist);
  for (const name of await readdir(demo).catch(() => [] as string[])) {
    const [, base = '', extension = ''] = /^(.+)\.(\w+)$/.exec(name) ?? [];
    const type = DEMO_TYPES[extension];
    if (!type) continue;
    const path = extension !== 'html' ? name : base === 'index' ? '' : base;
    assets.set(path, await toAsset(new Uint8Array(await readFile(new URL(name, demo))), type));
  }
  return assets;
}
