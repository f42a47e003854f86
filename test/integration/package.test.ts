import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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

  it('loads neither the SES client nor the MIME composer until the first report', async () => {
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

    expect(loads.afterImport).toEqual([]);
    expect(loads.afterSuccess).toEqual([]);
    expect(loads.afterFailure.some((url) => url.includes('@aws-sdk/client-ses'))).toBe(true);
    expect(loads.afterFailure.some((url) => url.includes('nodemailer'))).toBe(true);
    expect(await mailsMarked(sesUrl, marker)).toHaveLength(1);
  });
});
