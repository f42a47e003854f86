import { DEFAULT_LIMITS } from '../report/limits.js';

/** The HTTP front doors whose events we read. */
export type RequestSource = 'api-gateway-rest' | 'api-gateway-http' | 'alb' | 'function-url';

/** A header or cookie as received: repeated names stay as separate entries. */
export type NameValue = readonly [name: string, value: string];

/** The request body as it will be shown. */
export interface RequestBody {
  /** The text shown: the decoded body, cut at the cap. Empty for a binary body. */
  readonly text: string;
  /** Total size of the decoded body in bytes. */
  readonly bytes: number;
  /** Bytes left out past the cap. */
  readonly omittedBytes: number;
  /** True when the decoded body is not UTF-8 text. */
  readonly binary: boolean;
  /** True when API Gateway delivered the body base64-encoded. */
  readonly wasBase64: boolean;
}

/** Everything the reports need from an HTTP event, whatever its shape. */
export interface RequestInfo {
  readonly source: RequestSource;
  readonly method: string;
  /** The Host header, else `requestContext.domainName`. */
  readonly host: string | undefined;
  /**
   * `https` when `X-Forwarded-Proto` is absent (every front door serves https) or its first entry is
   * exactly `https`; `http` for any other value, as Django's `SECURE_PROXY_SSL_HEADER` reads it.
   */
  readonly scheme: 'http' | 'https';
  /** The decoded path, Django's `request.path`: bytes that are not UTF-8 stay percent-encoded. */
  readonly path: string;
  /** The path percent-encoded as Django's `escape_uri_path` does. */
  readonly escapedPath: string;
  /** The route that matched (`GET /orders/{id}`), else the method and path: groups reports of one endpoint. */
  readonly route: string;
  /**
   * The query string as it travelled, without `?`; empty when there is none. A REST event has only
   * the decoded parameters: rebuilt from them (see `rebuildQuery`).
   */
  readonly rawQuery: string;
  readonly headers: readonly NameValue[];
  readonly cookies: readonly NameValue[];
  readonly sourceIp: string | undefined;
  readonly userAgent: string | undefined;
  readonly referer: string | undefined;
  readonly body: RequestBody | undefined;
}

/** Bytes of body kept from the event; the rest is counted, not kept. */
export const MAX_BODY_BYTES = DEFAULT_LIMITS.bodyBytes;

type Bag = Record<string, unknown>;

function isBag(value: unknown): value is Bag {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Reads an API Gateway REST (v1), HTTP API (v2), ALB or Function URL event.
 * Returns `undefined` for anything else (SQS, a direct invocation...).
 */
export function readRequest(event: unknown): RequestInfo | undefined {
  if (!isBag(event)) return undefined;
  const context = isBag(event.requestContext) ? event.requestContext : {};
  const http = isBag(context.http) ? context.http : undefined;

  if (event.version === '2.0' && http !== undefined) {
    const domain = str(context.domainName);
    const source: RequestSource = domain?.includes('.lambda-url.') ? 'function-url' : 'api-gateway-http';
    const headers = readHeaders(event.headers, undefined);
    const cookies = Array.isArray(event.cookies)
      ? event.cookies.filter((c): c is string => typeof c === 'string').flatMap(parseCookieHeader)
      : [];
    const rawPath = str(event.rawPath) ?? str(http.path) ?? '/';
    const routeKey = str(event.routeKey);
    return build({
      source,
      method: str(http.method) ?? 'GET',
      routeTemplate: routeKey === undefined || routeKey === '$default' ? undefined : routeKey,
      domain,
      rawPath,
      rawQuery: str(event.rawQueryString) ?? '',
      headers,
      extraCookies: cookies,
      sourceIp: str(http.sourceIp),
      body: event.body,
      isBase64: event.isBase64Encoded === true,
    });
  }

  const method = str(event.httpMethod);
  if (method === undefined) return undefined;
  const isAlb = isBag(context.elb);
  const headers = readHeaders(event.headers, event.multiValueHeaders);
  const identity = isBag(context.identity) ? context.identity : {};
  const forwardedFor = findHeader(headers, 'x-forwarded-for')?.split(',')[0]?.trim();
  const resource = str(event.resource);
  return build({
    source: isAlb ? 'alb' : 'api-gateway-rest',
    method,
    routeTemplate: resource === undefined ? undefined : `${method} ${resource}`,
    domain: str(context.domainName),
    rawPath: str(event.path) ?? '/',
    // ALB passes query parameters exactly as sent; API Gateway decodes them.
    rawQuery: isAlb
      ? joinQuery(event.queryStringParameters, event.multiValueQueryStringParameters, (s) => s)
      : joinQuery(event.queryStringParameters, event.multiValueQueryStringParameters, encodeQueryPart),
    headers,
    extraCookies: [],
    sourceIp: str(identity.sourceIp) ?? (forwardedFor === '' ? undefined : forwardedFor),
    body: event.body,
    isBase64: event.isBase64Encoded === true,
  });
}

interface Parts {
  source: RequestSource;
  method: string;
  /** `routeKey` (HTTP API) or `resource` (REST), when the front door matched a route. */
  routeTemplate: string | undefined;
  domain: string | undefined;
  rawPath: string;
  rawQuery: string;
  headers: NameValue[];
  extraCookies: NameValue[];
  sourceIp: string | undefined;
  body: unknown;
  isBase64: boolean;
}

function build(parts: Parts): RequestInfo {
  const { headers } = parts;
  const path = decodePath(parts.rawPath);
  const proto = findHeader(headers, 'x-forwarded-proto')?.split(',')[0]?.trim();
  // HTTP API moves cookies into `cookies`; a local emulator may also leave the header: read one source.
  const cookies =
    parts.extraCookies.length > 0
      ? parts.extraCookies
      : headers
          .filter(([name]) => name.toLowerCase() === 'cookie')
          .flatMap(([, value]) => parseCookieHeader(value));
  return {
    source: parts.source,
    method: parts.method,
    host: findHeader(headers, 'host') ?? parts.domain,
    scheme: proto === undefined || proto === 'https' ? 'https' : 'http',
    path,
    escapedPath: escapeUriPath(path),
    route: parts.routeTemplate ?? `${parts.method} ${path}`,
    rawQuery: parts.rawQuery,
    headers,
    cookies,
    sourceIp: parts.sourceIp,
    userAgent: findHeader(headers, 'user-agent'),
    referer: findHeader(headers, 'referer'),
    body: readBody(parts.body, parts.isBase64),
  };
}

/** The first value of a header, by case-insensitive name. */
export function findHeader(headers: readonly NameValue[], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of headers) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** Django's `get_full_path()`: the escaped path, then `?` and the query (as a URI) when there is one. */
export function fullPath(request: RequestInfo): string {
  return request.rawQuery === ''
    ? request.escapedPath
    : `${request.escapedPath}?${iriToUri(request.rawQuery)}`;
}

function readHeaders(single: unknown, multi: unknown): NameValue[] {
  const out: NameValue[] = [];
  // REST and ALB events may carry both maps; the multi-value one holds every value.
  if (isBag(multi)) {
    for (const [name, values] of Object.entries(multi)) {
      if (Array.isArray(values)) {
        for (const value of values) if (typeof value === 'string') out.push([name, value]);
      } else if (typeof values === 'string') {
        out.push([name, values]);
      }
    }
    if (out.length > 0) return out;
  }
  if (isBag(single)) {
    for (const [name, value] of Object.entries(single)) {
      if (typeof value === 'string') out.push([name, value]);
    }
  }
  return out;
}

function joinQuery(single: unknown, multi: unknown, encode: (s: string, isName: boolean) => string): string {
  const pairs: string[] = [];
  const add = (name: string, value: unknown) => {
    if (typeof value === 'string') pairs.push(`${encode(name, true)}=${encode(value, false)}`);
  };
  if (isBag(multi)) {
    for (const [name, values] of Object.entries(multi)) {
      if (Array.isArray(values)) for (const value of values) add(name, value);
      else add(name, values);
    }
  }
  if (pairs.length === 0 && isBag(single)) {
    for (const [name, value] of Object.entries(single)) add(name, value);
  }
  return pairs.join('&');
}

function parseCookieHeader(header: string): NameValue[] {
  const out: NameValue[] = [];
  for (const part of header.split(';')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    out.push(eq === -1 ? ['', trimmed] : [trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim()]);
  }
  return out;
}

// Django's escape_uri_path keeps these unescaped besides encodeURIComponent's own set.
const URI_PATH_SAFE = /%(2F|3A|40|26|2B|24|2C)/gi;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function escapeUriPath(path: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(path);
  } catch {
    // A lone surrogate cannot be encoded; encode it as U+FFFD instead.
    encoded = encodeURIComponent(path.replace(LONE_SURROGATE, '\uFFFD'));
  }
  return encoded.replace(URI_PATH_SAFE, (match) => decodeURIComponent(match));
}

// What Django's iri_to_uri leaves as it is: RFC 3986's reserved and unreserved characters, and `%`.
const IRI_SAFE = /^[A-Za-z0-9_.~/#%[\]=:;$&()+,!?*@'-]*$/;
const IRI_UNSAFE = /[^A-Za-z0-9_.~/#%[\]=:;$&()+,!?*@'-]+/g;

function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text.replace(LONE_SURROGATE, '\uFFFD'))) {
    out += `%${byte < 16 ? '0' : ''}${byte.toString(16).toUpperCase()}`;
  }
  return out;
}

/**
 * Django's `iri_to_uri`: every character outside RFC 3986's reserved and unreserved sets, `%` aside,
 * percent-encoded as UTF-8, so `{ } | " < > ^` and the backtick, spaces and non-ASCII read as a URI.
 * An existing escape stays as it is.
 * @example
 * iriToUri('q={café}'); // 'q=%7Bcaf%C3%A9%7D'
 */
export function iriToUri(text: string): string {
  return IRI_SAFE.test(text) ? text : text.replace(IRI_UNSAFE, percentEncode);
}

// In a rebuilt REST query these must stay encoded to mean what they meant: the separators, `+`
// (a space), `%` and `#`; `=` only in a name.
const QUERY_NAME_ENCODED = /[&=+%#]/g;
const QUERY_VALUE_ENCODED = /[&+%#]/g;

/**
 * One decoded REST query name or value written back as it most likely travelled: a space as `+`
 * (as forms and URLSearchParams send it), what must stay encoded encoded, everything Django would
 * leave literal literal, the rest percent-encoded as Django's `iri_to_uri` writes it.
 */
function encodeQueryPart(text: string, isName: boolean): string {
  return iriToUri(
    text.replace(isName ? QUERY_NAME_ENCODED : QUERY_VALUE_ENCODED, percentEncode).replace(/ /g, '+'),
  );
}

/**
 * A raw path decoded as Django reads one: each valid `%XX` becomes its byte (any other `%` stays as
 * it is, as Python's `unquote_to_bytes` leaves it), the bytes are read as UTF-8, and a byte that is
 * not part of a well-formed UTF-8 sequence is percent-encoded again (`repercent_broken_unicode`).
 * @example
 * decodePath('/caf%C3%A9/%E9/%zz'); // '/café/%E9/%zz'
 */
export function decodePath(raw: string): string {
  if (!raw.includes('%')) return raw;
  const bytes = percentDecode(raw);
  let out = '';
  let start = 0;
  let at = 0;
  while (at < bytes.length) {
    const length = utf8SequenceLength(bytes, at);
    if (length > 0) {
      at += length;
      continue;
    }
    out += `${bytes.toString('utf8', start, at)}%${(bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0')}`;
    at += 1;
    start = at;
  }
  return out + bytes.toString('utf8', start, at);
}

const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;

function percentDecode(raw: string): Buffer {
  const parts: Buffer[] = [];
  const pieces = raw.split('%');
  parts.push(Buffer.from(pieces[0] ?? ''));
  for (const piece of pieces.slice(1)) {
    const pair = piece.slice(0, 2);
    if (HEX_PAIR.test(pair))
      parts.push(Buffer.from([Number.parseInt(pair, 16)]), Buffer.from(piece.slice(2)));
    else parts.push(Buffer.from(`%${piece}`));
  }
  return Buffer.concat(parts);
}

/** The length of the well-formed UTF-8 sequence at `at` (Unicode's table 3-7), or 0 when there is none. */
function utf8SequenceLength(bytes: Buffer, at: number): number {
  const first = bytes[at] ?? 0;
  if (first < 0x80) return 1;
  const inRange = (offset: number, low: number, high: number) => {
    const byte = bytes[at + offset];
    return byte !== undefined && byte >= low && byte <= high;
  };
  if (first >= 0xc2 && first <= 0xdf) return inRange(1, 0x80, 0xbf) ? 2 : 0;
  if (first >= 0xe0 && first <= 0xef) {
    const [low, high] = first === 0xe0 ? [0xa0, 0xbf] : first === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return inRange(1, low, high) && inRange(2, 0x80, 0xbf) ? 3 : 0;
  }
  if (first >= 0xf0 && first <= 0xf4) {
    const [low, high] = first === 0xf0 ? [0x90, 0xbf] : first === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return inRange(1, low, high) && inRange(2, 0x80, 0xbf) && inRange(3, 0x80, 0xbf) ? 4 : 0;
  }
  return 0;
}

function readBody(body: unknown, isBase64: boolean): RequestBody | undefined {
  if (typeof body !== 'string' || body === '') return undefined;
  if (isBase64) {
    const bytes = Buffer.from(body, 'base64');
    const shown = bytes.subarray(0, MAX_BODY_BYTES);
    let text: string;
    try {
      // stream: true tolerates a character cut in two at the cap; a fresh decoder keeps no state.
      text = new TextDecoder('utf-8', { fatal: true }).decode(shown, { stream: true });
    } catch {
      return { text: '', bytes: bytes.length, omittedBytes: bytes.length, binary: true, wasBase64: true };
    }
    return {
      text,
      bytes: bytes.length,
      omittedBytes: bytes.length - shown.length,
      binary: false,
      wasBase64: true,
    };
  }
  const bytes = Buffer.byteLength(body);
  if (bytes <= MAX_BODY_BYTES) {
    return { text: body, bytes, omittedBytes: 0, binary: false, wasBase64: false };
  }
  // Every character is at least one byte, so the first MAX_BODY_BYTES characters hold the cut.
  const text = cutBytes(body.slice(0, MAX_BODY_BYTES), MAX_BODY_BYTES);
  return { text, bytes, omittedBytes: bytes - Buffer.byteLength(text), binary: false, wasBase64: false };
}

/** The longest start of `text` that fits in `maxBytes` of UTF-8, never splitting a character. */
export function cutBytes(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 3 || Buffer.byteLength(text) <= maxBytes) return text;
  return Buffer.from(text)
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}
