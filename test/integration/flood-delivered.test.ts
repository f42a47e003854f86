import { describe, expect, it } from 'vitest';
import { type LogRecord, withErrorMail } from '../../src/index.js';
import { httpApiEvent, lambdaContext } from '../helpers/events.js';
import { mailEnv } from '../helpers/recording-transport.js';
import { useFaultySes } from '../helpers/use-faulty-ses.js';

// The real SES client against a stand-in that answers 500 on demand: flood control counts what SES
// accepted, not what was tried.
const ses = useFaultySes();

/** The raw message's text part: quoted-printable or base64, as the composer chose. */
function textOf(raw: string): string {
  const part =
    /Content-Type: text\/plain[^\r\n]*\r\n(?:[^\r\n]+\r\n)*?Content-Transfer-Encoding: (\S+)\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)\r\n--/i.exec(
      raw,
    );
  if (part === null) throw new Error('no text part');
  const [, encoding, body] = part as unknown as [string, string, string];
  return encoding.toLowerCase() === 'base64'
    ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
    : body
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

describe('three identical errors, the first send failing', () => {
  it('mails the second with the repeat count, holds the third back with one log line', async () => {
    const logs: LogRecord[] = [];
    const failure = new TypeError('inventory service unavailable');
    const handler = withErrorMail(
      async () => {
        throw failure;
      },
      { env: mailEnv(), log: (record) => logs.push(record) },
    );
    const call = () => handler(httpApiEvent({ path: '/stock' }), lambdaContext()).catch((e: unknown) => e);

    ses.behave('500');
    expect(await call()).toBe(failure);
    ses.behave('ok');
    expect(await call()).toBe(failure);
    const mailedBySecond = [...ses.received];
    expect(await call()).toBe(failure);

    // The second invocation sends its own mail and, alongside, the first one, late.
    expect(mailedBySecond).toHaveLength(2);
    const texts = mailedBySecond.map(textOf);
    const [late, second] = texts[0]?.includes('Sent late:') ? texts : [...texts].reverse();
    expect(late).toContain('Sent late: this happened at ');
    expect(second).not.toContain('Sent late:');
    expect(second).toMatch(/This error happened once since \S+Z without a mail/);
    // The third is held back: nothing more reaches SES, and the log says why, once.
    expect(ses.received).toHaveLength(2);
    expect(logs.map((record) => record.message)).toEqual([
      'error mail not sent',
      'late error mail sent',
      'error mail held back by flood control',
    ]);
    expect(logs[2]).toMatchObject({
      rule: 'ERROR_MAIL_THROTTLE_SECONDS',
      subject: '[shop] ERROR (EXTERNAL IP): Internal Server Error: /stock',
      fingerprint: logs[0]?.fingerprint,
      until: expect.stringMatching(/Z$/),
    });
  });
});
