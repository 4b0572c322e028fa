// What apps and editors read besides the modules, generated from custom-elements.json by the custom-element-*
// tools: the tags' props for JSX (which the React, Vue and Svelte entries build on: framework-entries.mjs), React
// wrapper components, VS Code custom data and JetBrains web-types. All under lib/, paths relative to each file.
import { generateJetBrainsWebTypes } from 'custom-element-jet-brains-integration';
import { generateJsxTypes } from 'custom-element-jsx-integration';
import { generateReactWrappers } from 'custom-element-react-wrappers';
import { generateVsCodeCustomElementData } from 'custom-element-vs-code-integration';

/** The elements' classes and their events' detail types, for every generated file. */
const ROOT_TYPES = '../elements/index.js';

/** Writes every integration for `manifest` (each tool gets its own copy: some add fields as they go). */
export function generateIntegrations(manifest, libDir) {
  const copy = () => structuredClone(manifest);
  const quiet = { hideLogs: true };
  // The values editors offer: an alias's literals spelt out (custom-elements-manifest.config.mjs).
  const typesSrc = 'expandedType';
  generateJsxTypes(copy(), { ...quiet, outdir: `${libDir}/types`, fileName: 'jsx.d.ts', globalTypePath: ROOT_TYPES });
  // One module for every wrapper: the package's entry, which defines the elements in the order they need.
  generateReactWrappers(copy(), { ...quiet, outdir: `${libDir}/react`, modulePath: () => ROOT_TYPES });
  generateVsCodeCustomElementData(copy(), {
    ...quiet,
    outdir: libDir,
    htmlFileName: 'vscode.html-custom-data.json',
    cssFileName: 'vscode.css-custom-data.json',
    typesSrc,
  });
  generateJetBrainsWebTypes(copy(), { ...quiet, outdir: libDir, webTypesFileName: 'web-types.json', typesSrc });
}
