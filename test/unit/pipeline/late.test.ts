import { describe, expect, it } from 'vitest';
import type { Deduper, LogRecord, Transport } from '../../../src/core/ports.js';
import type { Mail } from '../../../src/core/render/mail.js';
import type { Report } from '../../../src/core/report/types.js';
import { KEPT_BOUNDS, MAX_ATTEMPTS } from '../../../src/pipeline/late.js';
import { httpApiEvent } from '../../helpers/events.js';
import { type FakeReporterOptions, fakeReporter } from '../../helpers/fake-reporter.js';

/** A transport that fails while `down` is true (keeping what it was handed), else delivers. */
function switchableTransport(failure: () => Error = () => new Error('SES is down')) {
  const delivered: Mail[] = [];
  const refused: Mail[] = [];
  const transport = {
    down: true,
    delivered,
    refused,
    async send(mail: Mail) {
      if (transport.down) {
        refused.push(mail);
        throw failure();
      }
      delivered.push(mail);
    },
  } satisfies Transport & Record<string, unknown>;
  return transport;
}

// The reporter alone, every port faked; `waiting` follows what it says about the reports kept.
function reporter(overrides: Partial<FakeReporterOptions> = {}) {
  const waiting: boolean[] = [];
  const transport = switchableTransport();
  const {
    reporter: created,
    time,
    logs,
  } = fakeReporter({
    transport,
    keptChanged: (any) => waiting.push(any),
    ...overrides,
  });
  const invocation = (path = '/orders', remainingMs = 10_000) => ({
    event: httpApiEvent({ path }),
    context: time.context(remainingMs, { functionName: 'shop-api', awsRequestId: `req-${path}` }),
    startedAt: time.clock(),
    coldStart: false,
  });
  return { reporter: created, time, logs, transport, invocation, waiting };
}

const thrown = (message = 'boom') => ({ kind: 'threw', error: new TypeError(message) }) as const;
const named = (logs: LogRecord[], message: string) => logs.filter((record) => record.message === message);

describe('a report whose send failed', () => {
  it('is logged in full, kept, and mailed marked as late with the next invocation', async () => {
    const { reporter: r, transport, logs, invocation, time, waiting } = reporter();

    const failed = await r.report(thrown(), invocation('/orders'));
    const [record] = logs;
    await time.advance(60_000);
    transport.down = false;
    await r.sendKept(time.context(10_000));

    expect(failed).toMatchObject({ status: 'failed', reason: 'Error: SES is down' });
    expect(record).toMatchObject({
      level: 'ERROR',
      message: 'error mail not sent',
      reason: 'Error: SES is down',
      subject: '[shop] ERROR (EXTERNAL IP): Internal Server Error: /orders',
      requestId: 'req-/orders',
      retry: 'with the next invocation of this container',
    });
    expect(record?.report).toBe(transport.refused[0]?.text);
    expect(transport.delivered).toHaveLength(1);
    const late = transport.delivered[0];
    const note =
      'Sent late: this happened at 2026-12-01T09:00:00.000Z, and the mail could not be sent then (Error: SES is down); it went out with a later invocation of this container.';
    expect(late?.text).toContain(`Internal Server Error: /orders\n\n${note}\n`);
    expect(late?.html).toContain(note);
    // The same mail as the one refused, threading headers included; only the note is new.
    expect(late?.messageId).toBe(transport.refused[0]?.messageId);
    expect(late?.text.replace(`${note}\n\n`, '')).toBe(transport.refused[0]?.text);
    expect(named(logs, 'late error mail sent')).toEqual([
      {
        level: 'INFO',
        message: 'late error mail sent',
        fingerprint: failed.status === 'failed' ? failed.fingerprint : '',
        subject: '[shop] ERROR (EXTERNAL IP): Internal Server Error: /orders',
        happenedAt: '2026-12-01T09:00:00.000Z',
        requestId: 'req-/orders',
        attempts: 2,
      },
    ]);
    // Kept, then taken out to be sent: nothing waits any more.
    expect(waiting).toEqual([true, false]);
  });

  it('marks a broken-link mail as late too', async () => {
    const { reporter: r, transport, time } = reporter();
    const broken = {
      event: httpApiEvent({ path: '/old', headers: { referer: 'https://shop.example.com/' } }),
      context: time.context(10_000),
      startedAt: time.clock(),
      coldStart: false,
    };

    await r.report({ kind: 'returned', result: { statusCode: 404 } }, broken);
    transport.down = false;
    await r.sendKept(time.context(10_000));

    expect(transport.delivered[0]?.text).toMatch(/^Sent late: this happened at 2026-12-01T09:00:00\.000Z, /);
    expect(transport.delivered[0]?.text).toContain('\n\nReferrer: https://shop.example.com/\n');
  });

  it('keeps at most 10 reports, dropping the oldest with a log line each', async () => {
    const {
      reporter: r,
      transport,
      logs,
      invocation,
      time,
    } = reporter({
      env: { ERROR_MAIL_MAX_PER_MINUTE: '0' },
    });

    for (let i = 0; i < KEPT_BOUNDS.maxReports + 2; i++) await r.report(thrown(), invocation(`/route-${i}`));
    transport.down = false;
    await r.sendKept(time.context(10_000));

    expect(named(logs, 'kept error mail dropped')).toMatchObject([
      {
        level: 'WARN',
        why: 'more than 10 reports waited to be sent; the oldest is let go',
        requestId: 'req-/route-0',
      },
      {
        level: 'WARN',
        why: 'more than 10 reports waited to be sent; the oldest is let go',
        requestId: 'req-/route-1',
      },
    ]);
    // The text of a dropped one is in its first record: the drop line does not repeat it.
    expect(named(logs, 'kept error mail dropped')[0]?.report).toBeUndefined();
    expect(transport.delivered.map((mail) => mail.subject.replace(/.*: /, ''))).toEqual(
      Array.from({ length: 10 }, (_, i) => `/route-${i + 2}`),
    );
  });

  it('keeps at most 1 MiB of reports, dropping the oldest with a log line', async () => {
    // A beforeSend that makes each mail as big as ERROR_MAIL_MAX_BYTES (256 KiB) lets it: four fit.
    const beforeSend = (report: Report) => ({ ...report, summary: 'x'.repeat(400_000) }) as Report;
    const { reporter: r, transport, logs, invocation, time } = reporter({ beforeSend });

    for (let i = 0; i < 5; i++) await r.report(thrown(), invocation(`/big-${i}`));
    transport.down = false;
    await r.sendKept(time.context(10_000));

    expect(named(logs, 'kept error mail dropped')).toMatchObject([
      {
        why: 'the reports waiting to be sent were over 1,048,576 bytes; the oldest is let go',
        requestId: 'req-/big-0',
      },
    ]);
    expect(transport.delivered).toHaveLength(4);
    // What goes out late is the report as beforeSend made it, not as it was composed.
    expect(transport.delivered[0]?.text).toContain('xxxxxxxxxx');
  });

  it('is not kept when its mail alone is over the bound, and the record says so', async () => {
    const beforeSend = (report: Report) => ({ ...report, summary: 'x'.repeat(700_000) }) as Report;
    const {
      reporter: r,
      transport,
      logs,
      invocation,
      time,
      waiting,
    } = reporter({
      beforeSend,
      env: { ERROR_MAIL_MAX_BYTES: '3000000' },
    });

    await r.report(thrown(), invocation());
    transport.down = false;
    await r.sendKept(time.context(10_000));

    expect(logs[0]?.retry).toMatch(/^none: at [\d,]+ bytes it is over the 1,048,576 bytes kept for later$/);
    expect(transport.delivered).toEqual([]);
    expect(waiting).toEqual([]);
  });

  it(`is let go after ${MAX_ATTEMPTS} failed sends, and each late failure is logged`, async () => {
    const { reporter: r, transport, logs, invocation, time, waiting } = reporter();

    await r.report(thrown(), invocation());
    await r.sendKept(time.context(10_000));
    await r.sendKept(time.context(10_000));
    await r.sendKept(time.context(10_000));

    expect(transport.refused).toHaveLength(MAX_ATTEMPTS);
    expect(named(logs, 'late error mail not sent')).toMatchObject([
      {
        level: 'ERROR',
        reason: 'Error: SES is down',
        attempts: 2,
        retry: 'with the next invocation of this container',
      },
      { level: 'ERROR', reason: 'Error: SES is down', attempts: 3, retry: 'none: its send failed 3 times' },
    ]);
    expect(waiting).toEqual([true, false, true, false]);
  });

  it('counts no attempt for a late send that did steps of the first use before it failed', async () => {
    // A small container's first use, spread over invocations: the tries do 1, 1, 0 and 1 steps.
    const stepsPerTry = [1, 1, 0, 1];
    let tries = 0;
    let steps = 0;
    const stepwise = Object.assign(
      switchableTransport(() =>
        Object.assign(new Error('the next step was not started'), { name: 'NotInTimeError' }),
      ),
      { firstUseSteps: () => steps },
    );
    const send = stepwise.send;
    stepwise.send = async (mail: Mail) => {
      steps += stepsPerTry[tries++] ?? 0;
      return send(mail);
    };
    const { reporter: r, invocation, time, logs } = reporter({ transport: stepwise });

    await r.report(thrown(), invocation());
    for (let i = 0; i < 3; i++) await r.sendKept(time.context(10_000));
    stepwise.down = false;
    await r.sendKept(time.context(10_000));

    // The first send is attempt 1 whatever it did; then a step (not counted), none (counted), a step.
    expect(named(logs, 'late error mail not sent').map((record) => record.attempts)).toEqual([1, 2, 2]);
    expect(named(logs, 'late error mail sent')).toMatchObject([{ attempts: 3 }]);
    expect(stepwise.delivered).toHaveLength(1);
  });

  it('waits for an invocation with time left: none at all counts no attempt', async () => {
    const { reporter: r, transport, invocation, time, logs: records } = reporter();
    const logs = () => records;

    await r.report(thrown(), invocation());
    await r.sendKept(time.context(200));
    transport.down = false;
    await r.sendKept(time.context(10_000));

    expect(transport.refused).toHaveLength(1);
    expect(transport.delivered).toHaveLength(1);
    // The first send and the late one: the invocation with no time left tried nothing.
    expect(named(logs(), 'late error mail sent')[0]).toMatchObject({ attempts: 2 });
  });

  it('gives up within the send budget of the invocation that sends it', async () => {
    const {
      reporter: r,
      transport,
      logs,
      invocation,
      time,
    } = reporter({
      env: { ERROR_MAIL_SEND_BUDGET_MS: '800' },
    });
    await r.report(thrown(), invocation());
    const hang: Transport = { send: () => new Promise(() => {}) };
    Object.assign(transport, { send: hang.send });

    const sending = r.sendKept(time.context(10_000));
    await time.advance(799);
    const early = named(logs, 'late error mail not sent').length;
    await time.advance(1);
    await sending;

    expect(early).toBe(0);
    expect(named(logs, 'late error mail not sent')).toMatchObject([
      { reason: 'Error: send took longer than its 800 ms budget', attempts: 2 },
    ]);
  });

  it('is not kept, and holds its window, when SES refuses it for good', async () => {
    const rejected = () =>
      Object.assign(new Error('Email address is not verified.'), { code: 'MessageRejected' });
    const transport = switchableTransport(rejected);
    const { reporter: r, logs, invocation, time, waiting } = reporter({ transport });

    await r.report(thrown(), invocation());
    const repeat = await r.report(thrown(), invocation());
    await r.sendKept(time.context(10_000));

    expect(logs[0]).toMatchObject({
      code: 'MessageRejected',
      retry: 'none: refused for good (MessageRejected); a later send would be refused the same way',
      report: expect.stringContaining('Internal Server Error: /orders'),
    });
    expect(repeat).toMatchObject({ status: 'skipped', reason: { code: 'throttled' } });
    expect(transport.refused).toHaveLength(1);
    expect(waiting).toEqual([]);
  });

  it('is not kept when an SMTP server answers with a permanent 5xx', async () => {
    const smtp550 = () =>
      Object.assign(new Error('Mailbox unavailable'), { code: 'EENVELOPE', responseCode: 550 });
    const { reporter: r, logs, invocation } = reporter({ transport: switchableTransport(smtp550) });

    await r.report(thrown(), invocation());

    expect(logs[0]?.retry).toBe(
      'none: refused for good (EENVELOPE 550); a later send would be refused the same way',
    );
  });

  it('does not log a text beforeSend has not seen, and runs beforeSend before the late send', async () => {
    const seen: string[] = [];
    const beforeSend = (report: Report) => {
      seen.push(report.subject);
      return { ...report, subject: `${report.subject} (edited)` } as Report;
    };
    // The claim outlasts the budget: the send fails before beforeSend has run.
    let claims = 0;
    const deduper: Deduper = {
      claim: () => (++claims === 1 ? new Promise(() => {}) : Promise.resolve(true)),
    };
    const {
      reporter: r,
      transport,
      logs,
      invocation,
      time,
    } = reporter({
      beforeSend,
      deduper,
      env: { ERROR_MAIL_SEND_BUDGET_MS: '500' },
    });

    const failed = r.report(thrown(), invocation());
    await time.advance(500);
    await failed;
    transport.down = false;
    await r.sendKept(time.context(10_000));

    expect(logs[0]).toMatchObject({
      message: 'error mail not sent',
      reason: 'Error: send took longer than its 500 ms budget',
      report: 'not logged: beforeSend has not seen it',
    });
    expect(seen).toHaveLength(1);
    expect(transport.delivered.map((mail) => mail.subject)).toEqual([
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /orders (edited)',
    ]);
  });
});

describe('a cross-container claim with no time to load its client', () => {
  it('stops the send there: the report is logged and kept, not mailed without the claim', async () => {
    let claims = 0;
    const deduper: Deduper = {
      claim: async () => {
        claims += 1;
        if (claims === 1) {
          throw Object.assign(new Error('loading the DynamoDB client was not started'), {
            name: 'NotInTimeError',
          });
        }
        return true;
      },
    };
    const { reporter: r, transport, logs, invocation, time } = reporter({ deduper });
    transport.down = false;

    const failed = await r.report(thrown(), invocation());
    const sentAtOnce = transport.delivered.length;
    await r.sendKept(time.context(10_000));

    expect(failed).toMatchObject({
      status: 'failed',
      reason: 'NotInTimeError: loading the DynamoDB client was not started',
    });
    expect(sentAtOnce).toBe(0);
    expect(named(logs, 'cross-container dedupe unavailable, mailing from this container')).toEqual([]);
    expect(named(logs, 'error mail not sent')).toMatchObject([
      { retry: 'with the next invocation of this container' },
    ]);
    expect(transport.delivered).toHaveLength(1);
  });
});

describe('a report that beforeSend broke', () => {
  // A hook that returns a report missing its sections: rendering it throws.
  const breaks = (report: Report) => ({ kind: report.kind, subject: report.subject }) as unknown as Report;

  it('never logs the text the hook did not approve', async () => {
    const { reporter: r, transport, logs, invocation } = reporter({ beforeSend: breaks });
    transport.down = false;

    await r.report(thrown('customer Mary Ng ordered 42'), invocation());

    expect(transport.delivered).toEqual([]);
    expect(JSON.stringify(logs)).not.toContain('customer Mary Ng');
  });

  it('keeps the other waiting reports when logging its late failure cannot render it', async () => {
    let broken = false;
    // The first two claims outlast the budget: both reports are kept before beforeSend has seen them.
    let claims = 0;
    const deduper: Deduper = {
      claim: () => (++claims <= 2 ? new Promise(() => {}) : Promise.resolve(true)),
    };
    const {
      reporter: r,
      transport,
      logs,
      invocation,
      time,
    } = reporter({
      beforeSend: (report) => (broken ? breaks(report) : report),
      deduper,
      env: { ERROR_MAIL_MAX_PER_MINUTE: '0', ERROR_MAIL_SEND_BUDGET_MS: '500' },
    });
    for (const path of ['/first', '/second']) {
      const failed = r.report(thrown(), invocation(path));
      await time.advance(500);
      await failed;
    }
    transport.down = false;

    // The late send of the first: the hook breaks it, so it cannot be rendered, sent or logged.
    broken = true;
    await r.sendKept(time.context(10_000));
    broken = false;
    // The broken one fails each time it is tried first, until its attempts are used up.
    for (let i = 0; i < MAX_ATTEMPTS; i++) await r.sendKept(time.context(10_000));

    expect(transport.delivered.map((mail) => mail.subject)).toContain(
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /second',
    );
    expect(named(logs, 'late error mail not sent')[0]).toMatchObject({
      report: 'not logged: the report beforeSend returned cannot be rendered',
    });
  });
});

describe('flood control, counting what was delivered', () => {
  it('mails the second of three identical errors when the first send failed, with the repeat count', async () => {
    const { reporter: r, transport, logs, invocation, time } = reporter();

    await r.report(thrown(), invocation());
    transport.down = false;
    await time.advance(1000);
    const second = await r.report(thrown(), invocation());
    await time.advance(1000);
    const third = await r.report(thrown(), invocation());

    expect(second.status).toBe('sent');
    expect(transport.delivered[0]?.text).toContain(
      'This error happened once since 2026-12-01T09:00:00.000Z without a mail',
    );
    expect(third).toMatchObject({ status: 'skipped', reason: { code: 'throttled' } });
    expect(named(logs, 'error mail held back by flood control')).toEqual([
      {
        level: 'INFO',
        message: 'error mail held back by flood control',
        rule: 'ERROR_MAIL_THROTTLE_SECONDS',
        why: 'this error was mailed less than 300 s ago: its repeats are counted until 2026-12-01T09:05:01.000Z, and the next mail says how many',
        until: '2026-12-01T09:05:01.000Z',
        fingerprint: second.status === 'sent' ? second.fingerprint : '',
        subject: '[shop] ERROR (EXTERNAL IP): Internal Server Error: /orders',
        requestId: 'req-/orders',
      },
    ]);
  });

  it('counts a late mail delivered as the mail of its window, so a repeat in it is held back', async () => {
    const { reporter: r, transport, invocation, time } = reporter();

    await r.report(thrown(), invocation());
    await time.advance(1000);
    transport.down = false;
    await r.sendKept(time.context(10_000));
    await time.advance(1000);
    const repeat = await r.report(thrown(), invocation());
    await time.advance(300_000);
    const next = await r.report(thrown(), invocation());

    expect(repeat).toMatchObject({ status: 'skipped', reason: { code: 'throttled' } });
    expect(next.status).toBe('sent');
    expect(transport.delivered).toHaveLength(2);
    expect(transport.delivered[1]?.text).toContain(
      'This error happened once since 2026-12-01T09:00:02.000Z without a mail',
    );
  });

  it('writes one line when the throttle starts holding an error back, not one per repeat', async () => {
    const { reporter: r, transport, logs, invocation, time } = reporter();
    transport.down = false;

    for (let i = 0; i < 5; i++) await r.report(thrown(), invocation());
    await time.advance(300_000);
    for (let i = 0; i < 3; i++) await r.report(thrown(), invocation());

    expect(transport.delivered).toHaveLength(2);
    expect(named(logs, 'error mail held back by flood control').map((record) => record.until)).toEqual([
      '2026-12-01T09:05:00.000Z',
      '2026-12-01T09:10:00.000Z',
    ]);
  });

  it('writes one line when the cap per minute starts holding reports back', async () => {
    const {
      reporter: r,
      transport,
      logs,
      invocation,
      time,
    } = reporter({
      env: { ERROR_MAIL_MAX_PER_MINUTE: '2' },
    });
    transport.down = false;

    await r.report(thrown(), invocation('/a'));
    await time.advance(10_000);
    await r.report(thrown(), invocation('/b'));
    const held = await r.report(thrown(), invocation('/c'));
    await r.report(thrown(), invocation('/d'));

    expect(held).toMatchObject({ status: 'skipped', reason: { code: 'rate-limited' } });
    expect(named(logs, 'error mail held back by flood control')).toEqual([
      {
        level: 'INFO',
        message: 'error mail held back by flood control',
        rule: 'ERROR_MAIL_MAX_PER_MINUTE',
        why: '2 mails were sent or tried in the last minute: reports are counted until 2026-12-01T09:01:00.000Z, and the next mail of each says how many',
        until: '2026-12-01T09:01:00.000Z',
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        subject: '[shop] ERROR (EXTERNAL IP): Internal Server Error: /c',
        requestId: 'req-/c',
      },
    ]);
  });

  it('gives the cross-container claim back when the send fails, and claims again for the late send', async () => {
    const calls: string[] = [];
    const deduper: Deduper = {
      async claim(fingerprint, start) {
        calls.push(`claim ${fingerprint} ${start}`);
        return true;
      },
      async release(fingerprint, start) {
        calls.push(`release ${fingerprint} ${start}`);
      },
    };
    const { reporter: r, transport, invocation, time } = reporter({ deduper });

    const failed = await r.report(thrown(), invocation());
    await time.advance(400_000);
    transport.down = false;
    await r.sendKept(time.context(10_000));

    const fingerprint = failed.status === 'failed' ? failed.fingerprint : '';
    const window = Math.floor(Date.UTC(2026, 11, 1, 9) / 300_000) * 300_000;
    // The late mail belongs to the window its error happened in, not the one it is sent in.
    expect(calls).toEqual([
      `claim ${fingerprint} ${window}`,
      `release ${fingerprint} ${window}`,
      `claim ${fingerprint} ${window}`,
    ]);
    expect(transport.delivered).toHaveLength(1);
  });

  it('keeps the claim a delivered late mail relies on when a send of the same window fails', async () => {
    // The table as DynamoDB keeps it: one owner per window; this container claims it again.
    const table = new Map<string, string>();
    const deduper: Deduper = {
      async claim(fingerprint, start) {
        const key = `${fingerprint}#${start}`;
        if (table.has(key) && table.get(key) !== 'this container') return false;
        table.set(key, 'this container');
        return true;
      },
      async release(fingerprint, start) {
        const key = `${fingerprint}#${start}`;
        if (table.get(key) === 'this container') table.delete(key);
      },
    };
    const { reporter: r, transport, invocation, time } = reporter({ deduper });
    await r.report(thrown(), invocation());
    await time.advance(1000);
    // SES delivers the late mail and fails the fresh one.
    transport.down = false;
    const send = transport.send;
    transport.send = async (mail) => {
      if (!mail.text.includes('Sent late: ')) throw new Error('SES is down');
      await send(mail);
    };

    await Promise.all([r.sendKept(time.context(10_000)), r.report(thrown(), invocation())]);

    expect(transport.delivered).toHaveLength(1);
    expect([...table.values()]).toEqual(['this container']);
  });

  it('drops a kept report when another container mailed its window meanwhile', async () => {
    let claims = 0;
    const deduper: Deduper = { claim: async () => ++claims === 1 };
    const { reporter: r, transport, logs, invocation, time } = reporter({ deduper });

    await r.report(thrown(), invocation());
    transport.down = false;
    await r.sendKept(time.context(10_000));

    expect(transport.delivered).toEqual([]);
    expect(named(logs, 'kept error mail dropped')).toMatchObject([
      { level: 'INFO', why: 'another container mailed this error in its window' },
    ]);
  });
});
