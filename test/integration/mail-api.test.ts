import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import middy from '@middy/core';
import { describe, expect, inject, it } from 'vitest';
import {
  errorMail,
  type LogRecord,
  mailAdmins,
  mailManagers,
  reportError,
  withErrorMail,
} from '../../src/index.js';
import { lambdaContext } from '../helpers/context.js';
import { httpApiEvent } from '../helpers/events.js';
import { mailsMarked, readMailbox } from '../helpers/local-ses.js';
import { mailEnv } from '../helpers/recording-transport.js';

// The real SES client, pointed at the emulator only by AWS_ENDPOINT_URL_SES (test/helpers/setup.ts).
const sesUrl = inject('sesUrl');

/** Settings whose subject prefix carries `marker`, what the mailbox is searched by. */
function envFor(marker: string, extra: Record<string, string> = {}): Record<string, string> {
  return mailEnv({ EMAIL_SUBJECT_PREFIX: `[${marker}] `, ...extra });
}

/** The mails marked `marker` in the mailbox now, without waiting for more. */
async function markedNow(marker: string) {
  return (await readMailbox(sesUrl)).filter((mail) => mail.subject.includes(marker));
}

describe('mailAdmins and mailManagers through the real SES client', () => {
  it('mails every admin in one message, From SERVER_EMAIL, with the prefix and the HTML part', async () => {
    const marker = randomUUID();

    await mailAdmins('Nightly import', 'Imported 52 rows; 3 skipped.\n', {
      html: '<p>Imported <b>52</b> rows; 3 skipped.</p>',
      env: envFor(marker),
    });

    const mails = await markedNow(marker);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe(`[${marker}] Nightly import`);
    expect(mail.from).toBe('errors@example.com');
    expect(mail.destination.to).toEqual(['ops@example.com, "Ng, Mary" <mary@example.com>']);
    expect(mail.body.text).toBe('Imported 52 rows; 3 skipped.\n');
    expect(mail.body.html).toBe('<p>Imported <b>52</b> rows; 3 skipped.</p>');
  });

  it('mails MANAGERS, not ADMINS, with a text part only when no HTML is given', async () => {
    const marker = randomUUID();

    await mailManagers('New sign-up', 'ada@example.org signed up.', { env: envFor(marker) });

    const mails = await markedNow(marker);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`[${marker}] New sign-up`);
    expect(mails[0]!.destination.to).toEqual(['content@example.com']);
    // The emulator stores a text-only body with a final line break.
    expect(mails[0]!.body.text).toMatch(/^ada@example\.org signed up\.\n?$/);
    expect(mails[0]!.body.html).toBeUndefined();
  });

  it('sends nothing to an empty list, and the other list still gets its mail', async () => {
    const marker = randomUUID();
    const env = envFor(marker, { ADMINS: '' });

    await mailAdmins('To nobody', 'never sent', { env });
    await mailManagers('To the managers', 'sent', { env });

    const mails = await markedNow(marker);
    expect(mails.map((mail) => mail.subject)).toEqual([`[${marker}] To the managers`]);
  });

  it('mails even with DEBUG=true, as Django does, while reportError sends nothing then', async () => {
    const marker = randomUUID();
    const env = envFor(marker, { DEBUG: 'true' });

    await reportError(new Error('not mailed with DEBUG'), { env });
    await mailAdmins('Sent with DEBUG', 'mail_admins ignores DEBUG', { env });

    const mails = await markedNow(marker);
    expect(mails.map((mail) => mail.subject)).toEqual([`[${marker}] Sent with DEBUG`]);
  });

  it('escapes a line break in the subject instead of sending it raw', async () => {
    const marker = randomUUID();

    await mailAdmins('Import\r\nBcc: attacker@example.net', 'body', { env: envFor(marker) });

    const mails = await markedNow(marker);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`[${marker}] Import\\r\\nBcc: attacker@example.net`);
    expect(mails[0]!.destination.bcc).toEqual([]);
  });
});

describe('reportError through the real SES client', () => {
  it('mails ADMINS a handled-error report with the request, outside any wrapper', async () => {
    const marker = randomUUID();
    const error = new TypeError('card declined by the bank');

    await reportError(error, {
      event: httpApiEvent({ path: '/orders/42', headers: { authorization: 'Bearer abc.def.ghi' } }),
      context: lambdaContext(),
      env: envFor(marker),
    });

    const mails = await markedNow(marker);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe(`[${marker}] ERROR (EXTERNAL IP): Handled error: /orders/42`);
    expect(mail.destination.to).toEqual(['ops@example.com, "Ng, Mary" <mary@example.com>']);
    expect(mail.body.text).toMatch(
      /^Handled error: \/orders\/42\n\nTypeError at \/orders\/42\ncard declined/,
    );
    expect(mail.body.text).toContain('Request URL: https://api.example.com/orders/42');
    expect(mail.body.text).not.toContain('abc.def.ghi');
    expect(mail.body.html).toContain('TypeError at /orders/42');
  });

  it('names the function and the event source in the subject when there is no HTTP request', async () => {
    const marker = randomUUID();

    await reportError(new RangeError('quantity out of range'), {
      context: lambdaContext(),
      env: envFor(marker),
    });

    const mails = await markedNow(marker);
    expect(mails.map((mail) => mail.subject)).toEqual([
      `[${marker}] ERROR: Handled error: RangeError in shop-prod-api (Direct invocation)`,
    ]);
  });

  it('names the queue of an SQS event in the subject', async () => {
    const marker = randomUUID();
    const event = JSON.parse(readFileSync('events/sqs.json', 'utf8')) as unknown;

    await reportError(new RangeError('quantity out of range'), {
      event,
      context: lambdaContext(),
      env: envFor(marker),
    });

    const mails = await markedNow(marker);
    expect(mails.map((mail) => mail.subject)).toEqual([
      `[${marker}] ERROR: Handled error: RangeError in shop-prod-api (SQS orders-queue)`,
    ]);
    expect(mails[0]!.body.text).toMatch(/^Handled error: RangeError in shop-prod-api \(SQS orders-queue\)\n/);
  });

  it('sends one mail inside withErrorMail when the reported error is rethrown, and the caller gets it', async () => {
    const marker = randomUUID();
    const env = envFor(marker);
    const failure = new Error('payment service down');
    const handler = withErrorMail(
      async (event: unknown, context: unknown) => {
        await reportError(failure, { event, context, env });
        throw failure;
      },
      { env },
    );

    const caught = await handler(httpApiEvent({ path: '/pay' }), lambdaContext()).catch((e: unknown) => e);

    expect(caught).toBe(failure);
    const mails = await markedNow(marker);
    expect(mails.map((mail) => mail.subject)).toEqual([
      `[${marker}] ERROR (EXTERNAL IP): Handled error: /pay`,
    ]);
  });

  it('sends one mail under middy when the reported error is rethrown, and the caller gets it', async () => {
    const marker = randomUUID();
    const env = envFor(marker);
    const failure = new Error('payment service down');
    const handler = middy(async (event: unknown, context: unknown) => {
      void reportError(failure, { event, context, env });
      throw failure;
    }).use(errorMail({ env }));

    const caught = await handler(httpApiEvent({ path: '/pay' }), lambdaContext()).catch((e: unknown) => e);

    expect(caught).toBe(failure);
    const mails = await markedNow(marker);
    expect(mails.map((mail) => mail.subject)).toEqual([
      `[${marker}] ERROR (EXTERNAL IP): Handled error: /pay`,
    ]);
  });

  it('leaves the rethrown error to the wrapper when reportError’s own settings mail nobody', async () => {
    const marker = randomUUID();
    const env = envFor(marker);
    const failure = new Error('payment service down');
    const handler = withErrorMail(
      async (event: unknown, context: unknown) => {
        await reportError(failure, { event, context, env: { ...env, ADMINS: '' } });
        throw failure;
      },
      { env },
    );

    const caught = await handler(httpApiEvent({ path: '/pay' }), lambdaContext()).catch((e: unknown) => e);

    expect(caught).toBe(failure);
    const mails = await markedNow(marker);
    expect(mails.map((mail) => mail.subject)).toEqual([
      `[${marker}] ERROR (EXTERNAL IP): Internal Server Error: /pay`,
    ]);
  });

  it('still mails another error that escapes after a reported one', async () => {
    const marker = randomUUID();
    const env = envFor(marker);
    const later = new Error('the retry failed too');
    const handler = withErrorMail(
      async (event: unknown, context: unknown) => {
        void reportError(new Error('first attempt failed'), { event, context, env });
        throw later;
      },
      { env },
    );

    const caught = await handler(httpApiEvent({ path: '/retry' }), lambdaContext()).catch((e: unknown) => e);

    expect(caught).toBe(later);
    const subjects = (await markedNow(marker)).map((mail) => mail.subject).sort();
    expect(subjects).toEqual([
      `[${marker}] ERROR (EXTERNAL IP): Handled error: /retry`,
      `[${marker}] ERROR (EXTERNAL IP): Internal Server Error: /retry`,
    ]);
  });

  it('sends one mail when the handler reports the error and returns a 500 itself', async () => {
    const marker = randomUUID();
    const env = envFor(marker);
    const result = { statusCode: 500, body: 'Sorry' };
    const handler = withErrorMail(
      async (event: unknown, context: unknown) => {
        void reportError(new Error('inventory lookup failed'), { event, context, env });
        return result;
      },
      { env },
    );

    const returned = await handler(httpApiEvent({ path: '/stock' }), lambdaContext());

    expect(returned).toBe(result);
    const mails = await markedNow(marker);
    expect(mails.map((mail) => mail.subject)).toEqual([
      `[${marker}] ERROR (EXTERNAL IP): Handled error: /stock`,
    ]);
  });

  it.each([
    [
      'withErrorMail',
      (base: (event: unknown, context: unknown) => Promise<unknown>, env: Record<string, string>) =>
        withErrorMail(base, { env }),
    ],
    [
      'errorMail()',
      (base: (event: unknown, context: unknown) => Promise<unknown>, env: Record<string, string>) =>
        middy(base).use(errorMail({ env })) as unknown as (
          event: unknown,
          context: unknown,
        ) => Promise<unknown>,
    ],
  ])(
    'has the mail sent before %s settles, though the handler did not await reportError',
    async (_name, wrap) => {
      const marker = randomUUID();
      const env = envFor(marker);
      const result = { statusCode: 200, body: 'ok' };
      const handler = wrap(async (event, context) => {
        void reportError(new Error('cache refresh failed'), { event, context, env });
        return result;
      }, env);

      const returned = await handler(httpApiEvent({ path: '/home' }), lambdaContext());
      const mails = await markedNow(marker);

      expect(returned).toBe(result);
      expect(mails.map((mail) => mail.subject)).toEqual([
        `[${marker}] ERROR (EXTERNAL IP): Handled error: /home`,
      ]);
    },
  );

  it('holds back repeats of the same handled error by flood control, and logs it once', async () => {
    const marker = randomUUID();
    const logs: LogRecord[] = [];
    const options = { env: envFor(marker), log: (record: LogRecord) => logs.push(record) };
    const event = httpApiEvent({ path: '/feed' });
    const failing = () => new Error('feed parser choked');

    for (let i = 0; i < 3; i++) {
      await reportError(failing(), { ...options, event, context: lambdaContext() });
    }

    const mails = await mailsMarked(sesUrl, marker);
    expect(mails.map((mail) => mail.subject)).toEqual([
      `[${marker}] ERROR (EXTERNAL IP): Handled error: /feed`,
    ]);
    expect(logs.map((record) => record.message)).toEqual(['error mail held back by flood control']);
    expect(logs[0]).toMatchObject({ rule: 'ERROR_MAIL_THROTTLE_SECONDS' });
  });
});
