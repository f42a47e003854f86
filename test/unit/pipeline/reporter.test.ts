import { describe, expect, it } from 'vitest';
import type { Deduper, Transport } from '../../../src/core/ports.js';
import { httpApiEvent } from '../../helpers/events.js';
import { type FakeReporterOptions, fakeReporter } from '../../helpers/fake-reporter.js';
import { hangingTransport, recordingTransport } from '../../helpers/recording-transport.js';

// The reporter alone, every port faked: no real clock, timer or random number is read.
function reporter(overrides: Partial<FakeReporterOptions> = {}) {
  const transport = recordingTransport();
  const { reporter: created, time, logs } = fakeReporter({ transport, ...overrides });
  const invocation = (remainingMs = 10_000) => ({
    event: httpApiEvent({ path: '/orders' }),
    context: time.context(remainingMs, { functionName: 'shop-api' }),
    startedAt: time.clock(),
    coldStart: false,
  });
  return { reporter: created, time, logs, transport, invocation };
}

const thrown = { kind: 'threw', error: new TypeError('boom') } as const;

describe('createReporter', () => {
  it('names the Node.js version it is handed, not the one it runs on', async () => {
    const { reporter: r, transport, invocation } = reporter();

    await r.report(thrown, invocation());

    expect(transport.mails[0]?.text).toContain('Node.js Version: v24.0.0-test\n');
    expect(transport.mails[0]?.html).toContain('v24.0.0-test');
  });

  it('dates the report by the clock it is handed', async () => {
    const { reporter: r, transport, invocation } = reporter();

    await r.report(thrown, invocation());

    expect(transport.mails[0]?.text).toContain('Server time: 2026-12-01T09:00:00.000Z\n');
  });

  it('draws the Message-ID from the random numbers it is handed, one thread per fingerprint', async () => {
    const { reporter: r, transport, invocation, time } = reporter();

    const first = await r.report(thrown, invocation());
    await time.advance(301_000);
    await r.report(thrown, invocation());

    const fingerprint = first.status === 'sent' ? first.fingerprint : 'none';
    const unique = `${Math.floor(0.25 * 2 ** 32).toString(36)}${Math.floor(0.5 * 2 ** 32).toString(36)}`;
    expect(transport.mails.map((mail) => mail.messageId)).toEqual([
      `<${fingerprint}.0.${unique}@lambda-error-mail>`,
      `<${fingerprint}.1.${unique}@lambda-error-mail>`,
    ]);
    expect(transport.mails[1]?.references).toBe(`<${fingerprint}@lambda-error-mail>`);
  });

  it('holds a repeat back within the throttle window of its clock, and tells of it in the next mail', async () => {
    const { reporter: r, transport, invocation, time } = reporter();

    await r.report(thrown, invocation());
    const held = await r.report(thrown, invocation());
    await time.advance(300_000);
    await r.report(thrown, invocation());

    expect(held).toMatchObject({ status: 'skipped', reason: { code: 'throttled' } });
    expect(transport.mails).toHaveLength(2);
    expect(transport.mails[1]?.text).toContain(
      'This error happened once since 2026-12-01T09:00:00.000Z without a mail',
    );
  });

  it('gives up when the send outlasts its budget on the timer it is handed, and logs why', async () => {
    const transport: Transport = hangingTransport();
    const {
      reporter: r,
      logs,
      invocation,
      time,
    } = reporter({ transport, env: { ERROR_MAIL_SEND_BUDGET_MS: '800' } });

    const delivery = r.report(thrown, invocation());
    await time.advance(799);
    const early = logs.length;
    await time.advance(1);

    expect(early).toBe(0);
    expect(await delivery).toMatchObject({
      status: 'failed',
      reason: 'Error: send took longer than its 800 ms budget',
    });
    expect(logs).toMatchObject([
      { level: 'ERROR', message: 'error mail not sent', requestId: expect.any(String) },
    ]);
  });

  it('keeps the budget inside the invocation: 300 ms before its deadline', async () => {
    const transport: Transport = hangingTransport();
    const { reporter: r, invocation, time } = reporter({ transport });

    const delivery = r.report(thrown, invocation(1000));
    await time.advance(700);

    expect(await delivery).toMatchObject({ reason: 'Error: send took longer than its 700 ms budget' });
  });

  it('mails once per invocation, whatever the number of reports asked for it', async () => {
    const { reporter: r, transport, invocation } = reporter();
    const one = invocation();

    await r.report(thrown, one);
    const again = await r.report({ kind: 'returned', result: { statusCode: 500 } }, one);

    expect(again).toMatchObject({ status: 'skipped', reason: { code: 'already-reported' } });
    expect(transport.mails).toHaveLength(1);
  });

  it('lets another container mail when the deduper says it claimed the fingerprint first', async () => {
    const claims: [string, number, number][] = [];
    const deduper: Deduper = {
      async claim(fingerprint, start, end) {
        claims.push([fingerprint, start, end]);
        return false;
      },
    };
    const { reporter: r, transport, invocation, time } = reporter({ deduper });

    const delivery = await r.report(thrown, invocation());

    const window = 300_000;
    const start = Math.floor(time.clock() / window) * window;
    expect(delivery).toMatchObject({ status: 'skipped', reason: { code: 'mailed-elsewhere' } });
    expect(claims).toEqual([[expect.any(String), start, start + window]]);
    expect(transport.mails).toEqual([]);
  });
});

describe('an error handed to reportError', () => {
  const handled = (error: unknown) => ({ kind: 'threw', error, handled: true }) as const;

  it('mails ADMINS a report whose subject and first line say it was handled, whatever status it carries', async () => {
    const { reporter: r, transport, invocation } = reporter();
    const error = Object.assign(new Error('not found upstream'), { statusCode: 404 });

    await r.report(handled(error), invocation());

    expect(transport.mails.map((mail) => mail.subject)).toEqual([
      '[shop] ERROR (EXTERNAL IP): Handled error: /orders',
    ]);
    expect(transport.mails[0]?.to).toEqual(['ops@example.com', '"Ng, Mary" <mary@example.com>']);
    expect(transport.mails[0]?.text).toMatch(
      /^Handled error: \/orders\n\nError at \/orders\nnot found upstream\n/,
    );
  });

  it('does not claim the invocation: an error that escapes it later is still mailed', async () => {
    const { reporter: r, transport, invocation } = reporter();
    const current = invocation();

    await r.report(handled(new RangeError('first')), current);
    await r.report(handled(new TypeError('second')), current);
    await r.report(thrown, current);

    expect(transport.mails.map((mail) => mail.subject)).toEqual([
      '[shop] ERROR (EXTERNAL IP): Handled error: /orders',
      '[shop] ERROR (EXTERNAL IP): Handled error: /orders',
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /orders',
    ]);
  });

  it('keeps the wrapper from mailing a failure it was told reportError reported, and claims the invocation', async () => {
    const { reporter: r, transport, invocation } = reporter({ handled: () => true });
    const current = invocation();

    const skipped = await r.report(thrown, current);
    const again = await r.report({ kind: 'returned', result: { statusCode: 500 } }, current);

    expect(skipped).toEqual({ status: 'skipped', reason: { code: 'already-reported' } });
    expect(again).toEqual({ status: 'skipped', reason: { code: 'already-reported' } });
    expect(transport.mails).toEqual([]);
  });

  it('still mails a broken link of an invocation that reported a handled error', async () => {
    const { reporter: r, transport, time } = reporter({ handled: () => true });

    await r.report(
      { kind: 'returned', result: { statusCode: 404 } },
      {
        event: httpApiEvent({ path: '/gone', headers: { referer: 'https://api.example.com/home' } }),
        context: time.context(10_000),
        startedAt: time.clock(),
        coldStart: false,
      },
    );

    expect(transport.mails.map((mail) => mail.subject)).toEqual([
      '[shop] Broken INTERNAL link on api.example.com',
    ]);
  });
});
