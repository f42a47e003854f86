import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { runNode } from '../helpers/cli.js';
import { mailsMarked, readMailbox, reportingEnv, type StoredMail } from '../helpers/local-ses.js';

// The real durable SDK and its testing package's local runner (checkpoints, replays, suspensions), in
// a fresh process per scenario: test/fixtures/durable.mjs. Mail is read back from the local SES.
const sesUrl = inject('sesUrl');
const FIXTURE = new URL('../fixtures/durable.mjs', import.meta.url).pathname;

interface Ran {
  invocations: { status: string; same: boolean }[];
  requestIds: string[];
  chargeAttempts: number;
  status: string;
  error?: { errorType: string; errorMessage: string };
}

/** Runs one scenario; what the fixture printed, and the mails marked for it (at least `count`). */
async function scenario(
  name: string,
  count: number,
  env: Record<string, string> = {},
): Promise<{ ran: Ran; mails: StoredMail[]; marker: string }> {
  const marker = randomUUID();
  const { stdout, stderr, code } = await runNode(
    FIXTURE,
    [name],
    { ...reportingEnv(sesUrl, marker), ...env },
    { timeoutMs: 60_000 },
  );
  expect(code, stderr).toBe(0);
  const ran = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Ran;
  return { ran, mails: await mailsMarked(sesUrl, marker, count), marker };
}

/**
 * Runs a scenario whose workflow reports its error with reportError, then throws it: the execution
 * fails, and its one mail is the handled report (the process has ended: every mail is in the mailbox).
 */
async function expectOneHandledMail(name: string): Promise<void> {
  const { ran, mails } = await scenario(name, 1);

  expect(ran.invocations.at(-1)).toEqual({ status: 'FAILED', same: true });
  expect(mails.map((mail) => mail.subject.replace(/^\[[0-9a-f-]+\] /, ''))).toEqual([
    expect.stringMatching(
      /^ERROR: Handled error: PaymentDeclinedError in shop-prod-checkout \(Durable execution /,
    ),
  ]);
}

/** The mails marked `marker` now: for a scenario that must mail nothing, read after it has ended. */
async function mailsNow(marker: string): Promise<StoredMail[]> {
  return (await readMailbox(sesUrl)).filter((mail) => mail.subject.includes(marker));
}

// In real time: each invocation's deadline 6 s after its start, the warning 3 s before it; the first
// suspends for 4 s, and the process lives on 3 s after the execution: past the first one's deadline.
const SUSPENDED_PAST_ITS_DEADLINE = {
  FIXTURE_REAL_TIME: '1',
  FIXTURE_WAIT_S: '4',
  FIXTURE_DEADLINE_MS: '6000',
  ERROR_MAIL_TIMEOUT_WARNING_MS: '3000',
  FIXTURE_LINGER_MS: '3000',
};

const text = (mail: StoredMail | undefined) => (mail?.body.text ?? '').replace(/\r\n/g, '\n');

// Each scenario is its own process with its own marker: they run side by side.
describe.concurrent('withErrorMail(withDurableExecution(fn)): the sound order', () => {
  it('mails a failed execution once, with the real error, its cause and the execution, through the plugin', async () => {
    const { ran, mails } = await scenario('outer-failed-plugin', 1);

    // A suspension (PENDING), then the replay that fails: the caller got the SDK's objects each time.
    expect(ran.invocations).toEqual([
      { status: 'PENDING', same: true },
      { status: 'FAILED', same: true },
    ]);
    expect(ran.error).toEqual({ errorType: 'PaymentDeclinedError', errorMessage: 'order A-1001 declined' });
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toMatch(
      /^\[[0-9a-f-]+\] ERROR: PaymentDeclinedError in shop-prod-checkout \(Durable execution [0-9a-f-]+\)$/,
    );
    const body = text(mails[0]);
    expect(body).toMatch(/^PaymentDeclinedError in shop-prod-checkout \(Durable execution /);
    // The real error: its stack in the user's code, and its cause.
    expect(body).toContain('PaymentDeclinedError: order A-1001 declined\n    at checkout (');
    expect(body).toContain('The above exception (issuer said: insufficient funds) was the direct cause');
    expect(body).toContain('Trigger: Durable execution');
    expect(body).toContain('Invocation: a replay (2 operations checkpointed before it)');
    // The user's input, not the envelope, and its secret hidden.
    expect(body).toMatch(
      /Event:\n\{\n {2}"orderId": "A-1001",\n {2}"sku": "kettle",\n {2}"cardToken": "\*+"\n\}/,
    );
    expect(body).toContain(`Request ID = ${ran.requestIds[1]}`);
    expect(`${body}${mails[0]?.body.html ?? ''}`).not.toContain('tok_live_secret');
  });

  it('mails an error reportError reported once, though the execution then fails with it', async () => {
    await expectOneHandledMail('outer-reported-plugin');
  });

  it("mails a failed execution without the plugin, with the SDK's error type and message and no stack", async () => {
    const { ran, mails } = await scenario('outer-failed', 1);

    expect(ran.invocations.map((invocation) => invocation.same)).toEqual([true, true]);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain(
      'ERROR: PaymentDeclinedError in shop-prod-checkout (Durable execution ',
    );
    const body = text(mails[0]);
    expect(body).toContain('PaymentDeclinedError: order A-1001 declined\n    (no stack)');
    expect(body).not.toContain('insufficient funds');
  });

  it('mails a step whose retries are used up as the StepError, the step’s own error its cause', async () => {
    const { ran, mails } = await scenario('outer-exhausted-plugin', 1);

    expect(ran.status).toBe('FAILED');
    expect(ran.invocations.at(-1)).toEqual({ status: 'FAILED', same: true });
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain('ERROR: StepError in shop-prod-checkout (Durable execution ');
    const body = text(mails[0]);
    // The SDK checkpoints the step's error without its stack, and rebuilds it as the StepError's cause.
    expect(body).toContain('TypeError: card of order A-1001 rejected\n    (no stack)');
    expect(body).toContain(
      'was the direct cause of the following exception:\n\nStepError: card of order A-1001 rejected\n    at ',
    );
  });

  it('mails nothing for a step that throws and succeeds on the retry, in an execution that succeeds', async () => {
    const { ran, marker } = await scenario('outer-flaky-plugin', 0);

    expect(ran.status).toBe('SUCCEEDED');
    expect(ran.chargeAttempts).toBe(2);
    expect(ran.invocations.every((invocation) => invocation.same)).toBe(true);
    expect(ran.invocations.at(-1)?.status).toBe('SUCCEEDED');
    expect(await mailsNow(marker)).toEqual([]);
  });

  it('warns of no timeout for a suspended invocation, whose deadline passes while the process lives on', async () => {
    const env = SUSPENDED_PAST_ITS_DEADLINE;

    const { ran, marker } = await scenario('outer', 0, env);

    expect(ran.invocations).toEqual([
      { status: 'PENDING', same: true },
      { status: 'SUCCEEDED', same: true },
    ]);
    expect(await mailsNow(marker)).toEqual([]);
  });

  it('warns of a possible timeout for an invocation still running near its deadline', async () => {
    // A step of 1.5 s: still running 1 s into an invocation whose deadline is 4 s away.
    const env = { FIXTURE_DEADLINE_MS: '4000', ERROR_MAIL_TIMEOUT_WARNING_MS: '3000' };

    const { ran, mails } = await scenario('outer-slow', 1, env);

    expect(ran.status).toBe('SUCCEEDED');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain(
      'WARNING: Possible timeout in shop-prod-checkout (Durable execution ',
    );
  });

  it('mails a failed execution once under middy, the caller getting what the SDK produced', async () => {
    const { ran, mails } = await scenario('middy-failed-plugin', 1);

    expect(ran.invocations).toEqual([
      { status: 'PENDING', same: true },
      { status: 'FAILED', same: true },
    ]);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain(
      'ERROR: PaymentDeclinedError in shop-prod-checkout (Durable execution ',
    );
    expect(text(mails[0])).toContain(
      'The above exception (issuer said: insufficient funds) was the direct cause',
    );
  });
});

describe.concurrent('withDurableExecution(withErrorMail(fn)): the inner order', () => {
  it.each(['inner-failed', 'inner-middy-failed'])(
    'mails the error once, with the Lambda context’s request id and the execution (%s)',
    async (name) => {
      const { ran, mails } = await scenario(name, 1);

      expect(ran.invocations).toEqual([
        { status: 'PENDING', same: true },
        { status: 'FAILED', same: true },
      ]);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.subject).toContain(
        'ERROR: PaymentDeclinedError in shop-prod-checkout (Durable execution ',
      );
      const body = text(mails[0]);
      expect(body).toContain(`Request ID = ${ran.requestIds[1]}`);
      expect(body).toContain('Trigger: Durable execution');
      expect(body).toContain('The above exception (issuer said: insufficient funds) was the direct cause');
    },
  );

  it('mails an error reportError reported once, though it then fails the execution', async () => {
    await expectOneHandledMail('inner-reported-plugin');
  });

  it('warns of no timeout for an invocation left pending by a suspension', async () => {
    const env = SUSPENDED_PAST_ITS_DEADLINE;

    const { ran, marker } = await scenario('inner', 0, env);

    expect(ran.status).toBe('SUCCEEDED');
    expect(await mailsNow(marker)).toEqual([]);
  });
});
