// Builds dist/index.js: the package's entry, one ESM file for the settings and the adapters, plus one
// chunk for the report path, loaded by the first report. The SES client and nodemailer stay external
// and are also imported by the first report only. Declarations come from tsc.
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

// Split: what a report needs (building, rendering, transports) is a chunk of its own, imported by the
// first report, so importing the package parses only the settings and the adapters.
await build({
  ...shared,
  entryPoints: ['src/index.ts'],
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
await build({
  ...shared,
  entryPoints: ['src/cli/bin.ts'],
  outfile: 'dist/cli.js',
  banner: { js: '#!/usr/bin/env node' },
  define: { LEM_VERSION: JSON.stringify(version) },
});
