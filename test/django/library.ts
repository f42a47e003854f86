import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { errorMail, type Mail, withErrorMail } from '../../src/index.js';
import { lambdaContext } from '../helpers/context.js';
import type { StoredMail } from '../helpers/local-ses.js';
import { recordingTransport } from '../helpers/recording-transport.js';
import type { DjangoCase } from './cases.js';

// The library's side of the differential test: each case as the event its front door sends, through
// the real adapters and report pipeline.

/** A mail as both sides are compared: the lines the test reads from it. */
export interface ShownMail {
  readonly to: readonly string[];
  readonly from: string;
  readonly subject: string;
  /** A broken-link mail: the whole body. */
  readonly body?: string | undefined;
  /** A server-error mail: the log line, the report's title, its Request Method and Request URL lines. */
  readonly firstLine?: string | undefined;
  readonly title?: string | null | undefined;
  readonly method?: string | null | undefined;
  readonly url?: string | null | undefined;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** The case's settings as the library's environment. */
export function caseEnv(c: DjangoCase): Record<string, string> {
  const s = c.settings;
  return {
    ADMINS: JSON.stringify(s.ADMINS),
    MANAGERS: JSON.stringify(s.MANAGERS),
    ...(s.SERVER_EMAIL === undefined ? {} : { SERVER_EMAIL: s.SERVER_EMAIL }),
    EMAIL_SUBJECT_PREFIX: s.EMAIL_SUBJECT_PREFIX,
    DEBUG: String(s.DEBUG),
    INTERNAL_IPS: JSON.stringify(s.INTERNAL_IPS),
    APPEND_SLASH: String(s.APPEND_SLASH),
    IGNORABLE_404_URLS: JSON.stringify(s.IGNORABLE_404_URLS),
    ...(s.starts === undefined ? {} : { IGNORABLE_404_STARTS: JSON.stringify(s.starts) }),
    ...(s.ends === undefined ? {} : { IGNORABLE_404_ENDS: JSON.stringify(s.ends) }),
    // Django has the middleware installed; flood control and the timeout warning are ours alone.
    SEND_BROKEN_LINK_EMAILS: 'true',
    ERROR_MAIL_THROTTLE_SECONDS: '0',
    ERROR_MAIL_MAX_PER_MINUTE: '0',
    ERROR_MAIL_TIMEOUT_WARNING_MS: '0',
  };
}

function headers(c: DjangoCase, referer: string | null): Record<string, string> {
  return {
    host: c.host,
    ...(c.proto === null ? {} : { 'x-forwarded-proto': c.proto }),
    ...(referer === null ? {} : { referer }),
    ...(c.userAgent === null ? {} : { 'user-agent': c.userAgent }),
  };
}

function httpApiEvent(c: DjangoCase, referer: string | null): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: c.path,
    rawQueryString: c.query,
    headers: headers(c, referer),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef123',
      domainName: 'abcdef123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abcdef123',
      http: {
        method: c.method,
        path: c.path,
        protocol: 'HTTP/1.1',
        sourceIp: c.ip,
        userAgent: c.userAgent ?? '',
      },
      requestId: `req-${c.id}`,
      routeKey: '$default',
      stage: '$default',
      time: '25/Nov/2026:03:51:06 +0000',
      timeEpoch: 1_795_578_666_000,
    },
    isBase64Encoded: false,
  };
}

function restEvent(c: DjangoCase, referer: string | null): APIGatewayProxyEvent {
  const single = headers(c, referer);
  const params = c.params ?? [];
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of params) multiQuery[name] = [...(multiQuery[name] ?? []), value];
  const hasQuery = params.length > 0;
  return {
    resource: '/{proxy+}',
    path: c.path,
    httpMethod: c.method,
    headers: single,
    multiValueHeaders: Object.fromEntries(Object.entries(single).map(([k, v]) => [k, [v]])),
    queryStringParameters: hasQuery ? Object.fromEntries(params) : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: null,
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      httpMethod: c.method,
      identity: {
        sourceIp: c.ip,
        userAgent: c.userAgent,
      } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/prod${c.path}`,
      protocol: 'HTTP/1.1',
      requestId: `req-${c.id}`,
      requestTimeEpoch: 1_795_578_666_000,
      resourceId: 'res',
      resourcePath: '/{proxy+}',
      stage: 'prod',
    },
    body: null,
    isBase64Encoded: false,
  };
}

function handlerFor(c: DjangoCase): Handler {
  return async () => {
    if (c.outcome === 'throw') throw new Error('differential test failure');
    if (c.outcome === 'raise404') throw Object.assign(new Error('no such page'), { statusCode: 404 });
    return { statusCode: c.outcome, body: 'body' };
  };
}

/** The lines of a mail the test compares, read the way the oracle reads Django's. */
export function showMail(to: readonly string[], from: string, subject: string, text: string): ShownMail {
  if (text.startsWith('Referrer: ')) return { to, from, subject, body: text };
  const lines = text.split('\n');
  const starting = (start: string) => lines.find((line) => line.startsWith(start)) ?? null;
  return {
    to,
    from,
    subject,
    firstLine: lines[0],
    title: lines[2] ?? null,
    method: starting('Request Method: '),
    url: starting('Request URL: '),
  };
}

/**
 * Sends one case through the library: an HTTP API event through `withErrorMail`, a REST event through
 * middy's `errorMail()`. Returns the mails a recording transport received; a case that goes through
 * the local SES returns none here (its mail is read from the emulator).
 */
export async function runLibrary(c: DjangoCase, referer: string | null): Promise<ShownMail[]> {
  const transport = recordingTransport();
  const options = {
    env: caseEnv(c),
    log: () => {},
    ...(c.viaSes ? {} : { transport }),
  };
  const base = handlerFor(c);
  const handler: Handler =
    c.front === 'http-api'
      ? withErrorMail(base, options)
      : (middy(base).use(errorMail(options)) as unknown as Handler);
  const event = c.front === 'http-api' ? httpApiEvent(c, referer) : restEvent(c, referer);
  await handler(event, lambdaContext()).catch(() => undefined);
  return transport.mails.map((m: Mail) => showMail(m.to, m.from, m.subject, m.text));
}

/** A mail the local SES emulator captured, as the test compares it. */
export function showStored(mail: StoredMail): ShownMail {
  const to = mail.destination.to.flatMap((list) => list.split(/,\s*/));
  // The MIME header quotes a display name (`"Shop Errors" <...>`): the same address as Django's.
  const from = mail.from.replace(/^"([^"\\]*)" </, '$1 <');
  return showMail(to, from, mail.subject, (mail.body.text ?? '').replace(/\r\n/g, '\n'));
}
