// `custom-elements.json`, for editors, Storybook and framework wrappers: the tags, their attributes, events, parts
// and custom properties, read from the elements' sources and their doc blocks.
import { posix } from 'node:path';

export default {
  globs: ['elements/**/*.ts'],
  exclude: ['**/*.test.ts', 'elements/testing/**'],
  outdir: '.',
  litelement: true,
  plugins: [
    {
      // An event is one the class documents with @event; a helper such as `emit(type, detail)` is not an event.
      name: 'documented-events-only',
      packageLinkPhase({ customElementsManifest }) {
        for (const declaration of customElementsManifest.modules.flatMap((m) => m.declarations ?? [])) {
          if (declaration.events) declaration.events = declaration.events.filter((event) => event.description);
        }
      },
    },
    {
      // The package ships the compiled modules: point at `lib/….js`, not at the sources (references written relative
      // to their module are resolved first).
      name: 'shipped-module-paths',
      packageLinkPhase({ customElementsManifest }) {
        const shipped = (path, base) =>
          `lib/${posix.join(path.startsWith('.') ? posix.dirname(base) : '', path).replace(/^\//, '').replace(/\.ts$/, '.js')}`;
        function visit(node, base) {
          if (Array.isArray(node)) return node.forEach((item) => visit(item, base));
          if (!node || typeof node !== 'object') return;
          for (const [key, value] of Object.entries(node)) {
            if ((key === 'path' || key === 'module') && typeof value === 'string' && value.endsWith('.ts')) node[key] = shipped(value, base);
            else visit(value, base);
          }
        }
        for (const module of customElementsManifest.modules) {
          const base = module.path.replace(/^\//, '');
          visit(module, base);
        }
      },
    },
  ],
};
