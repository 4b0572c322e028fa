// The tags typed in an app's templates by the installed package alone: a React TSX file (tsc), a Vue SFC (vue-tsc)
// and a Svelte component (svelte-check), each the README's snippet, with no declarations of the app's own. Each
// framework also gets a file of mistakes, one a line, which must each be an error: proof that the types are read.
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installedApp, packedTarball, root, run } from './testing/packed.ts';

const bin = (name: string) => join(root, 'node_modules/.bin', name);

/** Strict, as the frameworks' templates are, and reading every declaration file (no skipLibCheck). */
const compilerOptions = {
  target: 'ES2022',
  module: 'ESNext',
  moduleResolution: 'Bundler',
  lib: ['ES2022', 'DOM'],
  types: [],
  strict: true,
  noEmit: true,
  skipLibCheck: false,
};

/** A file of mistakes, one a line between `head` and `tail`; answers its text and the `file:line` of each. */
function mistakes(
  name: string,
  head: string,
  lines: string[],
  tail = '',
): { name: string; text: string; lines: string[] } {
  return { name, text: [head, ...lines, tail].join('\n'), lines: lines.map((_, i) => `${name}:${i + 2}`) };
}

const reactMistakes = mistakes(
  'mistakes.tsx',
  "import { CachedProfilePicture } from 'cached-profile-pictures/react';",
  [
    'export const a = <cached-profile-picture user-id={42} />;',
    'export const b = <cached-profile-picture shape="oval" />;',
    'export const c = <cached-profile-picture onpicture-load={(e) => e.detail.version} />;',
    'export const d = <cached-profile-picture colour="red" />;',
    'export const e = <CachedProfilePicture userId="ada" size="48" />;',
    'export const f = <picture-store-provider api-base={true} />;',
    'export const g = <cache-dashboard position="middle" />;',
  ],
);
const vueMistakes = mistakes(
  'Mistakes.vue',
  '<template>',
  [
    '  <cached-profile-picture :user-id="42" />',
    '  <cached-profile-picture shape="oval" />',
    '  <cached-profile-picture @picture-load="(e: CustomEvent<number>) => e" />',
    '  <cached-profile-picture colour="red" />',
    '  <picture-store-provider :events="\'yes\'" />',
    '  <cache-dashboard position="middle" />',
  ],
  '</template>',
);
const svelteMistakes = mistakes('Mistakes.svelte', '<script lang="ts"></script>', [
  '<cached-profile-picture user-id={42}></cached-profile-picture>',
  '<cached-profile-picture shape="oval"></cached-profile-picture>',
  '<cached-profile-picture onpicture-load={(e: CustomEvent<number>) => e}></cached-profile-picture>',
  "<picture-store-provider events={'yes'}></picture-store-provider>",
  '<cache-dashboard position="middle"></cache-dashboard>',
]);

const files: Record<string, string> = {
  [`react/${reactMistakes.name}`]: reactMistakes.text,
  [`vue/${vueMistakes.name}`]: vueMistakes.text,
  [`svelte/${svelteMistakes.name}`]: svelteMistakes.text,
  'react/tsconfig.json': JSON.stringify({
    compilerOptions: { ...compilerOptions, jsx: 'react-jsx' },
    include: ['*.tsx'],
  }),
  'react/wrapper.tsx': `import { CacheDashboard, CachedProfilePicture, PictureStoreProvider } from 'cached-profile-pictures/react';

export function Friends({ ids }: { ids: string[] }) {
  return (
    <PictureStoreProvider apiBase="https://pictures.example/api" events>
      {ids.map((id) => (
        <CachedProfilePicture key={id} userId={id} size={48} onPictureLoad={(e) => console.log(e.detail.layer, e.detail.ms)} />
      ))}
      <CacheDashboard position="bottom-left" />
    </PictureStoreProvider>
  );
}
`,
  'react/tags.tsx': `import 'cached-profile-pictures/react'; // defines the tags, and types them in TSX
import type { PictureLoadDetail } from 'cached-profile-pictures';

export function Friends({ ids, onShown }: { ids: string[]; onShown: (detail: PictureLoadDetail) => void }) {
  return (
    <picture-store-provider api-base="https://pictures.example/api" events>
      {ids.map((id) => (
        <cached-profile-picture key={id} user-id={id} size={48} shape="rounded" onpicture-load={(e) => onShown(e.detail)} />
      ))}
      <cache-dashboard position="bottom-left" />
    </picture-store-provider>
  );
}
`,
  'vue/tsconfig.json': JSON.stringify({
    compilerOptions: { ...compilerOptions, jsx: 'preserve' },
    vueCompilerOptions: { strictTemplates: true },
    include: ['*.vue'],
  }),
  'vue/Friends.vue': `<script setup lang="ts">
import 'cached-profile-pictures/vue'; // defines the tags, and types them in templates
import type { PictureLoadDetail } from 'cached-profile-pictures';

defineProps<{ ids: string[] }>();
const shown = (e: CustomEvent<PictureLoadDetail>) => console.log(e.detail.layer, e.detail.ms);
</script>

<template>
  <picture-store-provider api-base="https://pictures.example/api" events>
    <cached-profile-picture v-for="id in ids" :key="id" :user-id="id" :size="48" @picture-load="shown" />
    <cache-dashboard position="bottom-left" />
  </picture-store-provider>
</template>
`,
  'svelte/tsconfig.json': JSON.stringify({
    compilerOptions: { ...compilerOptions, verbatimModuleSyntax: true },
    include: ['*.svelte'],
  }),
  'svelte/Friends.svelte': `<script lang="ts">
  import 'cached-profile-pictures/svelte'; // defines the tags, and types them in markup
  import type { PictureLoadDetail } from 'cached-profile-pictures';

  let { ids }: { ids: string[] } = $props();
  const shown = (e: CustomEvent<PictureLoadDetail>) => console.log(e.detail.layer, e.detail.ms);
</script>

<picture-store-provider api-base="https://pictures.example/api" events>
  {#each ids as id (id)}
    <cached-profile-picture user-id={id} size={48} onpicture-load={shown}></cached-profile-picture>
  {/each}
  <cache-dashboard position="bottom-left"></cache-dashboard>
</picture-store-provider>
`,
};

let app: string;
/** The three checkers' output, run at once. */
let outputs: Record<'react' | 'vue' | 'svelte', Promise<string>>;

before(async () => {
  app = await installedApp(await packedTarball(), ['@types/react', 'vue', 'svelte']);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(app, path, '..'), { recursive: true });
    await writeFile(join(app, path), text);
  }
  outputs = {
    react: check(bin('tsc'), ['-p', 'react', '--pretty', 'false'], app),
    vue: check(bin('vue-tsc'), ['-p', 'vue', '--pretty', 'false'], app),
    svelte: check(
      bin('svelte-check'),
      ['--workspace', 'svelte', '--tsconfig', './tsconfig.json', '--output', 'machine'],
      app,
    ),
  };
});
after(async () => {
  await Promise.all(Object.values(outputs ?? {}));
  if (app) await rm(app, { recursive: true, force: true });
});

/** Runs a checker that exits non-zero on errors; answers what it printed. */
async function check(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, maxBuffer: 16 << 20 });
    return stdout + stderr;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return stdout + stderr;
  }
}

/** `file:line` of each error in tsc's format (`file(line,col): error`). */
const tscErrors = (output: string) =>
  [...output.matchAll(/^(\S+?)\((\d+),\d+\): error/gm)].map(([, file, line]) => `${file!.split('/').pop()}:${line}`);

test('React 19: the wrapper components and the plain tags type-check from cached-profile-pictures/react; mistakes do not', async () => {
  const output = await outputs.react;
  assert.deepEqual([...new Set(tscErrors(output))], reactMistakes.lines, output);
});

test('Vue: the tags type-check in a strict SFC template from cached-profile-pictures/vue (vue-tsc); mistakes do not', async () => {
  const output = await outputs.vue;
  assert.deepEqual([...new Set(tscErrors(output))], vueMistakes.lines, output);
});

test('Svelte 5: the tags type-check in a component from cached-profile-pictures/svelte (svelte-check); mistakes do not', async () => {
  const output = await outputs.svelte;
  const errors = [...output.matchAll(/^\d+ ERROR "([^"]+)" (\d+):\d+/gm)].map(
    ([, file, line]) => `${file!.split('/').pop()}:${line}`,
  );
  assert.deepEqual([...new Set(errors)], svelteMistakes.lines, output);
});
