import fc from 'fast-check';

/** A value that cannot occur in a report by chance, so finding it in a mail means a leak. */
export const plantedSecret = (): fc.Arbitrary<string> =>
  fc.stringMatching(/^[A-Za-z0-9]{16,24}$/).map((s) => `PLANT${s}`);

/** Text of any kind, short, empty, unicode, control characters, or huge. */
export const anyText = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom('', '%', '%ZZ', '%E0%A4%A', '\r\n', '\u0000', '\u2028', '\\') },
    { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 2_000_000 }).map((n) => 'x'.repeat(n)) },
  );

/** A value of the wrong type, where a string or object belongs. */
export const wrongType = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.integer(),
    fc.boolean(),
    fc.array(fc.anything(), { maxLength: 3 }),
    fc.anything({ maxDepth: 2 }),
  );

/** A header name, in every case, so duplicates in different cases appear. */
export const headerName = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(
      'host',
      'Host',
      'HOST',
      'user-agent',
      'User-Agent',
      'referer',
      'Referer',
      'cookie',
      'Cookie',
    ),
    fc.constantFrom(
      'x-forwarded-for',
      'X-Forwarded-For',
      'x-forwarded-proto',
      'content-type',
      'Content-Type',
    ),
    fc.string({ maxLength: 20 }),
  );

function maybe<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | unknown> {
  return fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: wrongType() });
}

const headers = () =>
  maybe(fc.dictionary(headerName(), maybe(anyText()) as fc.Arbitrary<string>, { maxKeys: 12 }));
const multiHeaders = () =>
  maybe(fc.dictionary(headerName(), maybe(fc.array(maybe(anyText()), { maxLength: 4 })), { maxKeys: 12 }));
const body = () =>
  maybe(
    fc.oneof(
      anyText(),
      fc.base64String({ maxLength: 200 }),
      fc.json({ maxDepth: 4 }),
      fc.integer({ min: 1, max: 20_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    ),
  );

/** Events shaped like HTTP API, REST and ALB events, with any field missing, mistyped, huge or garbled. */
export const garbledHttpEvent = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.record(
      {
        version: fc.constantFrom('2.0', '2.0', 2, '1.0'),
        rawPath: maybe(anyText()),
        rawQueryString: maybe(anyText()),
        headers: headers(),
        cookies: maybe(fc.array(maybe(anyText()), { maxLength: 5 })),
        requestContext: maybe(
          fc.record(
            {
              domainName: maybe(anyText()),
              http: maybe(
                fc.record(
                  { method: maybe(anyText()), path: maybe(anyText()), sourceIp: maybe(anyText()) },
                  {
                    requiredKeys: [],
                  },
                ),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
        body: body(),
        isBase64Encoded: maybe(fc.boolean()),
      },
      { requiredKeys: [] },
    ),
    fc.record(
      {
        httpMethod: maybe(anyText()),
        path: maybe(anyText()),
        headers: headers(),
        multiValueHeaders: multiHeaders(),
        queryStringParameters: maybe(fc.dictionary(anyText(), maybe(anyText()), { maxKeys: 5 })),
        multiValueQueryStringParameters: maybe(
          fc.dictionary(anyText(), maybe(fc.array(maybe(anyText()), { maxLength: 3 })), { maxKeys: 5 }),
        ),
        requestContext: maybe(
          fc.record(
            {
              elb: maybe(fc.object({ maxDepth: 1 })),
              identity: maybe(fc.record({ sourceIp: maybe(anyText()) })),
            },
            { requiredKeys: [] },
          ),
        ),
        body: body(),
        isBase64Encoded: maybe(fc.boolean()),
      },
      { requiredKeys: [] },
    ),
  );

/** Anything at all as an event: plain values, circular objects, deep nesting. */
export const anyEvent = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    garbledHttpEvent(),
    fc.anything(),
    fc.constant(undefined),
    garbledHttpEvent().map((event) => {
      if (typeof event === 'object' && event !== null) (event as Record<string, unknown>).self = event;
      return event;
    }),
    fc.integer({ min: 1, max: 5000 }).map((depth) => {
      let nested: Record<string, unknown> = { version: '2.0', rawPath: '/deep' };
      for (let i = 0; i < depth; i++) nested = { requestContext: nested, headers: nested };
      return nested;
    }),
  );

// A parameter name as a client may write it: as it is, in capitals or percent-encoded, letter by letter.
const writtenName = (name: string) =>
  fc
    .array(fc.constantFrom('plain', 'encoded', 'upper'), { minLength: name.length, maxLength: name.length })
    .map((ways) =>
      [...name]
        .map((char, i) =>
          ways[i] === 'encoded'
            ? `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`
            : ways[i] === 'upper'
              ? char.toUpperCase()
              : char,
        )
        .join(''),
    );
const sensitiveName = () =>
  fc
    .constantFrom('api_key', 'access_token', 'password', 'X-Amz-Signature', 'X-Amz-Credential', 'sessionid')
    .chain(writtenName);
const harmlessName = () => fc.constantFrom('page', 'q', 'sort', 'lang', 'next', 'id', 'utm_source', 'x');
const harmlessValue = () =>
  fc.oneof(
    fc.string({ maxLength: 12 }).map(encodeURIComponent),
    fc.constantFrom('', 'a+b', '%ZZ', '%E0%A4%A', '1,2', '~', '/home', '%2Fcart'),
  );
/** A query pair without a sensitive name: `page=2`, `q=a+b`, a bare `flag`, `a=b=c`. */
export const harmlessQueryPair = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.tuple(harmlessName(), harmlessValue()).map(([n, v]) => `${n}=${v}`) },
    { weight: 1, arbitrary: fc.constantFrom('flag', '', 'a=b=c') },
  );

/** A query with one sensitive parameter among harmless ones, and the secret it carries. */
export const queryWithSecret = (): fc.Arbitrary<{ query: string; secret: string }> =>
  fc
    .record({
      before: fc.array(harmlessQueryPair(), { maxLength: 4 }),
      name: sensitiveName(),
      secret: plantedSecret(),
      after: fc.array(harmlessQueryPair(), { maxLength: 4 }),
    })
    .map(({ before, name, secret, after }) => ({
      query: [...before, `${name}=${secret}`, ...after].join('&'),
      secret,
    }));
