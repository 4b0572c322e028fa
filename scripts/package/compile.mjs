// Compiles the package's modules into lib/ (tsconfig.build.json) with every relative `.ts` specifier turned into
// `.js`, in the JavaScript and in the declarations alike. tsc's own rewriting (rewriteRelativeImportExtensions)
// skips an import() inside a class with decorators (microsoft/TypeScript#63287, TypeScript 5.9) and never touches
// declarations (#61037), so a bundler met `import('./dashboard-body.ts')`, a file the package does not ship.
import ts from 'typescript';

const relativeTs = /^\.\.?\/.*(?<!\.d)\.([mc]?)tsx?$/;
const toJs = (specifier) =>
  specifier.replace(relativeTs, (match, flavour) => match.replace(/\.[mc]?tsx?$/, `.${flavour}js`));

/** A transformer that rewrites the specifiers of imports, exports, import() calls and import types. */
function rewriteSpecifiers(context) {
  const { factory } = context;
  const literal = (node) =>
    node && ts.isStringLiteral(node) && relativeTs.test(node.text)
      ? factory.createStringLiteral(toJs(node.text))
      : undefined;
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && literal(node.moduleSpecifier)) {
      return factory.updateImportDeclaration(
        node,
        node.modifiers,
        node.importClause,
        literal(node.moduleSpecifier),
        node.attributes,
      );
    }
    if (ts.isExportDeclaration(node) && literal(node.moduleSpecifier)) {
      return factory.updateExportDeclaration(
        node,
        node.modifiers,
        node.isTypeOnly,
        node.exportClause,
        literal(node.moduleSpecifier),
        node.attributes,
      );
    }
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      literal(node.arguments[0])
    ) {
      const [first, ...rest] = node.arguments;
      return factory.updateCallExpression(node, node.expression, node.typeArguments, [
        literal(first),
        ...rest.map((arg) => ts.visitNode(arg, visit)),
      ]);
    }
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && literal(node.argument.literal)) {
      return factory.updateImportTypeNode(
        node,
        factory.updateLiteralTypeNode(node.argument, literal(node.argument.literal)),
        node.attributes,
        node.qualifier,
        node.typeArguments,
        node.isTypeOf,
      );
    }
    return ts.visitEachChild(node, visit, context);
  };
  return (file) => ts.visitNode(file, visit);
}

/** Emits the project at `configPath`; throws with tsc's messages when it has errors. */
export function compile(configPath) {
  const host = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  };
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, host);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const emitted = program.emit(undefined, undefined, undefined, false, {
    after: [rewriteSpecifiers],
    afterDeclarations: [rewriteSpecifiers],
  });
  const diagnostics = [...config.errors, ...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  if (diagnostics.length) {
    const formatHost = {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: ts.sys.getCurrentDirectory,
      getNewLine: () => '\n',
    };
    throw new Error(ts.formatDiagnosticsWithColorAndContext(diagnostics, formatHost));
  }
}
