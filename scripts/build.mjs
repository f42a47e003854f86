// Builds the package's two ES modules, plus the `lambda-error-mail` command (dist/cli.js):
// - dist/index.js, the entry: the settings and the adapters, in one file. Every module the loader
//   resolves, reads and compiles at cold start costs about 0.7 ms, so the entry imports none. The
//   functions every cold start runs are compiled with the module (scripts/cold-start.mjs).
// - dist/report-path.js, the report path (pipeline, building, rendering, transports), imported by the
//   first report.
// - dist/report-path-bundled.js, the same report path as a bundler takes it: its code as one string,
//   compiled by the first report (src/adapters/bundled-report-path.ts says why).
// A few small pure helpers are in both files; no class is, so `instanceof` never has to hold across
// the two. The SES client and nodemailer stay external and are also imported by the first report
// only. Declarations come from tsc.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { build, transform } from 'esbuild';
import { ENTRY, SHARED } from './build-options.mjs';
import { COLD_START, compileWithModule } from './cold-start.mjs';

const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
await build(ENTRY);
const entry = compileWithModule(await readFile('dist/index.js', 'utf8'), COLD_START);
// Parsed once more, so that a rewrite that broke the module fails the build, not an import.
await transform(entry, { format: 'esm', loader: 'js', logLevel: 'silent' });
await writeFile('dist/index.js', entry);
const reportPath = await build({
  ...SHARED,
  entryPoints: ['src/adapters/report-path.ts'],
  outfile: 'dist/report-path.js',
  metafile: true,
});
await writeBundledReportPath(reportPath.metafile.outputs['dist/report-path.js'].exports);
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

/**
 * Writes dist/report-path-bundled.js: the report path built as the body of a CommonJS function, in a
 * string that src/adapters/bundled-report-path.ts compiles. Its code loads its dependencies through
 * that module's `importDependency`, handed in, so the bundler that bundles the string's module sees
 * their `import()`s. The string is minified, with the names of its functions and classes kept for
 * stack traces and error names.
 */
async function writeBundledReportPath(names) {
  const importedByName = {
    name: 'dependencies handed in',
    setup(plugin) {
      plugin.onResolve({ filter: /\/load-dependency\.js$/ }, (args) => ({
        path: resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')),
        namespace: 'handed-in',
      }));
      plugin.onLoad({ filter: /./, namespace: 'handed-in' }, (args) => ({
        contents: `export * from ${JSON.stringify(args.path)};\nexport const loadDependency = (specifier) => importDependency(specifier);\n`,
        resolveDir: dirname(args.path),
        loader: 'js',
      }));
    },
  };
  const code = await build({
    ...SHARED,
    entryPoints: ['src/adapters/report-path.ts'],
    format: 'cjs',
    sourcemap: false,
    // 94 KiB instead of 130 KiB with only blank space left out: each cold start reads all of it.
    minify: true,
    keepNames: true,
    write: false,
    plugins: [importedByName],
    // import.meta.url is read to find the installed package, which a bundle is not.
    logOverride: { 'empty-import-meta': 'silent' },
  });
  const source = code.outputFiles[0].text;
  if (/\bimport\.meta\b/.test(source) || !source.includes('importDependency(')) {
    throw new Error(
      'report-path-bundled: the report path must load its dependencies through `importDependency`',
    );
  }
  await build({
    ...SHARED,
    stdin: {
      contents: [
        "import { compileReportPath } from './src/adapters/bundled-report-path.ts';",
        `const reportPath = compileReportPath(${JSON.stringify(source)});`,
        `export const { ${names.join(', ')} } = reportPath;`,
      ].join('\n'),
      resolveDir: process.cwd(),
      sourcefile: 'report-path-bundled.js',
      loader: 'ts',
    },
    outfile: 'dist/report-path-bundled.js',
    // A map of this file would hold the string a second time.
    sourcemap: false,
  });
}
