import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../helpers/fast-check.js';
import { escapeHtml } from '../../src/core/render/html.js';
import { anyText, plantedSecret, queryWithSecret } from '../helpers/arbitraries.js';
import { albEvent, httpApiEvent, restEvent } from '../helpers/events.js';
import { mailOfThrow } from '../helpers/thrown-mail.js';

// How a query travels in a string: alone, as the query of a URL or a path, or in text around one.
const carriedQuery = fc
  .record({
    planted: queryWithSecret(),
    how: fc.constantFrom('alone', 'url', 'path', 'url-in-text', 'path-in-text'),
    host: fc.constantFrom('shop.example', 'api.shop.example', 'b.s3.amazonaws.com:443'),
    path: fc.constantFrom('', '/', '/cb', '/orders/o-101', '/a%20b/'),
    fragment: fc.constantFrom('', '#top', '#state=1'),
    before: anyText().filter((text) => text.length < 100),
    after: anyText().filter((text) => text.length < 100),
    space: fc.constantFrom(' ', '\n', '\t'),
  })
  .map(({ planted, how, host, path, fragment, before, after, space }) => {
    const url = `https://${host}${path}?${planted.query}${fragment}`;
    const relative = `${path || '/'}?${planted.query}${fragment}`;
    const text = {
      alone: planted.query,
      url,
      path: relative,
      'url-in-text': `${before}${space}${url}${space}${after}`,
      'path-in-text': `${before}${space}${relative}${space}${after}`,
    }[how];
    return { text, secret: planted.secret };
  });

/** `value` put at the end of `keys` inside `base` (which it may replace). */
function placed(base: unknown, keys: readonly string[], value: unknown): unknown {
  if (keys.length === 0) return value;
  const [key, ...rest] = keys as [string, ...string[]];
  const object: Record<string, unknown> =
    typeof base === 'object' && base !== null && !Array.isArray(base) ? { ...base } : {};
  Object.defineProperty(object, key, {
    value: placed(object[key], rest, value),
    enumerable: true,
    configurable: true,
    writable: true,
  });
  return object;
}

// Events of every kind the library reads, each with the string somewhere a person's data travels.
const eventCarrying = (text: string): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constant({ version: '2.0', routeKey: 'GET /orders', rawPath: '/orders', rawQueryString: text }),
    fc.constant({ Records: [{ eventSource: 'aws:sqs', messageId: 'm1', body: text }] }),
    fc.constant({
      Records: [{ eventSource: 'aws:sqs', messageId: 'm1', body: JSON.stringify({ callback: text }) }],
    }),
    fc.constant({ Records: [{ EventSource: 'aws:sns', Sns: { Type: 'Notification', Message: text } }] }),
    fc.constant({ source: 'shop', 'detail-type': 'order', detail: { returnUrl: text } }),
    fc.constant(httpApiEvent({ headers: { referer: text }, body: text })),
    fc.constant(restEvent({ headers: { 'X-Return-To': text }, body: JSON.stringify({ next: text }) })),
    fc.constant(albEvent({ body: text, headers: { 'content-type': 'text/plain' } })),
    fc.constant(text),
    // Any shape at all, the string at any depth under any names.
    fc
      .tuple(
        fc.object({ maxDepth: 2, maxKeys: 4 }),
        fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('Records', 'body', 'detail', 'url')), {
          minLength: 1,
          maxLength: 5,
        }),
      )
      .map(([base, keys]) => placed(base, keys, text)),
  );

describe('a query with a sensitive parameter, anywhere in an event', () => {
  it('never shows its value in the text or the HTML part, in the query fields of any event shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        queryWithSecret(),
        fc.constantFrom('no-context', 'http-api', 'rest', 'alb', 'sqs'),
        async ({ query, secret }, shape) => {
          const pairs = query.split('&').map((pair) => {
            const eq = pair.indexOf('=');
            return eq === -1 ? ([pair, ''] as const) : ([pair.slice(0, eq), pair.slice(eq + 1)] as const);
          });
          const decoded = (text: string) => {
            try {
              return decodeURIComponent(text);
            } catch {
              return text;
            }
          };
          const asSent: Record<string, string[]> = {};
          const asDecoded: Record<string, string[]> = {};
          for (const [name, value] of pairs) {
            asSent[name] = [...(asSent[name] ?? []), value];
            asDecoded[decoded(name)] = [...(asDecoded[decoded(name)] ?? []), decoded(value)];
          }
          const single = (map: Record<string, string[]>) =>
            Object.fromEntries(Object.entries(map).map(([name, values]) => [name, values.at(-1)]));
          const event = {
            'no-context': {
              version: '2.0',
              routeKey: 'GET /orders',
              rawPath: '/orders',
              rawQueryString: query,
            },
            'http-api': { ...httpApiEvent(), rawQueryString: query },
            rest: {
              ...restEvent(),
              queryStringParameters: single(asDecoded),
              multiValueQueryStringParameters: asDecoded,
            },
            alb: {
              ...albEvent(),
              queryStringParameters: single(asSent),
              multiValueQueryStringParameters: asSent,
            },
            sqs: {
              Records: [
                {
                  eventSource: 'aws:sqs',
                  messageId: 'm1',
                  body: JSON.stringify({ queryStringParameters: single(asSent), rawQueryString: query }),
                },
              ],
            },
          }[shape];

          const mail = await mailOfThrow(event);

          expect(mail.text).not.toContain(secret);
          expect(mail.html).not.toContain(secret);
          expect(`${mail.text}${mail.html}`).toContain('********************');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never shows its value in the text or the HTML part, in any string of an event of any shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        carriedQuery.chain(({ text, secret }) => eventCarrying(text).map((event) => ({ event, secret }))),
        async ({ event, secret }) => {
          const mail = await mailOfThrow(event);

          expect(mail.subject).not.toContain(secret);
          expect(mail.text).not.toContain(secret);
          expect(mail.html).not.toContain(secret);
        },
      ),
      { numRuns: 400 },
    );
  });
});

function sample(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../events/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** The event with the member at `path` (keys and array indexes) set to `value`. */
function withMember(event: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy: unknown = structuredClone(event);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1) as string | number] = value;
  return copy;
}

// AWS's structural members whose names match the sensitive-name rule, where the sample events hold them.
const EXEMPT: readonly (readonly [string, string])[] = [
  ['http-api-500.json', 'routeKey'],
  ['http-api-500.json', 'requestContext.routeKey'],
  ['http-api-500.json', 'requestContext.apiId'],
  ['function-url-500.json', 'requestContext.apiId'],
  ['api-gateway-rest-500.json', 'requestContext.apiId'],
  ['api-gateway-rest-500.json', 'requestContext.identity.apiKeyId'],
  ['api-gateway-rest-500.json', 'requestContext.identity.cognitoAuthenticationType'],
  ['api-gateway-rest-500.json', 'requestContext.identity.cognitoAuthenticationProvider'],
  ['s3.json', 'Records.0.s3.object.key'],
  ['kinesis.json', 'Records.0.kinesis.partitionKey'],
  ['sns.json', 'Records.0.Sns.SignatureVersion'],
  ['an S3 event through EventBridge', 'detail.object.key'],
  ['a v2 event without requestContext', 'routeKey'],
];
const OTHER_EVENTS: Readonly<Record<string, unknown>> = {
  'an S3 event through EventBridge': {
    ...sample('eventbridge.json'),
    source: 'aws.s3',
    'detail-type': 'Object Created',
    detail: { bucket: { name: 'shop-invoices' }, object: { key: 'a.pdf' } },
  },
  'a v2 event without requestContext': { version: '2.0', routeKey: 'GET /orders', rawPath: '/orders' },
};

// What AWS puts there: ids, routes, file names; never `=`, `?` or `#`, which would make a query.
const structuralValue = fc.stringMatching(/^[A-Za-z0-9 /$_.{}+:,-]{1,40}$/);

describe("AWS's structural members", () => {
  it.each(EXEMPT)('%s shows %s as it is in the mail', async (name, where) => {
    const event = OTHER_EVENTS[name] ?? sample(name);
    const path = where.split('.').map((key) => (/^\d+$/.test(key) ? Number(key) : key));
    await fc.assert(
      fc.asyncProperty(structuralValue, async (value) => {
        const member = `${JSON.stringify(path.at(-1))}: ${JSON.stringify(value)}`;

        const mail = await mailOfThrow(withMember(event, path, value));

        expect(mail.html).toContain(escapeHtml(member));
      }),
      { numRuns: 25 },
    );
  });

  it("shows a DynamoDB record's Keys, and still hides an attribute in them named like a secret", async () => {
    const event = withMember(sample('dynamodb-stream.json'), ['Records', 0, 'dynamodb', 'Keys'], {
      pk: { S: 'order#o-101' },
      sessionToken: { S: 'PLANTsessionValue1234' },
    });

    const mail = await mailOfThrow(event);

    expect(mail.text).toContain('"S": "order#o-101"');
    expect(mail.text).toContain('"sessionToken": "********************"');
    expect(`${mail.text}${mail.html}`).not.toContain('PLANTsessionValue1234');
  });

  it('keeps the real credentials hidden: the REST API key, the authorizer, Authorization, cookies, the SNS signature', async () => {
    const secrets = fc.sample(plantedSecret(), 6);
    const [apiKey, claim, auth, cookie, signature, token] = secrets as [string, ...string[]];
    const rest = restEvent({ headers: { Authorization: `Bearer ${auth}`, Cookie: `sessionid=${cookie}` } });
    rest.requestContext.identity.apiKey = apiKey;
    rest.requestContext.identity.apiKeyId = 'k-1';
    (rest.requestContext as { authorizer: unknown }).authorizer = { claims: { email: claim } };
    const sns = withMember(sample('sns.json'), ['Records', 0, 'Sns', 'Signature'], signature);
    const v2 = {
      ...httpApiEvent(),
      requestContext: { ...httpApiEvent().requestContext, authorizer: { jwt: { token } } },
    };

    const mails = [await mailOfThrow(rest), await mailOfThrow(sns), await mailOfThrow(v2)];

    const all = mails.map((mail) => `${mail.text}${mail.html}`).join('');
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(mails[0]?.html).toContain(escapeHtml('"apiKeyId": "k-1"'));
  });
});
