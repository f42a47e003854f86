import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import { describe, expect, inject, it } from 'vitest';
import { errorMail, withErrorMail } from '../../src/index.js';
import { httpApiEvent, lambdaContext, restEvent } from '../helpers/events.js';
import { mailsMarked } from '../helpers/local-ses.js';
import { mailEnv } from '../helpers/recording-transport.js';

const sesUrl = inject('sesUrl');

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

// Both shapes, sending through the default transport: the real SES client, pointed at the
// emulator only by AWS_ENDPOINT_URL_SES.
const shapes: [string, (base: Handler, env: Record<string, string>) => Handler][] = [
  ['withErrorMail', (base, env) => withErrorMail(base, { env })],
  ['errorMail()', (base, env) => middy(base).use(errorMail({ env })) as unknown as Handler],
];

describe.each(shapes)('%s through the real SES client', (_name, wrap) => {
  function envFor(marker: string, extra: Record<string, string> = {}) {
    return mailEnv({ EMAIL_SUBJECT_PREFIX: `[${marker}] `, ...extra });
  }

  it('mails every admin in one message when the handler throws, and rethrows the same error', async () => {
    const marker = randomUUID();
    const failure = new TypeError("Cannot read properties of undefined (reading 'id')");
    const handler = wrap(async () => {
      throw failure;
    }, envFor(marker));

    const caught = await handler(
      httpApiEvent({
        path: '/orders/42',
        query: { page: '2' },
        headers: { authorization: 'Bearer abc.def.ghi' },
      }),
      lambdaContext(),
    ).catch((e: unknown) => e);

    expect(caught).toBe(failure);
    const mails = await mailsMarked(sesUrl, marker);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe(`[${marker}] ERROR (EXTERNAL IP): Internal Server Error: /orders/42`);
    expect(mail.from).toBe('errors@example.com');
    expect(mail.destination.to).toEqual(['ops@example.com, "Ng, Mary" <mary@example.com>']);
    expect(mail.body.text).toContain(
      "TypeError at /orders/42\nCannot read properties of undefined (reading 'id')",
    );
    expect(mail.body.text).toContain('Request URL: https://api.example.com/orders/42?page=2');
    expect(mail.body.text).not.toContain('abc.def.ghi');
    expect(mail.body.html).toMatch(/<h1 style="[^"]*">TypeError at \/orders\/42<\/h1>/);
  });

  it('mails MANAGERS the broken-link lines for a 404 with a Referer, and returns the same result', async () => {
    const marker = randomUUID();
    const result = { statusCode: 404, body: 'Not Found' };
    const handler = wrap(async () => result, envFor(marker));

    const returned = await handler(
      restEvent({
        path: '/old-page',
        headers: {
          Referer: 'https://abc123.execute-api.us-east-1.amazonaws.com/home',
          'User-Agent': 'Mozilla/5.0',
        },
        sourceIp: '198.51.100.7',
      }),
      lambdaContext(),
    );

    expect(returned).toBe(result);
    const mails = await mailsMarked(sesUrl, marker);
    expect(mails.map((m) => [m.subject, m.destination.to])).toEqual([
      [
        `[${marker}] Broken INTERNAL link on abc123.execute-api.us-east-1.amazonaws.com`,
        ['content@example.com'],
      ],
    ]);
    expect(mails[0]?.body.text?.trim()).toBe(
      'Referrer: https://abc123.execute-api.us-east-1.amazonaws.com/home\nRequested URL: /old-page\nUser agent: Mozilla/5.0\nIP address: 198.51.100.7',
    );
    expect(mails[0]?.body.html).toBeUndefined();
  });

  it('mails ADMINS for a returned 503 and sends nothing for a 200', async () => {
    const marker = randomUUID();
    let status = 200;
    const handler = wrap(async () => ({ statusCode: status }), envFor(marker));

    await handler(httpApiEvent({ path: '/fine' }), lambdaContext());
    status = 503;
    await handler(httpApiEvent({ path: '/down' }), lambdaContext());

    const mails = await mailsMarked(sesUrl, marker);
    expect(mails.map((m) => m.subject)).toEqual([
      `[${marker}] ERROR (EXTERNAL IP): Service Unavailable: /down`,
    ]);
  });

  it('sends nothing at all when DEBUG is on', async () => {
    const marker = randomUUID();
    const handler = wrap(
      async () => {
        throw new Error('x');
      },
      envFor(marker, { DEBUG: 'true' }),
    );

    await handler(httpApiEvent(), lambdaContext()).catch(() => {});

    expect(await mailsMarked(sesUrl, marker, 1, 300)).toEqual([]);
  });
});
