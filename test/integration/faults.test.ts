import { describe, expect, it } from 'vitest';
import { type LogRecord, withErrorMail } from '../../src/index.js';
import { httpApiEvent, lambdaContext } from '../helpers/events.js';
import { mailEnv } from '../helpers/recording-transport.js';
import { useFaultySes } from '../helpers/use-faulty-ses.js';

// The real SES client against a stand-in that misbehaves on demand. The client is created once per
// container (here: per test file), at the first send, from AWS_ENDPOINT_URL_SES.
const ses = useFaultySes();

// A 1 s send budget and an invocation with 1.8 s left: the budget, not the deadline, is the bound.
const BUDGET_MS = 1000;
const REMAINING_MS = 1800;

async function invoke(path: string) {
  const logs: LogRecord[] = [];
  const failure = new Error(`failed at ${path}`);
  const handler = withErrorMail(
    async () => {
      throw failure;
    },
    { env: mailEnv({ ERROR_MAIL_SEND_BUDGET_MS: String(BUDGET_MS) }), log: (r) => logs.push(r) },
  );
  const started = Date.now();
  const caught = await handler(httpApiEvent({ path }), lambdaContext({ remainingMs: REMAINING_MS })).catch(
    (e: unknown) => e,
  );
  return { caught, failure, logs, elapsed: Date.now() - started };
}

describe('SES faults', () => {
  it('delivers when SES answers at once', async () => {
    ses.behave('ok');

    const { caught, failure, logs, elapsed } = await invoke('/ok');

    expect(caught).toBe(failure);
    expect(logs).toEqual([]);
    expect(ses.received).toHaveLength(1);
    expect(ses.received[0]).toContain('Subject: [shop] ERROR (EXTERNAL IP): Internal Server Error: /ok');
    expect(elapsed).toBeLessThan(REMAINING_MS);
  });

  it.each([
    ['throttles once, then accepts', ['throttle', 'ok']],
    // The SDK's own back-off (from 500 ms for throttling) did not fit two of these in the budget.
    ['throttles twice, then accepts', ['throttle', 'throttle', 'ok']],
    ['answers 500 once, then accepts', ['500', 'ok']],
    ['answers 500 twice, then accepts', ['500', '500', 'ok']],
    ['resets the connection once, then accepts', ['reset', 'ok']],
    ['answers after 300 ms', ['slow:300']],
  ])('delivers within the budget when SES %s', async (_what, behaviours) => {
    ses.behave(...behaviours);

    const { caught, failure, logs, elapsed } = await invoke(`/recover-${behaviours.join('-')}`);

    expect(caught).toBe(failure);
    expect(logs).toEqual([]);
    expect(ses.received).toHaveLength(1);
    expect(ses.requests).toHaveLength(behaviours.length);
    expect(elapsed).toBeLessThan(REMAINING_MS);
  });

  it.each([
    ['never answers', ['hang'], /budget/, 1],
    ['answers after the budget', ['slow:5000'], /budget/, 1],
    ['throttles every attempt', ['throttle'], /Throttling/, 3],
    ['answers 500 every attempt', ['500'], /InternalFailure/, 3],
  ])(
    'gives up within the budget when SES %s, logs it, and keeps the original error',
    async (_what, behaviours, reason, attempts) => {
      ses.behave(...behaviours);

      const { caught, failure, logs, elapsed } = await invoke(`/fail-${behaviours.join('-')}`);

      expect(caught).toBe(failure);
      expect(ses.received).toEqual([]);
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatchObject({
        level: 'ERROR',
        message: 'error mail not sent',
        fingerprint: expect.any(String),
      });
      expect(String(logs[0]?.reason)).toMatch(reason);
      expect(ses.requests).toHaveLength(attempts);
      expect(elapsed).toBeLessThan(REMAINING_MS);
    },
  );

  it('says which setting to fix when SES rejects an unverified sender, without retrying', async () => {
    ses.behave('unverified');

    const { caught, failure, logs } = await invoke('/unverified');

    expect(caught).toBe(failure);
    expect(ses.requests).toHaveLength(1);
    expect(logs[0]).toMatchObject({ code: 'MessageRejected' });
    expect(String(logs[0]?.reason)).toContain(
      'SERVER_EMAIL errors@example.com is not a verified SES identity in this region',
    );
  });
});

describe('the timeout warning through SES', () => {
  it('is delivered before the deadline, while the handler is still running', async () => {
    ses.behave('ok');
    const remaining = 1500;
    const result = { statusCode: 200 };
    const handler = withErrorMail(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 1300));
        return result;
      },
      { env: mailEnv({ ERROR_MAIL_TIMEOUT_WARNING_MS: '500' }) },
    );
    const deadline = Date.now() + remaining;

    const returned = await handler(
      httpApiEvent({ path: '/slow' }),
      lambdaContext({ remainingMs: remaining }),
    );

    expect(returned).toBe(result);
    expect(ses.received).toHaveLength(1);
    expect(ses.received[0]).toContain('Subject: [shop] WARNING (EXTERNAL IP): Possible timeout: /slow');
    // The stand-in answers at once: the request's arrival is the send's completion.
    expect(ses.requests[0]?.at).toBeLessThan(deadline);
  });
});
