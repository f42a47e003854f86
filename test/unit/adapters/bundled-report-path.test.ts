import { describe, expect, it } from 'vitest';
import { compileReportPath, importDependency } from '../../../src/adapters/bundled-report-path.js';

describe('compileReportPath', () => {
  it('returns what the code exports, with the built-in modules it requires', () => {
    const source = [
      "const { join } = require('node:path');",
      "exports.taskRootOf = (named) => join('/var', named);",
    ].join('\n');

    const reportPath = compileReportPath(source) as unknown as { taskRootOf: (named: string) => string };

    expect(reportPath.taskRootOf('task')).toBe('/var/task');
  });

  it('refuses a require of anything but a built-in module, naming it', () => {
    const source = "require('nodemailer');";

    expect(() => compileReportPath(source)).toThrow(
      'lambda-error-mail/dist/report-path.js requires `nodemailer`, which is no built-in module',
    );
  });

  it('hands the code the dependency loader, whose import() the bundler sees', async () => {
    const source = 'module.exports = { load: () => importDependency("nodemailer/lib/mail-composer") };';

    const reportPath = compileReportPath(source) as unknown as { load: () => Promise<{ default: unknown }> };

    expect(typeof (await reportPath.load()).default).toBe('function');
  });

  it('names the library in the stack of an error its code throws', () => {
    const source = "exports.fail = () => { throw new Error('inside'); };";
    const reportPath = compileReportPath(source) as unknown as { fail: () => never };

    const stack = (() => {
      try {
        reportPath.fail();
      } catch (error) {
        return (error as Error).stack ?? '';
      }
      return '';
    })();

    expect(stack).toContain('lambda-error-mail/dist/report-path.js:1:');
  });
});

describe('importDependency', () => {
  it('rejects a specifier the report path does not load, naming it', async () => {
    await expect(importDependency('left-pad')).rejects.toThrow(
      'the report path loads no dependency named `left-pad`',
    );
  });
});
