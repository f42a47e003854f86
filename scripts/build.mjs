// Builds the package's two ES modules, plus the `lambda-error-mail` command (dist/cli.js):
// - dist/index.js, the entry: the settings and the adapters, in one file. Every module the loader
//   resolves, reads and compiles at cold start costs about 0.7 ms, so the entry imports none.
// - dist/report-path.js, the report path (pipeline, building, rendering, transports), imported by the
//   first report.
// A few small pure helpers are in both files; no class is, so `instanceof` never has to hold across
// the two. The SES client and nodemailer stay external and are also imported by the first report
// only. Declarations come from tsc.
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const shared = {
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

await build({
  ...shared,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  plugins: [externalAs('./report-path.js', './report-path.js')],
});
await build({
  ...shared,
  entryPoints: ['src/adapters/report-path.ts'],
  outfile: 'dist/report-path.js',
});
await build({
  ...shared,
  entryPoints: ['src/cli/bin.ts'],
  outfile: 'dist/cli.js',
  banner: { js: '#!/usr/bin/env node' },
  define: { LEM_VERSION: JSON.stringify(version) },
});
