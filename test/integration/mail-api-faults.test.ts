import { describe, expect, it } from 'vitest';
import { type LogRecord, MailNotSentError, mailAdmins, reportError, withErrorMail } from '../../src/index.js';
import { lambdaContext } from '../helpers/context.js';
import { httpApiEvent } from '../helpers/events.js';
import { mailEnv } from '../helpers/recording-transport.js';
import { useFaultySes } from '../helpers/use-faulty-ses.js';

// The real SES client against a stand-in that misbehaves on demand (one client per test file).
const ses = useFaultySes();
// A refusal SES does not retry: the send fails at once.
const REFUSED =
  'SES SendRawEmail failed: MessageRejected: Email address is not verified. The following identities failed the check in region US-EAST-1: errors@example.com (SERVER_EMAIL errors@example.com is not a verified SES identity in this region: verify it, or set SERVER_EMAIL to a verified address)';

function recording(): { logs: LogRecord[]; log: (record: LogRecord) => void } {
  const logs: LogRecord[] = [];
  return { logs, log: (record) => logs.push(record) };
}

describe('mailAdmins against a failing SES', () => {
  it('resolves and logs one line when the send fails, by default', async () => {
    ses.behave('unverified');
    const { logs, log } = recording();

    const settled = await mailAdmins('Nightly import', '52 rows', { env: mailEnv(), log }).then(
      () => 'resolved',
    );

    expect(settled).toBe('resolved');
    expect(ses.requests).toHaveLength(1);
    expect(logs).toEqual([
      {
        level: 'ERROR',
        message: 'mail to ADMINS not sent',
        reason: `SesSendError: ${REFUSED} (caused by MessageRejected: Email address is not verified. The following identities failed the check in region US-EAST-1: errors@example.com)`,
        code: 'MessageRejected',
        subject: '[shop] Nightly import',
      },
    ]);
  });

  it('rejects with MailNotSentError, the SES error as its cause, and logs nothing, with failSilently: false', async () => {
    ses.behave('unverified');
    const { logs, log } = recording();

    const caught = await mailAdmins('Nightly import', '52 rows', {
      env: mailEnv(),
      log,
      failSilently: false,
    }).catch((e: unknown) => e);

    expect(caught).toBeInstanceOf(MailNotSentError);
    const error = caught as MailNotSentError;
    expect(error.name).toBe('MailNotSentError');
    expect(error.list).toBe('ADMINS');
    expect(error.code).toBe('MessageRejected');
    expect(error.message).toContain(`mail to ADMINS not sent: SesSendError: ${REFUSED}`);
    expect((error.cause as Error).name).toBe('SesSendError');
    expect(logs).toEqual([]);
  });

  it('rejects with the ConfigError of an invalid setting with failSilently: false, and logs it otherwise', async () => {
    const { logs, log } = recording();
    const env = mailEnv({ ADMINS: 'ops@' });

    const caught = await mailAdmins('x', 'y', { env, log, failSilently: false }).catch((e: unknown) => e);
    await mailAdmins('x', 'y', { env, log });

    expect((caught as Error).name).toBe('ConfigError');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 'ERROR', message: 'mail to ADMINS not sent' });
    expect(String(logs[0]?.reason)).toMatch(/^ConfigError: .*ADMINS/);
  });
});

describe('reportError against a failing SES', () => {
  it('never rejects, logs the unsent report, and the next wrapped invocation sends it before it returns', async () => {
    // SES does not answer within a short budget, a fault a later send may overcome. (With a 500 the
    // SDK's retry can reach the stand-in after the budget gave up on it, and be taken for a second mail.)
    ses.behave('hang');
    const { logs, log } = recording();
    const env = mailEnv({ EMAIL_SUBJECT_PREFIX: '[kept] ', ERROR_MAIL_SEND_BUDGET_MS: '400' });
    const result = { statusCode: 200, body: 'ok' };
    const handler = withErrorMail(async () => result, { env: mailEnv() });

    const settled = await reportError(new Error('ledger out of balance'), {
      event: httpApiEvent({ path: '/ledger' }),
      context: lambdaContext(),
      env,
      log,
    }).then(() => 'resolved');
    const unsent = logs.find((record) => record.message === 'error mail not sent');
    ses.behave('ok');
    const returned = await handler(httpApiEvent({ path: '/home' }), lambdaContext());

    expect(settled).toBe('resolved');
    expect(unsent).toMatchObject({
      subject: '[kept] ERROR (EXTERNAL IP): Handled error: /ledger',
      retry: 'with the next invocation of this container',
    });
    expect(returned).toBe(result);
    expect(ses.received).toHaveLength(1);
    expect(ses.received[0]).toContain('Subject: [kept] ERROR (EXTERNAL IP): Handled error: /ledger');
  });
});
