import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { mailsMarked } from '../helpers/local-ses.js';

// These tests run the built package (dist/, made by `npm test` before vitest) in a child Node process.
const run = promisify(execFile);
const sesUrl = inject('sesUrl');

describe('the built package', () => {
  it('works from a CommonJS consumer through require()', async () => {
    const { stdout } = await run(process.execPath, ['test/fixtures/commonjs-consumer.cjs'], {
      timeout: 15_000,
    });

    expect(JSON.parse(stdout)).toEqual({
      withErrorMail: 'function',
      errorMail: 'function',
      result: { statusCode: 200, body: '/cjs' },
      configError: 'ConfigError',
    });
  });

  it('is one module until the first report, which loads the report path (the source-map reader in it), the SES client and the MIME composer', async () => {
    const marker = randomUUID();

    const { stdout } = await run(process.execPath, ['scripts/probe-loads.mjs'], {
      timeout: 30_000,
      env: {
        ...process.env,
        ADMINS: 'ops@example.com',
        SERVER_EMAIL: 'errors@example.com',
        EMAIL_SUBJECT_PREFIX: `[${marker}] `,
      },
    });
    const loads = JSON.parse(stdout) as Record<'afterImport' | 'afterSuccess' | 'afterFailure', string[]>;

    // Every module the loader resolves, reads and compiles costs every cold start.
    expect(loads.afterImport).toEqual(['dist/index.js']);
    expect(loads.afterSuccess).toEqual(['dist/index.js']);
    expect(loads.afterFailure).toContain('dist/report-path.js');
    expect(loads.afterFailure.some((url) => url.includes('@aws-sdk/client-ses'))).toBe(true);
    expect(loads.afterFailure.some((url) => url.includes('nodemailer'))).toBe(true);
    expect(await mailsMarked(sesUrl, marker)).toHaveLength(1);
  });

  it('sends the mail of mailAdmins, mailManagers and reportError from the built package', async () => {
    const marker = randomUUID();
    const script = [
      "import { mailAdmins, mailManagers, reportError } from './dist/index.js';",
      "await mailAdmins('admins', 'text', { html: '<p>html</p>' });",
      "await mailManagers('managers', 'text');",
      "await reportError(new Error('handled'));",
    ].join('\n');

    await run(process.execPath, ['--input-type=module', '--eval', script], {
      timeout: 30_000,
      env: {
        ...process.env,
        ADMINS: 'ops@example.com',
        MANAGERS: 'content@example.com',
        SERVER_EMAIL: 'errors@example.com',
        EMAIL_SUBJECT_PREFIX: `[${marker}] `,
        AWS_LAMBDA_FUNCTION_NAME: 'packaged',
      },
    });

    const subjects = (await mailsMarked(sesUrl, marker, 3)).map((mail) => mail.subject).sort();
    expect(subjects).toEqual([
      `[${marker}] ERROR: Handled error: Error in packaged (Direct invocation)`,
      `[${marker}] admins`,
      `[${marker}] managers`,
    ]);
  });

  it('packs the lambda-error-mail command that package.json names in bin, and it runs', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      bin: Record<string, string>;
      version: string;
    };
    const { stdout: packed } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      timeout: 60_000,
    });
    const files = (JSON.parse(packed) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
    const bin = pkg.bin['lambda-error-mail'] ?? '';

    expect(files).toContain(bin.replace(/^\.\//, ''));
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const { stdout } = await run(process.execPath, [bin, '--version'], { timeout: 15_000 });
    expect(stdout).toBe(`${pkg.version}\n`);
  });
});
