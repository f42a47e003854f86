import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const entry = join(root, 'src/index.ts');

/** The names of the types declared under src/ that the entry's exports mention, and the entry's exports. */
function surface(): { exported: Set<string>; mentioned: Map<string, string> } {
  const program = ts.createProgram([entry], {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    // Only the package's own declarations are walked: the standard library and @types need not load.
    noLib: true,
    types: [],
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const resolveAlias = (symbol: ts.Symbol) =>
    symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const source = program.getSourceFile(entry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error('src/index.ts did not load');

  const exportedSymbols = new Set(checker.getExportsOfModule(moduleSymbol).map(resolveAlias));
  const exported = new Set([...exportedSymbols].map((symbol) => symbol.getName()));
  const mentioned = new Map<string, string>();
  const queue = [...exportedSymbols];
  const seen = new Set<ts.Symbol>(queue);

  // What a declaration shows a user: a function's signatures, a class's members, a type's whole text.
  const publicParts = (declaration: ts.Declaration): ts.Node[] => {
    if (ts.isFunctionDeclaration(declaration)) {
      const overloads = declaration.name && checker.getSymbolAtLocation(declaration.name)?.declarations;
      // The implementation signature of an overloaded function is not part of its type.
      if (declaration.body !== undefined && (overloads?.length ?? 0) > 1) return [];
      return [...declaration.parameters, ...(declaration.type ? [declaration.type] : [])];
    }
    if (ts.isClassDeclaration(declaration)) {
      const parts: ts.Node[] = [...(declaration.heritageClauses ?? [])];
      for (const member of declaration.members) {
        if (ts.isPropertyDeclaration(member) && member.type) parts.push(member.type);
        if (ts.isConstructorDeclaration(member)) parts.push(...member.parameters);
      }
      return parts;
    }
    return [declaration];
  };

  while (queue.length > 0) {
    const symbol = queue.pop() as ts.Symbol;
    for (const declaration of symbol.declarations ?? []) {
      const visit = (node: ts.Node): void => {
        const name = ts.isTypeReferenceNode(node)
          ? node.typeName
          : ts.isExpressionWithTypeArguments(node)
            ? node.expression
            : undefined;
        const target = name && checker.getSymbolAtLocation(name);
        if (target !== undefined) {
          const resolved = resolveAlias(target);
          const where = resolved.declarations?.[0]?.getSourceFile().fileName ?? '';
          const ours =
            where.startsWith(join(root, 'src')) && !(resolved.flags & ts.SymbolFlags.TypeParameter);
          if (ours && !seen.has(resolved)) {
            seen.add(resolved);
            queue.push(resolved);
            mentioned.set(resolved.getName(), `${relative(root, where)} (named by ${symbol.getName()})`);
          }
        }
        ts.forEachChild(node, visit);
      };
      for (const part of publicParts(declaration)) visit(part);
    }
  }
  return { exported, mentioned };
}

describe('the public surface (src/index.ts)', () => {
  const { exported, mentioned } = surface();

  it('exports every type that a public type or signature mentions', () => {
    const missing = [...mentioned]
      .filter(([name]) => !exported.has(name))
      .map(([name, where]) => `${name}: ${where}`);

    expect(missing).toEqual([]);
  });

  it('exports the adapters, the settings and the hook and report types a user writes against', () => {
    for (const name of [
      'withErrorMail',
      'errorMail',
      'loadConfig',
      'ConfigError',
      'BeforeSend',
      'Report',
      'Transport',
      'Mail',
    ]) {
      expect(exported, name).toContain(name);
    }
  });
});
