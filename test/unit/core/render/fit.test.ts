import { describe, expect, it } from 'vitest';
import { type Mail, withErrorMail } from '../../../../src/index.js';
import { composeMime } from '../../../../src/transports/compose.js';
import { lambdaContext } from '../../../helpers/context.js';
import { httpApiEvent, type RequestSpec } from '../../../helpers/events.js';
import { mailEnv, recordingTransport } from '../../../helpers/recording-transport.js';

const MB = 1024 * 1024;

async function report(thrown: unknown, spec: RequestSpec, extra: Record<string, string> = {}): Promise<Mail> {
  const transport = recordingTransport();
  const handler = withErrorMail(
    async (_event: unknown) => {
      throw thrown;
    },
    { env: mailEnv(extra), transport, log: () => {} },
  );
  await handler(httpApiEvent(spec), lambdaContext()).catch(() => {});
  expect(transport.mails).toHaveLength(1);
  return transport.mails[0]!;
}

async function mimeBytes(mail: Mail): Promise<number> {
  return (await composeMime(mail)).length;
}

describe('size caps', () => {
  it('cuts a 6 MB body and says how many bytes were left out', async () => {
    const mail = await report(new Error('x'), { method: 'POST', body: 'a'.repeat(6 * MB) });

    expect(mail.text).toContain(`(... ${(6 * MB - 64 * 1024).toLocaleString('en-US')} more bytes not shown)`);
    expect(await mimeBytes(mail)).toBeLessThanOrEqual(256 * 1024);
  });

  it('cuts a 6 MB base64 body after decoding it', async () => {
    const body = Buffer.from('b'.repeat(6 * MB)).toString('base64');

    const mail = await report(new Error('x'), { method: 'POST', body, isBase64Encoded: true });

    expect(mail.text).toContain('more bytes not shown; decoded from base64');
    expect(await mimeBytes(mail)).toBeLessThanOrEqual(256 * 1024);
  });

  it('shows the first 100 headers, cuts each value, and counts the rest', async () => {
    const headers = Object.fromEntries(
      Array.from({ length: 5000 }, (_, i) => [`x-h${i}`, 'v'.repeat(10_000)]),
    );

    const mail = await report(new Error('x'), { headers });

    // Shown headers and the count of the rest add up to all 5,001 (the Host header included).
    const shown = mail.text.match(/^(?:host|x-h\d+) = /gm)?.length ?? 0;
    const rest = Number(/^\.\.\. = '([\d,]+) more not shown'$/m.exec(mail.text)?.[1]?.replace(/,/g, ''));
    expect(shown).toBeGreaterThanOrEqual(10);
    expect(shown + rest).toBe(5001);
    expect(mail.text).toContain('more characters not shown');
    expect(await mimeBytes(mail)).toBeLessThanOrEqual(256 * 1024);
  });

  it('cuts a 5 MB stack, a 1,000-deep cause chain and an AggregateError of 5,000 members', async () => {
    let chain: Error = new Error('root');
    for (let i = 0; i < 1000; i++) chain = new Error(`level ${i}`, { cause: chain });
    const members = Array.from({ length: 5000 }, (_, i) => new TypeError(`member ${i}`));
    const aggregate = new AggregateError(members, 'many failed', { cause: chain });
    aggregate.stack = `AggregateError: many failed\n${'    at deep (/var/task/x.js:1:1)\n'.repeat(150_000)}`;

    const mail = await report(aggregate, {});

    expect(mail.text).toContain('AggregateError members (5,000):');
    expect(mail.text).toContain('... 4,990 more members not shown');
    expect(mail.text).toContain('more characters not shown');
    expect(await mimeBytes(mail)).toBeLessThanOrEqual(256 * 1024);
  });

  it('keeps the whole mail under ERROR_MAIL_MAX_BYTES when everything is huge at once', async () => {
    const props = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`p${i}`, 'z'.repeat(5000)]));
    const hugeError = () => Object.assign(new Error('m'.repeat(MB)), props, { stack: 's'.repeat(5 * MB) });
    const query = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`q${i}`, 'q'.repeat(3000)]));
    const headers = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`x-h${i}`, 'h'.repeat(5000)]));
    const env = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`VAR_${i}`, 'e'.repeat(2000)]));

    for (const maxBytes of [256 * 1024, 16 * 1024]) {
      const mail = await report(
        hugeError(),
        { path: `/${'p'.repeat(MB)}`, query, headers, body: 'b'.repeat(6 * MB), method: 'POST' },
        { ...env, ERROR_MAIL_MAX_BYTES: String(maxBytes) },
      );

      expect(await mimeBytes(mail)).toBeLessThanOrEqual(maxBytes);
      expect(mail.subject.length).toBeLessThan(400);
      expect(mail.text).toContain('Exception Type: Error at /ppp');
    }
  });
});
