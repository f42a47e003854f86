// The functions of the entry (dist/index.js) that every cold start runs: importing the package and
// wrapping a handler, with `withErrorMail` or with middy's `errorMail()`.
//
// V8 pre-parses a function with its module and compiles it on its first call, parsing it again. For
// the small functions a cold start calls, that costs about 25 µs each: side by side, the entry with
// these functions compiled with the module imports and wraps 0.3 to 0.5 ms faster (BENCHMARKS.md).
// A function expression in parentheses is what V8 compiles with the module, so the build rewrites
// each `function name(...) {...}` below as `const name = (function name(...) {...});`.
//
// test/integration/cold-start.test.ts runs a cold start with V8's function log and fails when this
// list and what it runs differ: a function renamed here or there, added to the cold path or taken off.
export const COLD_START = [
  'withErrorMail',
  'isStreaming',
  'errorMail',
  'createRuntime',
  'loadConfig',
  'fromCode',
  'fromEnvironment',
  'fallbackOf',
  'parseSetting',
  'parseList',
  'finishSetting',
  'isAddress',
  'compilePatterns',
  'allows',
  'assemble',
  'nonEmpty',
  'mailBySettings',
  'createTimeoutWatcher',
];

/**
 * Rewrites each named top-level function declaration of esbuild's output as a parenthesised
 * function expression bound to a `const` of the same name. No code moves: the opening text goes at
 * the end of the line before the declaration (or, when that line is a comment, at its start), the
 * closing text after the declaration's last `}`, so every position the source map gives stays true.
 * @throws {Error} when a name is not declared exactly once at the top level.
 * @example
 * compileWithModule('}\nfunction f(a) {\n  return a;\n}\n', ['f']);
 * // '}const f = (\nfunction f(a) {\n  return a;\n});\n'
 */
export function compileWithModule(code, names) {
  const lines = code.split('\n');
  // Every declaration is found in the untouched text first: one's end can be the line before another.
  const spans = names.map((name) => {
    const starts = [];
    lines.forEach((line, index) => {
      if (line.startsWith(`function ${name}(`)) starts.push(index);
    });
    if (starts.length !== 1) {
      throw new Error(
        `cold start: expected one top-level \`function ${name}(\` in the entry, found ${starts.length}; update COLD_START in scripts/cold-start.mjs`,
      );
    }
    const [start] = starts;
    // esbuild prints a top-level declaration's closing brace alone, at the start of a line.
    const end = lines.findIndex((line, index) => index > start && line === '}');
    if (start === 0 || end === -1) throw new Error(`cold start: cannot find where \`function ${name}\` ends`);
    return { name, start, end };
  });
  for (const { name, start, end } of spans) {
    const opening = `const ${name} = (`;
    const before = lines[start - 1];
    lines[start - 1] = before.trimStart().startsWith('//') ? `${opening}${before}` : `${before}${opening}`;
    lines[end] = `});${lines[end].slice(1)}`;
  }
  return lines.join('\n');
}
