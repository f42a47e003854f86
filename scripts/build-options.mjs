// The esbuild options of the package's modules, shared by scripts/build.mjs and the test that
// builds the entry again to see which of its functions a cold start runs.

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
 * dist/index.js, the entry, as esbuild writes it (scripts/build.mjs then rewrites its cold path). It
 * imports the report path as `#report-path` (package.json `imports`): Node.js loads
 * dist/report-path.js, a bundler (condition `module`) dist/report-path-bundled.js.
 */
export const ENTRY = {
  ...SHARED,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  plugins: [externalAs('./report-path.js', '#report-path')],
};
