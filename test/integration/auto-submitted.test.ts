import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mailAdmins, reportError, withErrorMail } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { httpApiEvent, lambdaContext } from '../helpers/events.js';
import { mailsMarked } from '../helpers/local-ses.js';
import { mailEnv } from '../helpers/recording-transport.js';
import { startSesProxy } from '../helpers/ses-proxy.js';

const sesUrl = inject('sesUrl');
let proxy: Awaited<ReturnType<typeof startSesProxy>>;

beforeAll(async () => {
  proxy = await startSesProxy(sesUrl);
  // The SES client of this file is made on its first send, from the SDK's own endpoint variable.
  process.env.AWS_ENDPOINT_URL_SES = proxy.url;
});
afterAll(async () => {
  process.env.AWS_ENDPOINT_URL_SES = sesUrl;
  await proxy?.stop();
});

/** The header block of a raw MIME message, unfolded, as name -> values. */
function headersOf(raw: string): Map<string, string[]> {
  const block = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string[]>();
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return headers;
}

const sentMarked = (marker: string) => proxy.raw().filter((raw) => raw.includes(marker));

describe('every mail says it is automatic', () => {
  it('sends an error report with Auto-Submitted and X-Auto-Response-Suppress, once each, and SES stores it', async () => {
    const marker = randomUUID();
    const handler = withErrorMail(
      async () => {
        throw new Error('automatic');
      },
      { env: mailEnv({ EMAIL_SUBJECT_PREFIX: `[${marker}] ` }) },
    );

    await handler(httpApiEvent({ path: '/auto' }), lambdaContext()).catch(() => undefined);

    expect(await mailsMarked(sesUrl, marker)).toHaveLength(1);
    const [raw] = sentMarked(marker);
    const headers = headersOf(raw ?? '');
    expect(headers.get('auto-submitted')).toEqual(['auto-generated']);
    expect(headers.get('x-auto-response-suppress')).toEqual(['All']);
  });

  it.each([
    ['mailAdmins', (env: Record<string, string>) => mailAdmins('Nightly import', '52 rows', { env })],
    ['reportError', (env: Record<string, string>) => reportError(new Error('handled'), { env })],
  ])('sends the mail of %s with the same headers', async (_name, send) => {
    const marker = randomUUID();

    await send(mailEnv({ EMAIL_SUBJECT_PREFIX: `[${marker}] ` }));

    expect(await mailsMarked(sesUrl, marker)).toHaveLength(1);
    const [raw] = sentMarked(marker);
    const headers = headersOf(raw ?? '');
    expect(headers.get('auto-submitted')).toEqual(['auto-generated']);
    expect(headers.get('x-auto-response-suppress')).toEqual(['All']);
  });

  it('sends the test mail of sendtestemail with the same headers', async () => {
    const marker = randomUUID();

    const result = await runCli(['sendtestemail', '--admins'], {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local-test-key',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
      AWS_ENDPOINT_URL_SES: proxy.url,
      ADMINS: 'ops@example.com',
      SERVER_EMAIL: 'errors@example.com',
      EMAIL_SUBJECT_PREFIX: `[${marker}] `,
    });

    expect(result.code).toBe(0);
    expect(await mailsMarked(sesUrl, marker)).toHaveLength(1);
    // The command ran in its own process; the proxy saw what it sent.
    const [raw] = sentMarked(marker);
    const headers = headersOf(raw ?? '');
    expect(headers.get('auto-submitted')).toEqual(['auto-generated']);
    expect(headers.get('x-auto-response-suppress')).toEqual(['All']);
  });
});
