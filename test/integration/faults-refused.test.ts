import { beforeAll, describe, expect, it } from 'vitest';
import { type LogRecord, withErrorMail } from '../../src/index.js';
import { httpApiEvent, lambdaContext } from '../helpers/events.js';
import { closedPort } from '../helpers/faulty-ses.mjs';
import { mailEnv } from '../helpers/recording-transport.js';

// Its own file: the SES client is made once per container, and this one points at a closed port.
beforeAll(async () => {
  process.env.AWS_ENDPOINT_URL_SES = `http://127.0.0.1:${await closedPort()}`;
});

describe('SES refusing connections', () => {
  it('logs the failure, keeps the original error, and returns before the deadline', async () => {
    const logs: LogRecord[] = [];
    const failure = new Error('refused');
    const handler = withErrorMail(
      async () => {
        throw failure;
      },
      { env: mailEnv({ ERROR_MAIL_SEND_BUDGET_MS: '1000' }), log: (r) => logs.push(r) },
    );
    const started = Date.now();

    const caught = await handler(httpApiEvent(), lambdaContext({ remainingMs: 1800 })).catch(
      (e: unknown) => e,
    );

    expect(caught).toBe(failure);
    expect(Date.now() - started).toBeLessThan(1800);
    expect(logs).toHaveLength(1);
    expect(String(logs[0]?.reason)).toMatch(/ECONNREFUSED|budget/);
  });
});
