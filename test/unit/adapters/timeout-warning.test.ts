import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import middy from '@middy/core';
import middy5 from 'middy-core-5';
import middy6 from 'middy-core-6';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { errorMail, withErrorMail } from '../../../src/index.js';
import { clocklessContext, lambdaContext } from '../../helpers/context.js';
import { httpApiEvent } from '../../helpers/events.js';
import { loadReportPath, useFakeTime } from '../../helpers/fake-time.js';
import { mailEnv, recordingTransport } from '../../helpers/recording-transport.js';

// Under fake time a sleep ends when vi.advanceTimersByTimeAsync moves the clock past it.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const run = promisify(execFile);

beforeAll(loadReportPath);

/**
 * Runs one 250 ms invocation with 600 ms left: a warning at the default 500 ms ahead would be due
 * after 100 ms, while it still runs. Returns what the caller got, the mail, and how often the
 * wrapper asked the invocation for its remaining time.
 */
async function slowInvocation(extra: Record<string, string>) {
  const transport = recordingTransport();
  const result = { statusCode: 200 };
  const handler = withErrorMail(
    async () => {
      await sleep(250);
      return result;
    },
    { env: mailEnv(extra), transport },
  );
  const context = lambdaContext({ remainingMs: 600 });
  const clock = vi.spyOn(context, 'getRemainingTimeInMillis');

  const returned = handler(httpApiEvent({ path: '/slow' }), context);
  await vi.advanceTimersByTimeAsync(250);

  return { result, returned: await returned, mails: transport.mails, clockReads: clock.mock.calls.length };
}

describe('the timeout warning', () => {
  useFakeTime();

  it('mails ADMINS once when the invocation is still running ERROR_MAIL_TIMEOUT_WARNING_MS before its deadline', async () => {
    const transport = recordingTransport();
    const result = { statusCode: 200 };
    const handler = withErrorMail(
      async () => {
        await sleep(450);
        return result;
      },
      { env: mailEnv({ ERROR_MAIL_TIMEOUT_WARNING_MS: '300' }), transport },
    );

    const returned = handler(httpApiEvent({ path: '/slow' }), lambdaContext({ remainingMs: 500 }));
    await vi.advanceTimersByTimeAsync(450);

    expect(await returned).toBe(result);
    expect(transport.mails.map((m) => m.subject)).toEqual([
      '[shop] WARNING (EXTERNAL IP): Possible timeout: /slow',
    ]);
    expect(transport.mails[0]?.text).toMatch(
      /^Possible timeout: \/slow\n\nPossible timeout at \/slow\nStill running after 200 ms of its 1,000 ms timeout, 300 ms before the deadline\./,
    );
    expect(transport.mails[0]?.text).toContain(
      'Traceback: None (the invocation was still running; nothing had been thrown yet)',
    );
  });

  it('never fires for a fast handler, on success or on a throw', async () => {
    const transport = recordingTransport();
    const result = { statusCode: 200 };
    const failure = new Error('fast failure');
    const ok = withErrorMail(async () => result, { env: mailEnv(), transport });
    const failing = withErrorMail(
      async () => {
        throw failure;
      },
      { env: mailEnv(), transport },
    );

    const returned = await ok(httpApiEvent({ path: '/fast' }), lambdaContext({ remainingMs: 600 }));
    const caught = await failing(
      httpApiEvent({ path: '/fast-fail' }),
      lambdaContext({ remainingMs: 600 }),
    ).catch((e: unknown) => e);
    // Both timers would have fired 100 ms after their start.
    await vi.advanceTimersByTimeAsync(300);

    expect(returned).toBe(result);
    expect(caught).toBe(failure);
    expect(transport.mails.map((m) => m.subject)).toEqual([
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /fast-fail',
    ]);
  });

  it('warns for a slow invocation that follows fast ones, and for each of two overlapping slow ones', async () => {
    const transport = recordingTransport();
    const handler = withErrorMail(
      async (event: { rawPath: string }) => {
        if (event.rawPath.startsWith('/slow')) await sleep(400);
        return { statusCode: 200 };
      },
      { env: mailEnv({ ERROR_MAIL_TIMEOUT_WARNING_MS: '300' }), transport },
    );

    // The fast ones arm the warning timer for earlier deadlines than the slow ones'.
    await handler(httpApiEvent({ path: '/fast-1' }), lambdaContext({ remainingMs: 450 }));
    await vi.advanceTimersByTimeAsync(50);
    await handler(httpApiEvent({ path: '/fast-2' }), lambdaContext({ remainingMs: 450 }));
    await vi.advanceTimersByTimeAsync(50);
    const slowA = handler(httpApiEvent({ path: '/slow-a' }), lambdaContext({ remainingMs: 500 }));
    await vi.advanceTimersByTimeAsync(60);
    const slowB = handler(httpApiEvent({ path: '/slow-b' }), lambdaContext({ remainingMs: 500 }));
    await vi.advanceTimersByTimeAsync(400);
    const returned = await Promise.all([slowA, slowB]);
    await vi.advanceTimersByTimeAsync(200);

    expect(returned).toEqual([{ statusCode: 200 }, { statusCode: 200 }]);
    expect(transport.mails.map((m) => m.subject).sort()).toEqual([
      '[shop] WARNING (EXTERNAL IP): Possible timeout: /slow-a',
      '[shop] WARNING (EXTERNAL IP): Possible timeout: /slow-b',
    ]);
  });

  it('warns on time for an invocation that starts while the timer waits for an earlier deadline', async () => {
    const transport = recordingTransport();
    const handler = withErrorMail(
      async (event: { rawPath: string }) => {
        if (event.rawPath === '/slow') await sleep(500);
        return { statusCode: 200 };
      },
      { env: mailEnv({ ERROR_MAIL_TIMEOUT_WARNING_MS: '300' }), transport },
    );

    // The fast one arms the shared timer for 150 ms from now; the slow one is due at 300 ms, so the
    // timer has to re-arm for it when it fires.
    await handler(httpApiEvent({ path: '/fast' }), lambdaContext({ remainingMs: 450 }));
    const slow = handler(httpApiEvent({ path: '/slow' }), lambdaContext({ remainingMs: 600 }));
    await vi.advanceTimersByTimeAsync(500);

    expect(await slow).toEqual({ statusCode: 200 });
    expect(transport.mails.map((m) => m.subject)).toEqual([
      '[shop] WARNING (EXTERNAL IP): Possible timeout: /slow',
    ]);
    const before = /Still running after \d+ ms of its 1,000 ms timeout, (\d+) ms before the deadline\./.exec(
      transport.mails[0]?.text ?? '',
    );
    // Due 300 ms before the deadline; a warning sent at the slow one's end would say 100.
    expect(Number(before?.[1])).toBe(300);
  });

  it('ignores an invocation whose context has no clock, even while the timer is armed', async () => {
    const transport = recordingTransport();
    const handler = withErrorMail(
      async (event: { rawPath: string }) => {
        if (event.rawPath === '/no-clock') await sleep(300);
        return { statusCode: 200 };
      },
      { env: mailEnv({ ERROR_MAIL_TIMEOUT_WARNING_MS: '300' }), transport },
    );

    await handler(httpApiEvent({ path: '/fast' }), lambdaContext({ remainingMs: 400 }));
    const returned = handler(httpApiEvent({ path: '/no-clock' }), clocklessContext());
    await vi.advanceTimersByTimeAsync(300);
    await expect(returned).resolves.toEqual({ statusCode: 200 });
    await vi.advanceTimersByTimeAsync(100);

    expect(transport.mails).toEqual([]);
  });

  it('works the same through the middy middleware', async () => {
    const transport = recordingTransport();
    const handler = middy(async () => {
      await sleep(300);
      return { statusCode: 200 };
    }).use(errorMail({ env: mailEnv({ ERROR_MAIL_TIMEOUT_WARNING_MS: '250' }), transport }));

    const returned = handler(httpApiEvent({ path: '/slow-middy' }), lambdaContext({ remainingMs: 400 }));
    await vi.advanceTimersByTimeAsync(300);
    await expect(returned).resolves.toEqual({ statusCode: 200 });
    await vi.advanceTimersByTimeAsync(200);

    expect(transport.mails.map((m) => m.subject)).toEqual([
      '[shop] WARNING (EXTERNAL IP): Possible timeout: /slow-middy',
    ]);
  });

  const majors = [
    ['middy 5', middy5],
    ['middy 6', middy6],
    ['middy 7', middy],
  ] as const;

  it.each(majors)(
    'never warns under %s for an invocation another middleware answered early, so ours never saw it end',
    async (_, middy) => {
      await earlyAnswerThenSlow(middy, false);
    },
  );

  it.each(majors)(
    'never warns under %s for an early-answered invocation once the timeout is known (its state kept off the request)',
    async (_, middy) => {
      await earlyAnswerThenSlow(middy, true);
    },
  );

  async function earlyAnswerThenSlow(middy: unknown, learned: boolean): Promise<void> {
    const transport = recordingTransport();
    // A warm-up middleware: its before returns a value, and middy returns it without running any after.
    const warmUp = {
      before: (request: { event: unknown }) =>
        (request.event as { warmup?: boolean }).warmup === true ? 'warm' : undefined,
    };
    // The three majors' types differ; what they share is what this test uses.
    type Chain = { use: (middleware: object) => Chain } & ((
      event: unknown,
      context: unknown,
    ) => Promise<unknown>);
    const handler = (middy as unknown as (base: (event: unknown) => Promise<unknown>) => Chain)(
      async (event) => {
        if ((event as { rawPath?: string }).rawPath !== '/first') await sleep(450);
        return { statusCode: 200 };
      },
    )
      .use(errorMail({ env: mailEnv({ ERROR_MAIL_TIMEOUT_WARNING_MS: '300' }), transport }))
      .use(warmUp);
    // A first invocation that ends teaches the watch the timeout; one after it reads no clock.
    if (learned) await handler(httpApiEvent({ path: '/first' }), lambdaContext({ remainingMs: 500 }));

    await expect(
      handler({ ...httpApiEvent({ path: '/warm-up' }), warmup: true }, lambdaContext({ remainingMs: 400 })),
    ).resolves.toBe('warm');
    // The warm-up's warning would be due 100 ms after it started; this one's 200 ms after it starts.
    const slow = handler(httpApiEvent({ path: '/slow' }), lambdaContext({ remainingMs: 500 }));
    await vi.advanceTimersByTimeAsync(450);
    await expect(slow).resolves.toEqual({ statusCode: 200 });
    await vi.advanceTimersByTimeAsync(100);

    expect(transport.mails.map((m) => m.subject)).toEqual([
      '[shop] WARNING (EXTERNAL IP): Possible timeout: /slow',
    ]);
  }

  // With DEBUG on the reporter sends nothing at all, so an empty mailbox cannot tell a warning that
  // was never armed from one that fired and was dropped; and a 0 ms warning would be due at the
  // deadline, after this handler's end. What shows that the warning is off is that the wrapper never
  // asks the invocation for its remaining time, which arming or firing a warning does first.
  it.each([
    ['ERROR_MAIL_TIMEOUT_WARNING_MS is 0', { ERROR_MAIL_TIMEOUT_WARNING_MS: '0' }],
    ['DEBUG is on', { DEBUG: 'true' }],
  ])('is off when %s: it never reads the invocation clock and mails nothing', async (_, extra) => {
    const { result, returned, mails, clockReads } = await slowInvocation(extra);

    expect(returned).toBe(result);
    expect(mails).toEqual([]);
    expect(clockReads).toBe(0);
  });

  it('warns 100 ms into the same invocation, having read its clock, when the warning is on and DEBUG is off', async () => {
    const { result, returned, mails, clockReads } = await slowInvocation({});

    expect(returned).toBe(result);
    expect(mails.map((m) => m.subject)).toEqual(['[shop] WARNING (EXTERNAL IP): Possible timeout: /slow']);
    expect(mails[0]?.text).toContain(
      'Still running after 100 ms of its 1,000 ms timeout, 500 ms before the deadline.',
    );
    expect(clockReads).toBeGreaterThan(0);
  });
});

describe('the timeout warning in a process of its own', () => {
  it('never keeps the process alive: a handler that never settles lets Node exit', async () => {
    const script = `
      const { withErrorMail } = await import('lambda-error-mail');
      const handler = withErrorMail(() => new Promise(() => {}), {
        env: { ADMINS: 'ops@example.com', SERVER_EMAIL: 'e@example.com' },
        transport: { async send() {} },
      });
      handler({}, { getRemainingTimeInMillis: () => 60000 });
    `;
    const started = Date.now();

    // With a timer holding the event loop, this would run for a minute (and hit the 20 s timeout).
    await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });

    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
