import { describe, expect, it } from 'vitest';
import { compileWithModule } from '../../../scripts/cold-start.mjs';

describe('compileWithModule', () => {
  it('binds each named declaration to a parenthesised expression without moving any other code', () => {
    const code = [
      '// src/a.ts',
      'function a(x) {',
      '  return x;',
      '}',
      'function b() {',
      '  return a(1);',
      '}',
      '',
    ].join('\n');

    const rewritten = compileWithModule(code, ['b', 'a']);

    expect(rewritten).toBe(
      [
        'const a = (// src/a.ts',
        'function a(x) {',
        '  return x;',
        '});const b = (',
        'function b() {',
        '  return a(1);',
        '});',
        '',
      ].join('\n'),
    );
    // Every line keeps its number, and each declaration's text its column.
    const before = code.split('\n');
    const after = rewritten.split('\n');
    expect(after).toHaveLength(before.length);
    for (const [index, line] of before.entries()) {
      if (line.startsWith('function ')) expect(after[index]).toBe(line);
    }
    const module = { a: undefined as unknown, b: undefined as unknown };
    new Function('module', `${rewritten}\nmodule.a = a; module.b = b;`)(module);
    expect((module.b as () => number)()).toBe(1);
    expect((module.a as () => number).name).toBe('a');
  });

  it('refuses a name that is not declared once at the top level', () => {
    const code = 'var x = 1;\nfunction a() {\n  function inner() {}\n}\n';

    expect(() => compileWithModule(code, ['inner'])).toThrow(
      /expected one top-level `function inner\(`.*found 0/,
    );
    expect(() => compileWithModule(`${code}function a() {\n}\n`, ['a'])).toThrow(/found 2/);
  });
});
