import fc from 'fast-check';

// The requests the differential test sends both to real Django (test/django/oracle.py) and to the
// library. Every value is one Django can take too: hosts that pass Django's host check, a path that
// is a path (no `?` or `#` on the wire, no leading `//`), and recipients as plain addresses (Django
// 3.2 wants (name, address) pairs and mails only the address).

/** What the handler (or Django's view) does. */
export type CaseOutcome = 'throw' | 'raise404' | number;

/** The settings of one case, as both sides read them. */
export interface CaseSettings {
  readonly ADMINS: readonly string[];
  readonly MANAGERS: readonly string[];
  /** Unset: both sides default to `root@localhost`. */
  readonly SERVER_EMAIL: string | undefined;
  readonly EMAIL_SUBJECT_PREFIX: string;
  readonly DEBUG: boolean;
  readonly INTERNAL_IPS: readonly string[];
  readonly APPEND_SLASH: boolean;
  readonly IGNORABLE_404_URLS: readonly string[];
  /** The library's `IGNORABLE_404_STARTS`; unset: its default. Django gets them as `^<escaped>` regexes. */
  readonly starts: readonly string[] | undefined;
  /** The library's `IGNORABLE_404_ENDS`; unset: its default. Django gets them as `<escaped>$` regexes. */
  readonly ends: readonly string[] | undefined;
}

/** One request, sent to both. */
export interface DjangoCase {
  readonly id: number;
  /** `http-api`: an HTTP API (v2) event through `withErrorMail`; `rest`: a REST (v1) event through middy. */
  readonly front: 'http-api' | 'rest';
  /** Sent through the real SES client to the local SES emulator instead of a recording transport. */
  readonly viaSes: boolean;
  readonly method: string;
  /** The path as it travels in the request line: percent-encoded, or raw. */
  readonly path: string;
  /** The query as it travels, without `?`; empty when there is none. */
  readonly query: string;
  /** For `rest`: the parameters API Gateway hands the function (decoded from `query`). */
  readonly params: readonly (readonly [string, string])[] | undefined;
  readonly host: string;
  /** `X-Forwarded-Proto`; null: absent (the request came in over https). */
  readonly proto: string | null;
  readonly ip: string;
  readonly userAgent: string | null;
  /** May hold `{host}`, `{full_path}` and `{full_path_minus_slash}`, which the oracle fills in. */
  readonly referer: string | null;
  readonly outcome: CaseOutcome;
  /** The value of the sensitive `api_key` parameter in the query, when there is one. */
  readonly secret: string | undefined;
  readonly settings: CaseSettings;
  /**
   * For a REST query that cannot be rebuilt as it travelled: the query we show instead (README,
   * "Where we differ from Django, on purpose").
   */
  readonly restShownQuery?: string | undefined;
}

/** The library's default `IGNORABLE_404_STARTS` and `_ENDS` (DESIGN.md section 2), for Django as regexes. */
export const DEFAULT_STARTS = ['/cgi-bin/', '/_vti_bin', '/_vti_inf'];
export const DEFAULT_ENDS = ['mail.pl', 'mailform.pl', 'mail.cgi', 'mailform.cgi', 'favicon.ico', '.php'];

/** The secret a case's `api_key` parameter carries: plain letters, so no shape rule hides it too. */
export const SECRET_VALUE = 'plainkey42';

// Path segments: plain, percent-encoded unicode, bidi and invisible characters, controls, backslash,
// broken UTF-8, broken percent-encoding, raw punctuation and raw unicode.
const SEGMENTS = [
  'orders',
  '42',
  'a.b',
  'caf%C3%A9',
  '%E2%82%AC',
  '%F0%9F%98%80',
  '%E2%80%AE',
  '%E2%80%8B',
  '%EF%BB%BF',
  '%E2%81%A6x',
  '%5C',
  '\\',
  '%0A',
  '%0D%0A',
  '%1B%5B31m',
  '%09',
  '%7F',
  '%C2%85',
  '%E2%80%A8',
  '%20',
  '%25',
  '%2F',
  '%3F',
  '%23',
  '%3b',
  '%C3',
  '%E9',
  '%FF',
  '%C3%28',
  '%E0%A4%A',
  '%ED%A0%80',
  '%F4%90%80%80',
  '%C0%AF',
  'caf%C3%A9%E9',
  '%zz',
  '%',
  '%4',
  '{x}',
  '|',
  '^',
  '`',
  "'",
  '"',
  '<b>',
  '[1]',
  ';v=1',
  'a=b',
  "!$&+,:@*()~'",
  'café',
  '€',
  'Ü',
  'x.php',
  'favicon.ico',
  'mail.pl',
];

const PREFIXES = ['', '', '', '/cgi-bin', '/_vti_bin', '/static', '/caf%C3%A9', '/admin', '/wp-admin'];

const path = (): fc.Arbitrary<string> =>
  fc.oneof(
    {
      weight: 9,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...PREFIXES),
          fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 4 }),
          fc.boolean(),
        )
        .map(([prefix, segments, slash]) => `${prefix}/${segments.join('/')}${slash ? '/' : ''}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('/', '/favicon.ico', '/index.php', '/cgi-bin/x', '/a//b/') },
    // Longer than the subject's 300 characters of path, before and after escaping.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('a', 'caf%C3%A9', '%E2%82%AC', '%F0%9F%98%80', '%1B', '%5C'), fc.nat(400))
        .map(([unit, n]) => `/${unit.repeat(Math.ceil((120 + n) / unit.length) + 60)}`),
    },
  );

// Query values for an HTTP API event, as they travel: every punctuation character but `#`, which
// never leaves the browser, percent-encodings of every kind, raw unicode.
const QUERY_VALUES = [
  '1',
  'a+b',
  'a%20b',
  '/a/b:c',
  '%2Fa%2Fb%3Ac',
  '{x}',
  '|',
  '"',
  '<>',
  '^',
  '`',
  '\\',
  "'",
  '!$()*,;:@[]~',
  '?x=y',
  'a=b=c',
  '%',
  '%zz',
  '%C3%A9',
  '%c3%a9',
  '%E9',
  '%0A',
  'é',
  '€',
  '😀',
  '\u202e',
  '-._',
];
const QUERY_NAMES = ['q', 'page', 'next', 'a', 'b', 'lang', 'x', 'é', '{n}', 'a b', 'x%5By%5D'];

const rawQuery = (): fc.Arbitrary<{ query: string; secret: string | undefined }> =>
  fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom(...QUERY_NAMES), fc.constantFrom(...QUERY_VALUES)), { maxLength: 4 }),
      fc.boolean(),
      fc.nat(9),
    )
    .map(([pairs, withSecret, at]) => {
      const parts = pairs.map(([name, value]) => `${name}=${value}`);
      if (withSecret && parts.length > 0) parts.splice(at % (parts.length + 1), 0, `api_key=${SECRET_VALUE}`);
      return { query: parts.join('&'), secret: withSecret && parts.length > 0 ? SECRET_VALUE : undefined };
    });

// The characters a REST parameter may hold once API Gateway has decoded it.
const PARAM_CHARS = [
  'a',
  'Z',
  '0',
  ' ',
  '+',
  '&',
  '=',
  '%',
  '#',
  '/',
  ':',
  '?',
  '@',
  '!',
  '$',
  "'",
  '(',
  ')',
  '*',
  ',',
  ';',
  '[',
  ']',
  '~',
  '-',
  '.',
  '_',
  '{',
  '}',
  '|',
  '"',
  '<',
  '>',
  '^',
  '`',
  '\\',
  '\n',
  'é',
  '€',
  '😀',
];
// Characters that must travel encoded for API Gateway to hand them back as they were.
const MUST_ENCODE = new Set(['&', '+', '%', '#', '\n']);
// Characters Django's iri_to_uri leaves literal: they travel literal, as a browser sends them.
const IRI_SAFE = /^[A-Za-z0-9_.~/#%[\]=:;$&()+,!?*@'-]$/;

function percent(ch: string): string {
  return [...Buffer.from(ch)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/**
 * One REST parameter as it travels: a space as `+`; what must be encoded, encoded; what Django would
 * leave literal, literal; anything else either way (Django encodes it all the same).
 */
function wireParam(text: string, isName: boolean, rawOthers: boolean): string {
  let out = '';
  for (const ch of text) {
    if (ch === ' ') out += '+';
    else if (MUST_ENCODE.has(ch) || (isName && ch === '=')) out += percent(ch);
    else if (ch === '=' || IRI_SAFE.test(ch) || rawOthers) out += ch;
    else out += percent(ch);
  }
  return out;
}

const paramText = (minLength: number) =>
  fc.array(fc.constantFrom(...PARAM_CHARS), { minLength, maxLength: 6 }).map((chars) => chars.join(''));

const restQuery = (): fc.Arbitrary<{
  query: string;
  params: (readonly [string, string])[];
  secret: string | undefined;
}> =>
  fc
    .tuple(
      fc.uniqueArray(fc.tuple(paramText(1), paramText(0)), { maxLength: 3, selector: ([name]) => name }),
      fc.boolean(),
      fc.boolean(),
    )
    .map(([pairs, rawOthers, withSecret]) => {
      const params: (readonly [string, string])[] = pairs.filter(([name]) => name !== 'api_key');
      if (withSecret) params.push(['api_key', SECRET_VALUE]);
      const query = params
        .map(([name, value]) => `${wireParam(name, true, rawOthers)}=${wireParam(value, false, rawOthers)}`)
        .join('&');
      return { query, params, secret: withSecret ? SECRET_VALUE : undefined };
    });

const HOSTS = [
  'example.com',
  'api.example.com',
  'Example.COM',
  'example.com:8443',
  'localhost:3000',
  '127.0.0.1:8000',
  '[::1]:8080',
  'abc123.execute-api.us-east-1.amazonaws.com',
];

// Referers of every kind: none, empty, internal, internal with `?`, external with and without `?`, a
// subdomain, a scheme in capitals, no slash after the host, relative, and equal to the URL itself.
const REFERERS: (string | null)[] = [
  null,
  null,
  '',
  'https://{host}/home',
  'http://{host}/search?q=1',
  'https://www.google.com/search?q=x',
  'https://other.example/page',
  'https://other.example/page?from=ad',
  'https://sub.{host}/',
  'HTTPS://{host}/x',
  'https://{host}',
  '/another/url/',
  '{full_path}',
  '{full_path_minus_slash}',
  'https://{host}{full_path}',
  'http://{host}{full_path}',
  '//{host}{full_path}',
  'ftp://{host}{full_path}',
  'https://other.example{full_path}',
  'https://{host}/caf\u00e9',
];

const ADDRESSES = [
  [],
  ['ops@example.com'],
  ['ops@example.com', 'dev@example.org', 'oncall@example.net'],
] as const;
const MANAGER_ADDRESSES = [[], ['content@example.com'], ['content@example.com', 'seo@example.org']] as const;

const IGNORABLE_URLS = [
  '^/admin',
  '\\.(php|asp)$',
  '/wp-',
  '^/caf%C3%A9',
  'next=',
  '%7B',
  '^/static/.*\\.map$',
  '[?&]page=',
];

const settings = (): fc.Arbitrary<CaseSettings> =>
  fc.record({
    ADMINS: fc.constantFrom(...ADDRESSES),
    MANAGERS: fc.constantFrom(...MANAGER_ADDRESSES),
    SERVER_EMAIL: fc.constantFrom(undefined, 'errors@example.com', 'Shop Errors <errors@example.com>'),
    EMAIL_SUBJECT_PREFIX: fc.constantFrom('[Django] ', '', '[shop-prod] ', '-X-', '[caf\u00e9] '),
    DEBUG: fc.boolean().chain((on) => (on ? fc.boolean() : fc.constant(false))),
    INTERNAL_IPS: fc.constantFrom([], ['127.0.0.1'], ['203.0.113.9', '10.0.0.5'], ['::1']),
    APPEND_SLASH: fc.boolean(),
    IGNORABLE_404_URLS: fc.subarray(IGNORABLE_URLS, { maxLength: 3 }),
    starts: fc.constantFrom(undefined, [], ['/static/', '/caf%C3%A9'], ['/admin']),
    ends: fc.constantFrom(undefined, [], ['.map', '/'], ['%7D']),
  });

const OUTCOMES: CaseOutcome[] = ['throw', 'throw', 'throw', 'raise404', 404, 404, 404, 404];
const OTHER_OUTCOMES: CaseOutcome[] = [500, 502, 503, 504, 599, 200, 301, 403, 410];

/**
 * Cases from `seed`: `count` in all, about one in ten through the local SES. Test files share one
 * emulator, so the subject prefix of those carries `marker` and the case number, to find its mail by.
 */
export function generateCases(seed: number, count: number, marker: string): DjangoCase[] {
  const one = fc
    .tuple(fc.constantFrom<'http-api' | 'rest'>('http-api', 'http-api', 'http-api', 'rest'), fc.nat(9))
    .chain(([front, draw]) =>
      fc.record({
        front: fc.constant(front),
        viaSes: fc.constant(draw === 0),
        method: fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
        path: path(),
        query:
          front === 'rest'
            ? restQuery()
            : rawQuery().map((q) => ({
                ...q,
                params: undefined as (readonly [string, string])[] | undefined,
              })),
        host: fc.constantFrom(...HOSTS),
        proto: fc.constantFrom(null, null, 'https', 'http', 'HTTPS', 'wss'),
        ip: fc.constantFrom('203.0.113.9', '127.0.0.1', '10.0.0.5', '::1', '198.51.100.7'),
        userAgent: fc.constantFrom(
          null,
          'Mozilla/5.0',
          'curl/8.5.0',
          'Googlebot/2.1 (+http://www.google.com/bot.html)',
          'Bot \u2713',
        ),
        referer: fc.constantFrom(...REFERERS),
        outcome: fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...OUTCOMES) },
          { weight: 1, arbitrary: fc.constantFrom(...OTHER_OUTCOMES) },
        ),
        settings: settings(),
      }),
    );
  return fc.sample(one, { seed, numRuns: count }).map((c, id) => ({
    id,
    front: c.front,
    viaSes: c.viaSes,
    method: c.method,
    path: c.path,
    query: c.query.query,
    params: c.query.params,
    host: c.host,
    proto: c.proto,
    ip: c.ip,
    userAgent: c.userAgent,
    referer: c.referer,
    outcome: c.outcome,
    secret: c.query.secret,
    settings: c.viaSes
      ? { ...c.settings, EMAIL_SUBJECT_PREFIX: `[${marker}-${id}] ${c.settings.EMAIL_SUBJECT_PREFIX}` }
      : c.settings,
  }));
}

/**
 * REST queries that API Gateway hands over decoded, so that how they travelled is lost: a space sent
 * as `%20`, a `/` or `:` sent encoded, lower-case escapes, the order of repeated names, a name without
 * `=`. Each with the query we show instead of Django's.
 */
export function unrecoverableRestCases(firstId: number): DjangoCase[] {
  const rows: [query: string, params: [string, string][], shown: string][] = [
    [
      'q=a%20b&next=%2Fa%2Fb%3Ac',
      [
        ['q', 'a b'],
        ['next', '/a/b:c'],
      ],
      'q=a+b&next=/a/b:c',
    ],
    ['x=%7b%c3%a9', [['x', '{\u00e9']], 'x=%7B%C3%A9'],
    [
      'a=1&b=2&a=3',
      [
        ['a', '1'],
        ['a', '3'],
        ['b', '2'],
      ],
      'a=1&a=3&b=2',
    ],
    [
      'flag&q=1',
      [
        ['flag', ''],
        ['q', '1'],
      ],
      'flag=&q=1',
    ],
  ];
  return rows.map(([query, params, shown], index) => ({
    id: firstId + index,
    front: 'rest',
    viaSes: false,
    method: 'GET',
    path: '/search',
    query,
    params,
    host: 'example.com',
    proto: null,
    ip: '203.0.113.9',
    userAgent: 'Mozilla/5.0',
    referer: 'https://{host}/home',
    outcome: index % 2 === 0 ? 'throw' : 404,
    secret: undefined,
    settings: {
      ADMINS: ['ops@example.com'],
      MANAGERS: ['content@example.com'],
      SERVER_EMAIL: 'errors@example.com',
      EMAIL_SUBJECT_PREFIX: '[Django] ',
      DEBUG: false,
      INTERNAL_IPS: [],
      APPEND_SLASH: true,
      IGNORABLE_404_URLS: [],
      starts: [],
      ends: [],
    },
    restShownQuery: shown,
  }));
}
