import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMail, withErrorMail } from '../../src/index.js';
import { httpApiEvent, lambdaContext } from '../helpers/events.js';
import { readMailbox, startLocalSes } from '../helpers/local-ses.js';
import { logged } from '../helpers/logged.js';
import { mailEnv } from '../helpers/recording-transport.js';

// The real SES client against the SES emulator, which this file stops and starts again on the same
// port: SES is down for a whole invocation, then up. The client is made once per container (here:
// per test file), from AWS_ENDPOINT_URL_SES.
let ses: Awaited<ReturnType<typeof startLocalSes>>;
let port: number;
beforeAll(async () => {
  ses = await startLocalSes();
  port = Number(new URL(ses.url).port);
  process.env.AWS_ENDPOINT_URL_SES = ses.url;
});
afterAll(async () => {
  await ses?.stop();
});

async function sesDown() {
  await ses.stop();
}
async function sesUp() {
  ses = await startLocalSes(port);
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
const shapes: [string, (base: Handler, env: Record<string, string>) => Handler][] = [
  ['withErrorMail', (base, env) => withErrorMail(base, { env })],
  ['errorMail()', (base, env) => middy(base).use(errorMail({ env })) as unknown as Handler],
];

describe.each(shapes)('%s when SES is down for a whole invocation, then up', (_name, wrap) => {
  it('logs the report in full in that invocation, and mails it during the next one, which returns its own result', async () => {
    const marker = randomUUID();
    const failure = new TypeError('payment provider unavailable');
    const result = { statusCode: 200, body: 'ok' };
    const handler = wrap(
      async (event) => {
        if ((event as { rawPath?: string }).rawPath === '/checkout') throw failure;
        return result;
      },
      mailEnv({ EMAIL_SUBJECT_PREFIX: `[${marker}] ` }),
    );

    await sesDown();
    const first = await logged(() => handler(httpApiEvent({ path: '/checkout' }), lambdaContext()));
    await sesUp();
    const before = (await readMailbox(ses.url)).filter((mail) => mail.subject.includes(marker));
    const second = await logged(() => handler(httpApiEvent({ path: '/health' }), lambdaContext()));
    // Read once, not waited for: the invocation awaited the send before it returned.
    const after = (await readMailbox(ses.url)).filter((mail) => mail.subject.includes(marker));

    expect(first.outcome).toBe(failure);
    expect(first.records).toHaveLength(1);
    const [record] = first.records;
    expect(record).toMatchObject({
      level: 'ERROR',
      message: 'error mail not sent',
      subject: `[${marker}] ERROR (EXTERNAL IP): Internal Server Error: /checkout`,
      retry: 'with the next invocation of this container',
    });
    expect(String(record?.reason)).toContain('ECONNREFUSED');
    expect(before).toEqual([]);

    expect(second.outcome).toBe(result);
    expect(after).toHaveLength(1);
    const mail = after[0];
    expect(mail?.subject).toBe(`[${marker}] ERROR (EXTERNAL IP): Internal Server Error: /checkout`);
    const text = (mail?.body.text ?? '').replace(/\r\n/g, '\n');
    const note =
      /\n\nSent late: this happened at \S+Z, and the mail could not be sent then \([^\n]*ECONNREFUSED[^\n]*\); it went out with a later invocation of this container\.\n/;
    expect(text).toMatch(note);
    // The log record holds the whole text report: the mail, less its late note.
    expect(text.replace(note, '\n').trimEnd()).toBe(String(record?.report).trimEnd());
    expect(mail?.body.html).toContain('Sent late: this happened at ');
    expect(second.records).toMatchObject([{ level: 'INFO', message: 'late error mail sent', attempts: 2 }]);
  });
});
