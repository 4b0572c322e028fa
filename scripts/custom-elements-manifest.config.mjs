// `custom-elements.json`, for editors, Storybook and framework wrappers: the tags, their attributes, events, parts
// and custom properties, read from the elements' sources and their doc blocks.
import { posix } from 'node:path';

/** Event name → its detail's type, from each module's `GlobalEventHandlersEventMap` (`'x': CustomEvent<Detail>`). */
const eventDetails = new Map();

/** A const array of strings (`const Shapes = ['circle', …] as const`) → those strings. */
const stringArrays = new Map();
/** A type alias of string literals (`type Shape = (typeof Shapes)[number]`, or `'a' | 'b'`) → its literals, later. */
const stringUnions = new Map();

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
      // Editors offer an attribute's values from its type's text: for `shape` (typed `Shape`) that text is the
      // alias, so VS Code and JetBrains offered "Shape" as its only value. Each member or attribute typed with an
      // alias of string literals gets `expandedType` (the field the custom-element-* tools read with `typesSrc`),
      // its literals spelt out; `type` keeps the alias, which the framework types reach through the class.
      // cem-plugin-expanded-types does the same through the type checker, but needs the modules made as one program,
      // which reordered the manifest and changed a field's default; these two forms are the only ones the elements use.
      name: 'expanded-string-unions',
      analyzePhase({ ts, node }) {
        const unwrap = (type) => (ts.isParenthesizedTypeNode(type) ? unwrap(type.type) : type);
        if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
          const value = ts.isAsExpression(node.initializer) ? node.initializer.expression : undefined;
          if (value && ts.isArrayLiteralExpression(value) && value.elements.every(ts.isStringLiteral))
            stringArrays.set(
              node.name.text,
              value.elements.map((element) => `'${element.text}'`),
            );
        }
        if (!ts.isTypeAliasDeclaration(node)) return;
        const type = unwrap(node.type);
        if (ts.isIndexedAccessTypeNode(type)) {
          const object = unwrap(type.objectType);
          if (
            ts.isTypeQueryNode(object) &&
            ts.isIdentifier(object.exprName) &&
            type.indexType.kind === ts.SyntaxKind.NumberKeyword
          )
            stringUnions.set(node.name.text, () => stringArrays.get(object.exprName.text));
        } else if (
          ts.isUnionTypeNode(type) &&
          type.types.every((member) => ts.isLiteralTypeNode(member) && ts.isStringLiteral(member.literal))
        ) {
          stringUnions.set(node.name.text, () => type.types.map((member) => `'${member.literal.text}'`));
        }
      },
      packageLinkPhase({ customElementsManifest }) {
        const expand = (typed) => {
          const parts = typed.type?.text.split('|').map((part) => part.trim()) ?? [];
          const literals = parts.map((part) => stringUnions.get(part)?.());
          if (literals.some(Boolean))
            typed.expandedType = { text: parts.flatMap((part, i) => literals[i] ?? part).join(' | ') };
        };
        for (const declaration of customElementsManifest.modules.flatMap((m) => m.declarations ?? [])) {
          for (const typed of [...(declaration.members ?? []), ...(declaration.attributes ?? [])]) expand(typed);
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
