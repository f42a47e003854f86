import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const core = join(root, 'src/core');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

// Comments may name what the code must not use; only code counts.
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

const FORBIDDEN: readonly (readonly [RegExp, string])[] = [
  [/\bprocess\s*[.[]/, 'process.*'],
  [/\bDate\.now\b|\bnew Date\(\s*\)|\bperformance\.now\b/, 'the clock'],
  [/\b(?:setTimeout|setInterval|setImmediate|queueMicrotask)\b/, 'a timer'],
  [/\bMath\.random\b|\bcrypto\b/, 'randomness'],
];

describe('src/core', () => {
  const files = sources(core);

  it('holds the stage folders and the ports', () => {
    const folders = new Set(files.map((file) => relative(core, dirname(file))));

    expect([...folders].sort()).toEqual(['', 'decide', 'flood', 'input', 'render', 'report', 'scrub']);
  });

  it('reads no process.*, clock, timer or randomness of its own', () => {
    const used = files.flatMap((file) => {
      const text = code(file);
      return FORBIDDEN.filter(([pattern]) => pattern.test(text)).map(
        ([, what]) => `${relative(root, file)}: ${what}`,
      );
    });

    expect(used).toEqual([]);
  });

  it('imports nothing outside the core but the settings type', () => {
    const outside = files.flatMap((file) =>
      [...code(file).matchAll(/^import\s+(type\s+)?[^'"]*from\s+'([^']+)'/gm)]
        .map(([, typeOnly, specifier]) => ({
          typeOnly: typeOnly !== undefined,
          // A package or a node: built-in is outside the core too.
          target: specifier?.startsWith('.') ? relative(root, resolve(dirname(file), specifier)) : specifier,
        }))
        .filter(({ target }) => !target?.startsWith('src/core/'))
        .filter(({ typeOnly, target }) => !(typeOnly && target === 'src/config/load.js'))
        .map(({ target }) => `${relative(root, file)} imports ${target}`),
    );

    expect(outside).toEqual([]);
  });
});
