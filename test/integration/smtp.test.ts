import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withErrorMail } from '../../src/index.js';
import { httpApiEvent, lambdaContext } from '../helpers/events.js';
import { mailEnv } from '../helpers/recording-transport.js';

interface Received {
  from: string;
  to: string[];
  mail: ParsedMail;
}

// A real SMTP server on 127.0.0.1 that accepts everything and keeps what it got.
const received: Received[] = [];
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          mail,
        });
        callback();
      })
      .catch(callback);
  },
});
let port = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the SMTP backend', () => {
  it('is chosen by EMAIL_HOST and delivers the report to every admin', async () => {
    const failure = new Error('smtp path');
    const handler = withErrorMail(
      async () => {
        throw failure;
      },
      { env: mailEnv({ EMAIL_HOST: '127.0.0.1', EMAIL_PORT: String(port), EMAIL_TIMEOUT: '5' }) },
    );

    const caught = await handler(httpApiEvent({ path: '/smtp' }), lambdaContext()).catch((e: unknown) => e);

    expect(caught).toBe(failure);
    expect(received).toHaveLength(1);
    const [first] = received;
    expect(first?.from).toBe('errors@example.com');
    expect(first?.to).toEqual(['ops@example.com', 'mary@example.com']);
    expect(first?.mail.subject).toBe('[shop] ERROR (EXTERNAL IP): Internal Server Error: /smtp');
    expect(first?.mail.text).toContain('Error at /smtp\nsmtp path');
    expect(first?.mail.html).toContain('Error at /smtp');
  });
});
