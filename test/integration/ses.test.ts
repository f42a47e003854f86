import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { withErrorMail } from '../../src/index.js';
import { httpApiEvent, lambdaContext } from '../helpers/events.js';
import { mailsMarked } from '../helpers/local-ses.js';

const sesUrl = inject('sesUrl');

function env(marker: string, extra: Record<string, string> = {}) {
  return {
    ADMINS: 'ops@example.com,"Ng, Mary" <mary@example.com>',
    MANAGERS: 'content@example.com',
    SERVER_EMAIL: 'errors@example.com',
    EMAIL_SUBJECT_PREFIX: `[${marker}] `,
    SEND_BROKEN_LINK_EMAILS: 'true',
    ...extra,
  };
}

describe('sending through the real SES client to the local emulator', () => {
  it('mails every admin once when the handler throws, and rethrows the same error', async () => {
    const marker = randomUUID();
    const failure = new TypeError("Cannot read properties of undefined (reading 'id')");
    const handler = withErrorMail(
      async () => {
        throw failure;
      },
      { env: env(marker) },
    );

    const caught = await handler(
      httpApiEvent({ path: '/orders/42', query: { page: '2' } }),
      lambdaContext(),
    ).catch((e: unknown) => e);

    expect(caught).toBe(failure);
    const mails = await mailsMarked(sesUrl, marker);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe(`[${marker}] ERROR (EXTERNAL IP): Internal Server Error: /orders/42`);
    expect(mail.from).toBe('errors@example.com');
    expect(mail.destination.to.join(', ')).toContain('ops@example.com');
    expect(mail.destination.to.join(', ')).toContain('mary@example.com');
    expect(mail.body.text).toContain('TypeError at /orders/42');
    expect(mail.body.text).toContain('Request URL: https://api.example.com/orders/42?page=2');
    expect(mail.body.html).toContain('TypeError at /orders/42');
  });
});
