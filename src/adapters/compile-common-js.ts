/**
 * Compiles and runs `source`, the body of a CommonJS module, and returns what it exports. Code the
 * build ships as a string comes through here: a string is only read when its module is parsed, code
 * is parsed (see scripts/build.mjs). Its `require` gives Node.js's built-in modules only; `injected`
 * names more parameters of the body, and their values. `vm` compiles it, which
 * `--disallow-code-generation-from-strings` allows. `filename` names the code in stack traces.
 *
 * @throws {Error} when the code requires anything but a built-in module.
 * @example
 * compileCommonJs("exports.twice = (n) => n * 2;", 'lambda-error-mail/dist/x.js'); // { twice: [Function] }
 */
export function compileCommonJs<T>(
  source: string,
  filename: string,
  injected: Readonly<Record<string, unknown>> = {},
): T {
  // Not a static import: an ES module bundle would load node:vm at every cold start.
  const vm = process.getBuiltinModule('node:vm');
  const run = vm.compileFunction(source, ['exports', 'require', 'module', ...Object.keys(injected)], {
    filename,
  });
  const module = { exports: {} as T };
  const builtin = (id: string) => {
    const found = process.getBuiltinModule(id);
    if (found === undefined) {
      throw new Error(`${filename} requires \`${id}\`, which is no built-in module`);
    }
    return found;
  };
  run(module.exports, builtin, module, ...Object.values(injected));
  return module.exports;
}
