import { compileCommonJs } from './compile-common-js.js';
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
 * Compiles and runs the report path's code, a CommonJS module body that takes `importDependency`
 * as well, and returns what it exports: everything else the report path needs is in the string or
 * a built-in module. Its frames name the library (core/input/frames.ts): never the user's code.
 * @example
 * const { createReporting } = compileReportPath(REPORT_PATH_SOURCE);
 */
export function compileReportPath(source: string): BundledReportPath {
  return compileCommonJs(source, 'lambda-error-mail/dist/report-path.js', { importDependency });
}
