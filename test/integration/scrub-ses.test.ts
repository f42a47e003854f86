import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { withErrorMail } from '../../src/index.js';
import { lambdaContext } from '../helpers/events.js';
import { mailsMarked } from '../helpers/local-ses.js';
import { mailEnv } from '../helpers/recording-transport.js';

const sesUrl = inject('sesUrl');

// HTTP API events that lack the parts the library reads a request from: reported as direct
// invocations, the whole event shown in the mail.
const SECRET = 'PLANTapiKeyInQuery7f3a';
const events = {
  'without requestContext': {
    version: '2.0',
    routeKey: 'GET /orders',
    rawPath: '/orders',
    rawQueryString: `page=2&api_key=${SECRET}&sort=desc`,
    headers: { host: 'abc123.execute-api.us-east-1.amazonaws.com' },
  },
  'whose requestContext has no http member': {
    version: '2.0',
    routeKey: 'GET /orders',
    rawPath: '/orders',
    rawQueryString: `page=2&api%5Fkey=${SECRET}&sort=desc`,
    requestContext: { apiId: 'abc123', routeKey: 'GET /orders', stage: '$default' },
  },
};

describe('a v2 event that is not read as a request, through the real SES client', () => {
  it.each(Object.entries(events))(
    'a v2 event %s arrives with its api_key hidden and its routeKey shown',
    async (_name, event) => {
      const marker = randomUUID();
      const failure = new TypeError('cannot read properties of undefined');
      const handler = withErrorMail(
        async (_event: unknown) => {
          throw failure;
        },
        { env: mailEnv({ EMAIL_SUBJECT_PREFIX: `[${marker}] ` }) },
      );

      const caught = await handler(event, lambdaContext({ functionName: 'shop-prod-api' })).catch(
        (e: unknown) => e,
      );

      expect(caught).toBe(failure);
      const mails = await mailsMarked(sesUrl, marker);
      expect(mails).toHaveLength(1);
      const { text = '', html = '' } = mails[0]?.body ?? {};
      expect(text).not.toContain(SECRET);
      expect(html).not.toContain(SECRET);
      expect(html).toMatch(
        /&quot;rawQueryString&quot;: &quot;page=2&amp;api(_|%5F)key=\*{20}&amp;sort=desc&quot;/,
      );
      expect(html).toContain('&quot;routeKey&quot;: &quot;GET /orders&quot;');
    },
  );

  it('shows the apiId of the event whose requestContext has no http member', async () => {
    const marker = randomUUID();
    const handler = withErrorMail(
      async (_event: unknown) => {
        throw new Error('no route');
      },
      { env: mailEnv({ EMAIL_SUBJECT_PREFIX: `[${marker}] ` }) },
    );

    await handler(events['whose requestContext has no http member'], lambdaContext()).catch(() => {});

    const mails = await mailsMarked(sesUrl, marker);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.body.html).toContain('&quot;apiId&quot;: &quot;abc123&quot;');
    expect(`${mails[0]?.body.text}${mails[0]?.body.html}`).not.toContain(SECRET);
  });
});
