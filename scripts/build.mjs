// Builds dist/index.js: one ESM file, so importing the package reads one module
// instead of twenty. The SES client and nodemailer stay external and are only
// imported (lazily) by the first report. Declarations come from tsc.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  external: ['@aws-sdk/*', 'nodemailer', 'nodemailer/*'],
  logLevel: 'warning',
});
