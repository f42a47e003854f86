// The esbuild options of the package's modules, shared by scripts/build.mjs and the test that
// builds the entry again to see which of its functions a cold start runs.
import { dirname, resolve } from 'node:path';
import { build } from 'esbuild';

/** What every module of the package is built with. */
export const SHARED = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  external: ['@aws-sdk/*', 'nodemailer', 'nodemailer/*'],
  logLevel: 'warning',
};

/** Resolves `specifier` (as the sources write it) to `target`, left for Node.js to load at run time. */
function externalAs(specifier, target) {
  const filter = new RegExp(`^${specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
  return {
    name: `external ${specifier}`,
    setup(plugin) {
      plugin.onResolve({ filter }, () => ({ path: target, external: true }));
    },
  };
}

/**
 * The log capture's code, which runs only where `ERROR_MAIL_CAPTURE_LOGS` is on, as one string in the
 * entry, compiled by the first wrapper that installs the capture: as code, its 10 KiB were a fifth of
 * what every cold start parses (as a string they are only read). `withoutCapture`, which the
 * library's own log lines call, stays code: it only looks for an installed capture.
 */
const logCaptureAsString = {
  name: 'log capture as a string',
  setup(plugin) {
    const real = resolve('src/adapters/log-capture.ts');
    plugin.onResolve({ filter: /\/log-capture\.js$/ }, () => ({ path: real, namespace: 'log-capture' }));
    plugin.onLoad({ filter: /./, namespace: 'log-capture' }, async () => {
      const code = await build({
        ...SHARED,
        entryPoints: [real],
        format: 'cjs',
        sourcemap: false,
        minifyWhitespace: true,
        write: false,
      });
      const contents = [
        `export { withoutCapture } from ${JSON.stringify(real)};`,
        "import { compileCommonJs } from './compile-common-js.ts';",
        `const SOURCE = ${JSON.stringify(code.outputFiles[0].text)};`,
        'let compiled;',
        'export function installLogCapture() {',
        "  compiled ??= compileCommonJs(SOURCE, 'lambda-error-mail/dist/log-capture.js');",
        '  return compiled.installLogCapture();',
        '}',
      ].join('\n');
      return { contents, resolveDir: dirname(real), loader: 'js' };
    });
  },
};

/**
 * dist/index.js, the entry, as esbuild writes it (scripts/build.mjs then rewrites its cold path). It
 * imports the report path as `#report-path` (package.json `imports`): Node.js loads
 * dist/report-path.js, a bundler (condition `module`) dist/report-path-bundled.js.
 */
export const ENTRY = {
  ...SHARED,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  plugins: [externalAs('./report-path.js', '#report-path'), logCaptureAsString],
};
