// Builds the package's two ES modules, plus the `lambda-error-mail` command (dist/cli.js):
// - dist/index.js, the entry: the settings and the adapters, in one file. Every module the loader
//   resolves, reads and compiles at cold start costs about 0.7 ms, so the entry imports none. The
//   functions every cold start runs are compiled with the module (scripts/cold-start.mjs).
// - dist/report-path.js, the report path (pipeline, building, rendering, transports), imported by the
//   first report.
// A few small pure helpers are in both files; no class is, so `instanceof` never has to hold across
// the two. The SES client and nodemailer stay external and are also imported by the first report
// only. Declarations come from tsc.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { build, transform } from 'esbuild';
import { ENTRY, SHARED } from './build-options.mjs';
import { COLD_START, compileWithModule } from './cold-start.mjs';

const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
await build(ENTRY);
const entry = compileWithModule(await readFile('dist/index.js', 'utf8'), COLD_START);
// Parsed once more, so that a rewrite that broke the module fails the build, not an import.
await transform(entry, { format: 'esm', loader: 'js', logLevel: 'silent' });
await writeFile('dist/index.js', entry);
await build({
  ...SHARED,
  entryPoints: ['src/adapters/report-path.ts'],
  outfile: 'dist/report-path.js',
});
await build({
  ...SHARED,
  entryPoints: ['src/cli/bin.ts'],
  outfile: 'dist/cli.js',
  banner: { js: '#!/usr/bin/env node' },
  define: { LEM_VERSION: JSON.stringify(version) },
});
// npm makes a command's file executable when it links it, once; a rebuild writes a new file, which
// `npx lambda-error-mail` must still be able to run.
await chmod('dist/cli.js', 0o755);
