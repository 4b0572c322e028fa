// lib/backend/entry.js, the `./backend` entry: the image service's packages are optional peers, which an app that
// only shows the elements does not install. Imported without them, Node would name only the first one missing
// ("Cannot find package 'hono' imported from …/app.js"); this entry names them all and the command that adds them.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The bare specifiers' packages the compiled modules under `dir` import. */
function importedPackages(dir) {
  const names = new Set();
  for (const file of readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.js'))) {
    for (const [, specifier] of readFileSync(join(dir, file), 'utf8').matchAll(
      /^(?:import|export)\b[^'"]*?from\s*['"]([^'"./][^'"]*)['"]/gm,
    )) {
      names.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
    }
  }
  return names;
}

export async function writeBackendEntry(libDir, peerDependencies) {
  const dir = join(libDir, 'backend');
  const peers = Object.fromEntries(
    Object.entries(peerDependencies).filter(([name]) => importedPackages(dir).has(name)),
  );
  // A module's exports are static: name each of the API's values (the types come from index.d.ts).
  const names = Object.keys(await import(pathToFileURL(join(dir, 'index.js')).href)).sort();
  writeFileSync(
    join(dir, 'entry.js'),
    `// The image service's API, once its packages (optional peers of cached-profile-pictures) are there.
const PEERS = ${JSON.stringify(peers)};
let backend;
try {
  backend = await import('./index.js');
} catch (error) {
  const missing = typeof import.meta.resolve === 'function' ? Object.keys(PEERS).filter((name) => {
    try {
      import.meta.resolve(name);
      return false;
    } catch {
      return true;
    }
  }) : [];
  if (!missing.length) throw error;
  const install = missing.map((name) => \`\${name}@\${PEERS[name]}\`).join(' ');
  throw new Error(\`cached-profile-pictures/backend needs \${missing.join(', ')}, not installed with the elements: npm install \${install}\`, { cause: error });
}
export const { ${names.join(', ')} } = backend;
`,
  );
}
