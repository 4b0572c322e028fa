// The `./react`, `./vue` and `./svelte` entries' declarations: the package's API with the tags typed for that
// framework's templates, so an app that imports the entry once needs no declarations of its own. Each augments
// only its framework's module, so a Vue app never reads React's types, nor the other way round.
import { writeFileSync } from 'node:fs';

/**
 * The tags' props as custom-element-jsx-integration wrote them (attributes, properties, `on<event>` handlers
 * typed by the manifest), with the framework's own attributes for the tag's element.
 */
const tags = (
  attributesOf,
) => `type ElementOf<Tag> = Tag extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[Tag] : HTMLElement;
type Tags = { [Tag in keyof CustomElements]: CustomElements[Tag] & Omit<${attributesOf('ElementOf<Tag>')}, keyof CustomElements[Tag]> };`;

const entries = {
  // React 19 sets the props an element has as properties, and listens with `on<event>`, on custom elements.
  'react.d.ts': `import type { HTMLAttributes, RefAttributes } from 'react';
import type { CustomElements } from './jsx.js';

export * from '../react/index.js';

${tags((element) => `HTMLAttributes<${element}> & RefAttributes<${element}>`)}

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements extends Tags {}
  }
}
`,
  // Vue's templates name a component's props in camelCase (\`user-id\` is \`userId\`) and its listeners \`on\` and
  // PascalCase (\`@picture-load\` is \`onPictureLoad\`); custom-element-vuejs-integration keeps the attributes' names,
  // which vue-tsc then never matches. Vue handles class, style, key and ref itself.
  'vue.d.ts': `import type { DefineComponent } from 'vue';
import type { CustomElements } from './jsx.js';

export * from '../elements/index.js';

type Camel<Name extends string> = Name extends \`\${infer Head}-\${infer Tail}\` ? \`\${Head}\${Capitalize<Camel<Tail>>}\` : Name;
type Handler = ((event: CustomEvent<never>) => void) | undefined;
type VueName<Key extends string, Value> = Key extends \`on\${infer Event}\` ? (Value extends Handler ? \`on\${Capitalize<Camel<Event>>}\` : Camel<Key>) : Camel<Key>;
type VueProps<Props> = { [Key in keyof Props as VueName<Key & string, Props[Key]>]: Props[Key] };
type Tags = { [Tag in keyof CustomElements]: DefineComponent<VueProps<Omit<CustomElements[Tag], 'children' | 'class' | 'className' | 'classList' | 'style' | 'key' | 'ref'>>> };

declare module 'vue' {
  interface GlobalComponents extends Tags {}
}
`,
  // Svelte 5 listens with \`on<event>\` attributes too; custom-element-svelte-integration writes Svelte 4's \`on:\`.
  'svelte.d.ts': `import type { HTMLAttributes } from 'svelte/elements';
import type { CustomElements } from './jsx.js';

export * from '../elements/index.js';

${tags((element) => `HTMLAttributes<${element}>`)}

declare module 'svelte/elements' {
  interface SvelteHTMLElements extends Tags {}
}
`,
};

export function writeFrameworkEntries(typesDir) {
  for (const [name, text] of Object.entries(entries)) writeFileSync(`${typesDir}/${name}`, text);
}
