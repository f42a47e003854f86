// Builds dist/index.js: one ESM file, so importing the package reads one module
// instead of twenty. The SES client and nodemailer stay external and are only
// imported (lazily) by the first report. Declarations come from tsc.
// Also builds dist/cli.js, the `lambda-error-mail` command.
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

await build({ ...shared, entryPoints: ['src/index.ts'], outfile: 'dist/index.js' });
await build({
  ...shared,
  entryPoints: ['src/cli/bin.ts'],
  outfile: 'dist/cli.js',
  banner: { js: '#!/usr/bin/env node' },
  define: { LEM_VERSION: JSON.stringify(version) },
});
