import type * as ReportPath from './report-path.js';

/**
 * The report path as a bundler ships it (package.json `imports`, `#report-path`, condition `module`):
 * its code as one string (dist/report-path-bundled.js, made by scripts/build.mjs), compiled by the
 * first report. A bundle of the user's handler holds the package, and a bundler inlines the report
 * path's `import()` into it; as code, its 160 KiB are parsed at every cold start of the function
 * (about half of a bundled handler's import), as one string they are only read.
 * Node.js, loading the installed package, takes the report path's own module.
 */
export type BundledReportPath = typeof ReportPath;

/** The dependencies the report path loads with its first report, by the specifier it loads them by. */
export type ImportDependency = (specifier: string) => Promise<unknown>;

/**
 * Imports one dependency of the report path. Each is a literal `import()` here, outside the report
 * path's string, so that a bundler sees it: it bundles the package, or leaves it external, as the
 * user's build says.
 * @throws {Error} for a specifier the report path does not load.
 * @example
 * const { SESClient } = (await importDependency('@aws-sdk/client-ses')) as typeof import('@aws-sdk/client-ses');
 */
export function importDependency(specifier: string): Promise<unknown> {
  switch (specifier) {
    case '@aws-sdk/client-ses':
      return import('@aws-sdk/client-ses');
    case '@aws-sdk/client-dynamodb':
      return import('@aws-sdk/client-dynamodb');
    case 'nodemailer/lib/mail-composer':
      return import('nodemailer/lib/mail-composer');
    case 'nodemailer/lib/smtp-connection':
      return import('nodemailer/lib/smtp-connection');
    default:
      return Promise.reject(new Error(`the report path loads no dependency named \`${specifier}\``));
  }
}

/**
 * Compiles and runs the report path's code, a CommonJS function body that takes `importDependency`
 * beside `exports`, `require` and `module`, and returns what it exports. Its `require` gives Node.js's
 * built-in modules only: everything else the report path needs is in the string or loaded through
 * {@link importDependency}. `vm` compiles it, which `--disallow-code-generation-from-strings` allows.
 * @example
 * const { createReporting } = compileReportPath(REPORT_PATH_SOURCE);
 */
export function compileReportPath(source: string): BundledReportPath {
  // Not a static import: an ES module bundle would load node:vm at every cold start.
  const vm = process.getBuiltinModule('node:vm');
  const run = vm.compileFunction(source, ['exports', 'require', 'module', 'importDependency'], {
    // Frames of the report path name the library (core/input/frames.ts): never the user's code.
    filename: 'lambda-error-mail/dist/report-path.js',
  });
  const module = { exports: {} as BundledReportPath };
  const builtin = (id: string) => {
    const found = process.getBuiltinModule(id);
    if (found === undefined)
      throw new Error(`the report path requires \`${id}\`, which is no built-in module`);
    return found;
  };
  run(module.exports, builtin, module, importDependency);
  return module.exports;
}
