import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../../helpers/fast-check.js';
import middy from '@middy/core';
import { createTimeoutWatcher, type TimeoutOutcome } from '../../../src/adapters/timeout-watch.js';
import { errorMail, withErrorMail } from '../../../src/index.js';
import { httpApiEvent, lambdaContext } from '../../helpers/events.js';
import { type ManualTime, manualTime } from '../../helpers/fake-ports.js';
import { mailEnv, recordingTransport } from '../../helpers/recording-transport.js';

// One function's invocations, as Lambda runs them: every one with the same timeout, starting one after
// another or overlapping. The shared warning timer reads no clock for an invocation that starts while it
// is armed; whatever the schedule, each invocation still running WARNING_MS before its deadline must be
// warned exactly then, and no other.
const TIMEOUT_MS = 1000;
const WARNING_MS = 300;
const DUE_AFTER_MS = TIMEOUT_MS - WARNING_MS;

interface Invocation {
  /** Milliseconds after the previous invocation started. */
  readonly gap: number;
  /** How long the handler runs; never within 2 ms of the due time, where the outcome is a race. */
  readonly runs: number;
}

const invocation: fc.Arbitrary<Invocation> = fc.record({
  gap: fc.integer({ min: 0, max: 900 }),
  runs: fc.oneof(
    fc.integer({ min: 0, max: DUE_AFTER_MS - 3 }),
    fc.integer({ min: DUE_AFTER_MS + 3, max: 1400 }),
  ),
});

afterEach(() => {
  vi.useRealTimers();
});

/** Loads the report path once with real timers, as the first report of a container would. */
async function loadReporter(): Promise<void> {
  await withErrorMail(
    async () => {
      throw new Error('load the reporter');
    },
    { env: mailEnv(), transport: recordingTransport() },
  )(httpApiEvent(), lambdaContext()).catch(() => undefined);
}

/**
 * Runs `plan` under fake timers: invocation i starts `gap` ms after the one before and runs `runs`
 * ms, on path `/i<i>-<runs>`, every one with TIMEOUT_MS left at its start; returns the mails.
 */
async function runSchedule(plan: readonly Invocation[], env: Record<string, string> = {}) {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  try {
    const transport = recordingTransport();
    const handler = withErrorMail(
      async (event: { rawPath: string }) => {
        const runs = Number(event.rawPath.split('-')[1]);
        await new Promise((resolve) => setTimeout(resolve, runs));
        return { statusCode: 200 };
      },
      {
        env: mailEnv({
          ERROR_MAIL_TIMEOUT_WARNING_MS: String(WARNING_MS),
          ERROR_MAIL_THROTTLE_SECONDS: '0',
          ERROR_MAIL_MAX_PER_MINUTE: '0',
          ...env,
        }),
        transport,
      },
    );
    const running: Promise<unknown>[] = [];
    for (const [i, { gap, runs }] of plan.entries()) {
      await vi.advanceTimersByTimeAsync(gap);
      running.push(
        handler(httpApiEvent({ path: `/i${i}-${runs}` }), lambdaContext({ remainingMs: TIMEOUT_MS })),
      );
    }
    await vi.advanceTimersByTimeAsync(3 * TIMEOUT_MS);
    await Promise.all(running);
    return transport.mails;
  } finally {
    vi.useRealTimers();
  }
}

/** The paths of the plan's invocations that run longer than `ms`, sorted. */
function longerThan(plan: readonly Invocation[], ms: number): string[] {
  return plan
    .map(({ runs }, i) => (runs > ms ? `/i${i}-${runs}` : undefined))
    .filter((path) => path !== undefined)
    .sort();
}

describe('the shared timeout-warning timer, over any schedule of one function', () => {
  it('warns each invocation still running when it is due, on time, and no other', async () => {
    await loadReporter();

    await fc.assert(
      fc.asyncProperty(fc.array(invocation, { minLength: 1, maxLength: 8 }), async (plan) => {
        const mails = await runSchedule(plan);

        const warned = mails.map((mail) => /Possible timeout: (\/\S+)/.exec(mail.subject)?.[1]).sort();
        expect(warned).toEqual(longerThan(plan, DUE_AFTER_MS));
        // On time: the timer also warns an invocation due within the next millisecond, since Date.now()
        // counts whole milliseconds and a timer may fire just before one ends.
        for (const mail of mails) {
          const before = Number(/timeout, (\d+) ms before the deadline\./.exec(mail.text)?.[1]);
          expect(before === WARNING_MS || before === WARNING_MS + 1, `${before} ms before the deadline`).toBe(
            true,
          );
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('with Lambda Managed Instances, where nothing stops an invocation at its deadline', () => {
  it('warns each invocation still running when due, says "Timed out" for each still running past its deadline, on time, and no other', async () => {
    await loadReporter();

    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            gap: fc.integer({ min: 0, max: 900 }),
            // Never within 3 ms of the warning or of the deadline, where the outcome is a race.
            runs: fc.oneof(
              fc.integer({ min: 0, max: DUE_AFTER_MS - 3 }),
              fc.integer({ min: DUE_AFTER_MS + 3, max: TIMEOUT_MS - 3 }),
              fc.integer({ min: TIMEOUT_MS + 3, max: 1600 }),
            ),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        async (plan) => {
          const mails = await runSchedule(plan, {
            AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances',
          });

          const subjects = (what: RegExp) =>
            mails
              .map((mail) => what.exec(mail.subject)?.[1])
              .filter((path) => path !== undefined)
              .sort();
          expect(subjects(/WARNING \(EXTERNAL IP\): Possible timeout: (\/\S+)/)).toEqual(
            longerThan(plan, DUE_AFTER_MS),
          );
          expect(subjects(/ERROR \(EXTERNAL IP\): Timed out: (\/\S+)/)).toEqual(longerThan(plan, TIMEOUT_MS));
          // On time: within the millisecond after the deadline (Date.now() counts whole milliseconds).
          for (const mail of mails.filter((m) => m.subject.includes('Timed out'))) {
            const past = Number(/: ([\d,]+) ms past the deadline/.exec(mail.text)?.[1]);
            expect(past === 1 || past === 2, `${past} ms past the deadline`).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('mails nothing more when the invocation that timed out fails afterwards; its caller still gets the error', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const transport = recordingTransport();
    const handler = withErrorMail(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS + 200));
        throw new Error('orders-db: socket closed after the deadline');
      },
      {
        env: mailEnv({
          AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances',
          ERROR_MAIL_TIMEOUT_WARNING_MS: String(WARNING_MS),
        }),
        transport,
      },
    );

    const caught = handler(httpApiEvent({ path: '/slow' }), lambdaContext({ remainingMs: TIMEOUT_MS })).catch(
      (error: Error) => error.message,
    );
    await vi.advanceTimersByTimeAsync(2 * TIMEOUT_MS);

    expect(await caught).toBe('orders-db: socket closed after the deadline');
    expect(transport.mails.map((mail) => mail.subject)).toEqual([
      '[shop] WARNING (EXTERNAL IP): Possible timeout: /slow',
      '[shop] ERROR (EXTERNAL IP): Timed out: /slow',
    ]);
    expect(transport.mails[1]?.text).toMatch(
      /Still running after 1,00\d ms, its timeout 1,000 ms: \d ms past the deadline, and nothing stops it/,
    );
  });

  it('says nothing at the deadline outside Managed Instances, where Lambda stops the invocation', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const transport = recordingTransport();
    const handler = withErrorMail(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS + 200));
        return { statusCode: 200 };
      },
      { env: mailEnv({ ERROR_MAIL_TIMEOUT_WARNING_MS: String(WARNING_MS) }), transport },
    );

    const done = handler(httpApiEvent({ path: '/slow' }), lambdaContext({ remainingMs: TIMEOUT_MS }));
    await vi.advanceTimersByTimeAsync(2 * TIMEOUT_MS);
    await done;

    expect(transport.mails.map((mail) => mail.subject)).toEqual([
      '[shop] WARNING (EXTERNAL IP): Possible timeout: /slow',
    ]);
  });
});

describe('createTimeoutWatcher, on a fake clock and timer', () => {
  function watcher(
    time: ManualTime,
    options: { enabled?: boolean; ended?: (owner: object) => boolean } = {},
  ) {
    const warned: { outcome: TimeoutOutcome; context: unknown }[] = [];
    const watch = createTimeoutWatcher({
      enabled: options.enabled ?? true,
      warningMs: WARNING_MS,
      clock: time.clock,
      timer: time.timer,
      warn: async (outcome, _event, context) => {
        warned.push({ outcome, context });
        return { status: 'skipped', reason: { code: 'debug' } };
      },
      ended: options.ended,
    });
    return { watch, warned };
  }

  it('warns once, WARNING_MS before the deadline, with the elapsed and remaining time', async () => {
    const time = manualTime();
    const { watch, warned } = watcher(time);
    const context = time.context(TIMEOUT_MS);

    const handle = watch.watch({}, context, time.clock());
    await time.advance(DUE_AFTER_MS - 1);
    const early = warned.length;
    await time.advance(TIMEOUT_MS);

    expect(early).toBe(0);
    expect(warned).toEqual([
      {
        outcome: { kind: 'timeout', elapsedMs: DUE_AFTER_MS, remainingMs: WARNING_MS, timeoutMs: TIMEOUT_MS },
        context,
      },
    ]);
    expect(handle === undefined ? undefined : await watch.unwatch(handle)).toMatchObject({
      status: 'skipped',
    });
  });

  it('never warns for an invocation unwatched before it is due, and hands back no pending warning', async () => {
    const time = manualTime();
    const { watch, warned } = watcher(time);

    const handle = watch.watch({}, time.context(TIMEOUT_MS), time.clock());
    await time.advance(DUE_AFTER_MS - 100);
    const pending = handle === undefined ? 'no handle' : watch.unwatch(handle);
    await time.advance(TIMEOUT_MS);

    expect(pending).toBeUndefined();
    expect(warned).toEqual([]);
  });

  it('arms one timer for a run of invocations that each end in time', async () => {
    const time = manualTime();
    const { watch, warned } = watcher(time);

    for (let i = 0; i < 50; i++) {
      const handle = watch.watch({}, time.context(TIMEOUT_MS), time.clock());
      await time.advance(10);
      if (handle !== undefined) watch.unwatch(handle);
    }
    await time.advance(2 * TIMEOUT_MS);

    expect(warned).toEqual([]);
    expect(time.timersSet()).toBeLessThanOrEqual(2);
    expect(time.pending()).toBe(0);
  });

  it('warns each of two overlapping invocations at its own time', async () => {
    const time = manualTime();
    const { watch, warned } = watcher(time);
    const first = time.context(TIMEOUT_MS, { awsRequestId: 'first' });

    watch.watch({}, first, time.clock());
    await time.advance(200);
    const second = time.context(TIMEOUT_MS, { awsRequestId: 'second' });
    watch.watch({}, second, time.clock());
    await time.advance(2 * TIMEOUT_MS);

    expect(warned.map(({ context, outcome }) => [context, outcome.elapsedMs])).toEqual([
      [first, DUE_AFTER_MS],
      [second, DUE_AFTER_MS],
    ]);
  });

  it('drops, without a warning, an invocation its adapter says has ended', async () => {
    const time = manualTime();
    const owner = { answered: false };
    const { watch, warned } = watcher(time, { ended: (o) => (o as typeof owner).answered });

    watch.watch({}, time.context(TIMEOUT_MS), time.clock(), owner);
    owner.answered = true;
    await time.advance(2 * TIMEOUT_MS);

    expect(warned).toEqual([]);
  });

  it('watches nothing when the warning is off', async () => {
    const time = manualTime();
    const { watch } = watcher(time, { enabled: false });

    expect(watch.watch({}, time.context(TIMEOUT_MS), time.clock())).toBeUndefined();
    expect(time.timersSet()).toBe(0);
  });

  it('watches nothing for a context without a clock, or with less than WARNING_MS left', () => {
    const time = manualTime();
    const { watch } = watcher(time);

    expect(watch.watch({}, { awsRequestId: 'no clock' }, time.clock())).toBeUndefined();
    expect(watch.watch({}, time.context(WARNING_MS), time.clock())).toBeUndefined();
    expect(time.timersSet()).toBe(0);
  });
});

describe("an invocation's start, found from its deadline instead of a clock read", () => {
  it.each([
    ['withErrorMail', false],
    ['errorMail() under middy', true],
  ] as const)(
    'is exact in every failure mail of %s, whatever the schedule: alone, overlapping, before and after the timeout is learned',
    async (_name, underMiddy) => {
      await loadReporter();
      // Failures that leave time for the mail (more than 300 ms before the deadline).
      const failing = fc.record({
        gap: fc.integer({ min: 0, max: 900 }),
        runs: fc.integer({ min: 0, max: 650 }),
      });

      await fc.assert(
        fc.asyncProperty(fc.array(failing, { minLength: 1, maxLength: 8 }), async (plan) => {
          vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
          try {
            const transport = recordingTransport();
            const base = async (event: { rawPath: string }) => {
              const runs = Number(event.rawPath.split('-')[1]);
              await new Promise((resolve) => setTimeout(resolve, runs));
              throw new Error(`failed after ${runs} ms`);
            };
            const options = {
              env: mailEnv({
                ERROR_MAIL_TIMEOUT_WARNING_MS: String(WARNING_MS),
                ERROR_MAIL_THROTTLE_SECONDS: '0',
                ERROR_MAIL_MAX_PER_MINUTE: '0',
              }),
              transport,
            };
            // middy's own early timeout off: its timer is not under the fake clock's control here.
            const handler = (
              underMiddy
                ? middy(base, { timeoutEarlyInMillis: 0 }).use(errorMail(options))
                : withErrorMail(base, options)
            ) as (event: unknown, context: unknown) => Promise<unknown>;
            const running: Promise<unknown>[] = [];
            for (const [i, { gap, runs }] of plan.entries()) {
              await vi.advanceTimersByTimeAsync(gap);
              const context = lambdaContext({ remainingMs: TIMEOUT_MS });
              running.push(handler(httpApiEvent({ path: `/i${i}-${runs}` }), context).catch(() => undefined));
            }
            await vi.advanceTimersByTimeAsync(3 * TIMEOUT_MS);
            await Promise.all(running);

            const failures = transport.mails.filter((mail) => mail.subject.includes('Internal Server Error'));
            expect(failures).toHaveLength(plan.length);
            for (const mail of failures) {
              const runs = Number(/Internal Server Error: \/i\d+-(\d+)/.exec(mail.subject)?.[1]);
              const duration = Number(/Duration so far\D*(\d+) ms/.exec(mail.text)?.[1]);
              expect(duration).toBe(runs);
            }
          } finally {
            vi.useRealTimers();
          }
        }),
        { numRuns: 40 },
      );
    },
  );

  it('learns the timeout from the longest time an invocation had left, so one that began early is outgrown', async () => {
    const time = manualTime();
    const watch = createTimeoutWatcher({
      enabled: true,
      warningMs: WARNING_MS,
      clock: time.clock,
      timer: time.timer,
      warn: async () => ({ status: 'skipped', reason: { code: 'debug' } }),
    });

    // Not known yet: the start is now.
    expect(watch.startOf(time.context(TIMEOUT_MS), time.clock())).toBe(time.clock());
    // The container's first invocation had 400 ms taken before it reached the wrapper (an
    // initialisation that ran into it): the timeout looks 600 ms long.
    watch.unwatch(watch.watch({}, time.context(TIMEOUT_MS - 400), time.clock()) as number);
    const begun = time.clock();
    const later = time.context(TIMEOUT_MS);
    await time.advance(500);
    // Until then a later invocation's start is found 400 ms late (never later than now).
    expect(watch.startOf(later, time.clock())).toBe(begun + 400);
    // Once the timer has fired and idled, the next invocation arms it again and shows the whole timeout.
    await time.advance(TIMEOUT_MS);
    const next = time.context(TIMEOUT_MS);
    const started = time.clock();
    watch.unwatch(watch.watch({}, next, started) as number);
    await time.advance(100);
    expect(watch.startOf(next, time.clock())).toBe(started);
    expect(watch.startOf({ awsRequestId: 'no clock' }, time.clock())).toBe(time.clock());
  });

  it.each([
    [
      'withErrorMail',
      (transport: ReturnType<typeof recordingTransport>) =>
        withErrorMail(async () => ({ statusCode: 200 }), { env: mailEnv(), transport }),
    ],
    [
      'errorMail() under middy',
      (transport: ReturnType<typeof recordingTransport>) =>
        middy(async () => ({ statusCode: 200 })).use(errorMail({ env: mailEnv(), transport })),
    ],
  ] as const)(
    '%s reads no clock for a successful invocation once the timeout is known',
    async (name, make) => {
      const transport = recordingTransport();
      const handler = make(transport) as (event: unknown, context: unknown) => Promise<unknown>;
      await handler(httpApiEvent(), lambdaContext());
      const contexts = Array.from({ length: 20 }, () => lambdaContext());

      const now = vi.spyOn(Date, 'now');
      try {
        for (const context of contexts) await handler(httpApiEvent(), context);
        // middy itself reads the time left once per invocation (its timeoutEarlyInMillis); nothing else does.
        const middyReads = name === 'withErrorMail' ? 0 : contexts.length;
        expect(now).toHaveBeenCalledTimes(middyReads);
      } finally {
        now.mockRestore();
      }
      expect(transport.mails).toEqual([]);
    },
  );
});
