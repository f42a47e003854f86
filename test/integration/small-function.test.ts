import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { withErrorMail } from '../../src/index.js';
import { httpApiEvent, lambdaContext } from '../helpers/events.js';
import { mailsMarked, readMailbox } from '../helpers/local-ses.js';
import { logged } from '../helpers/logged.js';
import { mailEnv } from '../helpers/recording-transport.js';

const sesUrl = inject('sesUrl');

// A 128 MB function gets 7.2% of a vCPU, where loading the SES client takes about 1.6 s and cannot be
// stopped once started. This file's module graph is fresh (vitest runs each file in its own): its
// first report is a container's first.
describe('the first report of a 128 MB function', () => {
  it('loads nothing it has no time for before the deadline, logs the report, and mails it with the next invocation', async () => {
    const marker = randomUUID();
    const failure = new Error('checkout failed late in the invocation');
    const result = { statusCode: 200, body: 'ok' };
    const handler = withErrorMail(
      async (event: { rawPath?: string }) => {
        if (event.rawPath === '/checkout') throw failure;
        return result;
      },
      { env: mailEnv({ EMAIL_SUBJECT_PREFIX: `[${marker}] ` }) },
    );

    // 1.5 s before the deadline: less the 300 ms margin, 1.2 s are left, too few to load the client.
    const first = await logged(() =>
      handler(
        httpApiEvent({ path: '/checkout' }),
        lambdaContext({ memoryLimitInMB: '128', remainingMs: 1500 }),
      ),
    );
    const before = (await readMailbox(sesUrl)).filter((mail) => mail.subject.includes(marker));
    // A fresh invocation has the whole 2 s budget: the client (about 1.6 s at 7.2%) fits.
    const second = await logged(() =>
      handler(
        httpApiEvent({ path: '/health' }),
        lambdaContext({ memoryLimitInMB: '128', remainingMs: 3000 }),
      ),
    );

    expect(first.outcome).toBe(failure);
    expect(first.records).toMatchObject([
      {
        level: 'ERROR',
        message: 'error mail not sent',
        retry: 'with the next invocation of this container',
        report: expect.stringContaining('checkout failed late in the invocation'),
      },
    ]);
    expect(String(first.records[0]?.reason)).toMatch(
      /^NotInTimeError: loading the SES client was not started: it takes about 1590 ms at 7\.2% of a vCPU, and \d+ ms of the send budget were left; a later send takes it$/,
    );
    expect(before).toEqual([]);
    expect(second.outcome).toBe(result);
    expect(second.records).toMatchObject([{ level: 'INFO', message: 'late error mail sent', attempts: 2 }]);
    const [mail] = await mailsMarked(sesUrl, marker);
    expect(mail?.subject).toBe(`[${marker}] ERROR (EXTERNAL IP): Internal Server Error: /checkout`);
    expect(mail?.body.text).toMatch(
      /Sent late: this happened at \S+Z, and the mail could not be sent then \(NotInTimeError: loading the SES client was not started/,
    );
  });
});
