import { describe, expect, it, vi } from 'vitest';
import { type Report, withErrorMail } from '../../../src/index.js';
import { lambdaContext } from '../../helpers/context.js';
import { httpApiEvent } from '../../helpers/events.js';
import { useFakeTime } from '../../helpers/fake-time.js';
import { mailEnv, recordingLog, recordingTransport } from '../../helpers/recording-transport.js';

function setup(beforeSend: (report: Report) => unknown) {
  const transport = recordingTransport();
  const { logs, log } = recordingLog();
  const failure = new Error('order 42 failed');
  const handler = withErrorMail(
    async () => {
      throw failure;
    },
    {
      env: mailEnv(),
      transport,
      log,
      beforeSend: beforeSend as (report: Report) => Report | null,
    },
  );
  const run = () => handler(httpApiEvent({ path: '/orders/42' }), lambdaContext()).catch((e: unknown) => e);
  return { transport, logs, failure, run };
}

describe('beforeSend', () => {
  useFakeTime();

  it('sees the report and can edit what is sent', async () => {
    const seen: Report[] = [];
    const { transport, run } = setup((report) => {
      seen.push(report);
      return report.kind === 'server-error'
        ? { ...report, subject: `${report.subject} [team payments]`, summary: 'order <redacted> failed' }
        : report;
    });

    await run();

    expect(seen[0]).toMatchObject({
      kind: 'server-error',
      title: 'Error at /orders/42',
      summary: 'order 42 failed',
    });
    expect(transport.mails[0]?.subject).toBe(
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /orders/42 [team payments]',
    );
    expect(transport.mails[0]?.text).toContain('Error at /orders/42\norder <redacted> failed');
    expect(transport.mails[0]?.html).toContain('order &lt;redacted&gt; failed');
  });

  it('drops the mail when it returns null, and the caller still gets the error', async () => {
    const { transport, logs, failure, run } = setup(() => null);

    expect(await run()).toBe(failure);
    expect(transport.mails).toEqual([]);
    expect(logs).toEqual([]);
  });

  it('may be async', async () => {
    const { transport, run } = setup(async (report) => ({ ...report, subject: 'async edit' }));

    await run();

    expect(transport.mails[0]?.subject).toBe('async edit');
  });

  it('sends nothing and logs the reason when it throws', async () => {
    const { transport, logs, failure, run } = setup(() => {
      throw new Error('hook bug');
    });

    expect(await run()).toBe(failure);
    expect(transport.mails).toEqual([]);
    expect(logs[0]).toMatchObject({
      level: 'ERROR',
      message: 'error mail not sent',
      reason: 'Error: beforeSend threw, so nothing was sent: Error: hook bug',
    });
  });

  it('cannot put a newline into the subject or a secret into the mail', async () => {
    const { transport, run } = setup((report) => ({
      ...report,
      subject: 'edited\r\nBcc: victim@evil.example',
      summary: 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln',
    }));

    await run();

    expect(transport.mails[0]?.subject).toBe('edited\\r\\nBcc: victim@evil.example');
    expect(transport.mails[0]?.text).not.toContain('eyJzdWIiOiIxIn0');
  });

  it('is bounded by the send budget: a hook that never settles does not hold the invocation', async () => {
    let hookCalled: () => void = () => {};
    const called = new Promise<void>((resolve) => {
      hookCalled = resolve;
    });
    const { transport, logs, failure, run } = setup(() => {
      hookCalled();
      return new Promise(() => {});
    });

    let settled = false;
    const pending = run().finally(() => {
      settled = true;
    });
    // The budget's timer is set before the hook is called: from here on it counts ERROR_MAIL_SEND_BUDGET_MS.
    await called;
    await vi.advanceTimersByTimeAsync(1999);
    const settledBeforeBudget = settled;
    await vi.advanceTimersByTimeAsync(1);
    const caught = await pending;

    expect(settledBeforeBudget).toBe(false);
    expect(caught).toBe(failure);
    expect(transport.mails).toEqual([]);
    expect(logs[0]?.reason).toBe('Error: send took longer than its 2000 ms budget');
  });
});
