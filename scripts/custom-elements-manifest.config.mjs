// `custom-elements.json`, for editors, Storybook and framework wrappers: the tags, their attributes, events, parts
// and custom properties, read from the elements' sources and their doc blocks.
import { posix } from 'node:path';

/** Event name → its detail's type, from each module's `GlobalEventHandlersEventMap` (`'x': CustomEvent<Detail>`). */
const eventDetails = new Map();

export default {
  globs: ['elements/**/*.ts'],
  exclude: ['**/*.test.ts', '**/testing/**'],
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
      // The framework types (JSX, Vue, Svelte, the React wrappers) type a handler's event by the event's `type`: the
      // detail's type, as those tools read it. The elements declare it once, for addEventListener, in
      // GlobalEventHandlersEventMap; an event declared nowhere fails the build rather than reach apps untyped.
      name: 'event-detail-types',
      analyzePhase({ ts, node }) {
        if (!ts.isInterfaceDeclaration(node) || node.name.text !== 'GlobalEventHandlersEventMap') return;
        for (const member of node.members) {
          const type = member.type;
          if (
            ts.isPropertySignature(member) &&
            ts.isStringLiteral(member.name) &&
            type &&
            ts.isTypeReferenceNode(type) &&
            type.typeName.getText() === 'CustomEvent' &&
            type.typeArguments?.length === 1
          ) {
            eventDetails.set(member.name.text, type.typeArguments[0].getText());
          }
        }
      },
      packageLinkPhase({ customElementsManifest }) {
        for (const declaration of customElementsManifest.modules.flatMap((m) => m.declarations ?? [])) {
          for (const event of declaration.events ?? []) {
            const detail = eventDetails.get(event.name);
            if (!detail)
              throw new Error(
                `${declaration.tagName} fires ${event.name}, which no GlobalEventHandlersEventMap declares: add 'name': CustomEvent<Detail> there.`,
              );
            event.type = { text: detail };
          }
        }
      },
    },
    {
      // The package ships the compiled modules: point at `lib/….js`, not at the sources (references written relative
      // to their module are resolved first).
      name: 'shipped-module-paths',
      packageLinkPhase({ customElementsManifest }) {
        const shipped = (path, base) =>
          `lib/${posix
            .join(path.startsWith('.') ? posix.dirname(base) : '', path)
            .replace(/^\//, '')
            .replace(/\.ts$/, '.js')}`;
        function visit(node, base) {
          if (Array.isArray(node)) {
            for (const item of node) visit(item, base);
            return;
          }
          if (!node || typeof node !== 'object') return;
          for (const [key, value] of Object.entries(node)) {
            if ((key === 'path' || key === 'module') && typeof value === 'string' && value.endsWith('.ts'))
              node[key] = shipped(value, base);
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
