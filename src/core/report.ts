import type { Config } from '../config.js';
import { isInternalReferer, returnedStatus } from './decide.js';
import { describe, describeChain, type ErrorInfo } from './error-info.js';
import type { Invocation, Outcome } from './outcome.js';
import { findHeader, fullPath, type NameValue, omittedLabel, type RequestInfo } from './request.js';
import { readProperty, readString, remainingTimeMs } from './safe.js';
import { parseParameters, scrubBody, scrubQueryString, scrubText, scrubValue } from './scrub.js';
import { escapeControl, truncate } from './text.js';

/** Facts about the Lambda invocation, in the order they are shown. */
export interface LambdaInfo {
  readonly entries: readonly NameValue[];
  /** The CloudWatch Logs console, filtered on this request's id; undefined without log group/stream. */
  readonly logsUrl: string | undefined;
  readonly requestId: string | undefined;
  readonly functionName: string | undefined;
}

/** The request as shown in a report: every value already scrubbed and capped. */
export interface ShownRequest {
  readonly method: string;
  /** scheme://host/path?query, with sensitive query values hidden. */
  readonly url: string;
  readonly query: readonly NameValue[];
  readonly headers: readonly NameValue[];
  readonly cookies: readonly NameValue[];
  /** The body text (scrubbed, capped) and a label saying what was left out, if anything. */
  readonly body: { readonly text: string; readonly note: string | undefined } | undefined;
}

/** A server-error report: what the mail to ADMINS says, before rendering. */
export interface ServerErrorReport {
  readonly kind: 'server-error';
  readonly subject: string;
  /** Django's log line: `Internal Server Error: /path`. */
  readonly logLine: string;
  /** `TypeError at /path`, or `Report at /path` for a returned 5xx. */
  readonly title: string;
  /** ` at /path` (the escaped request path), or empty without a request. */
  readonly at: string;
  /** The error message, or "No exception message supplied". */
  readonly summary: string;
  /** The error chain, root cause first; empty for a returned 5xx. */
  readonly errors: readonly ErrorInfo[];
  /** The returned status, for a returned 5xx. */
  readonly returnedStatus: number | undefined;
  readonly request: ShownRequest | undefined;
  readonly lambda: LambdaInfo;
  readonly environment: readonly NameValue[];
  /** When the report was built, as an ISO-8601 string. */
  readonly time: string;
}

/** A broken-link report: the four lines Django's middleware mails to MANAGERS. */
export interface BrokenLinkReport {
  readonly kind: 'broken-link';
  readonly subject: string;
  readonly referer: string;
  readonly requestedUrl: string;
  readonly userAgent: string;
  readonly ip: string;
}

export type Report = ServerErrorReport | BrokenLinkReport;

const MAX_HEADER_VALUE = 4096;
const MAX_ITEMS = 100;

/** Builds the ADMINS report for a server error (thrown, or a returned 5xx). */
export function buildServerErrorReport(
  config: Config,
  outcome: Outcome,
  invocation: Invocation,
  request: RequestInfo | undefined,
  phrase: string,
  now: number,
): ServerErrorReport {
  const errors = outcome.kind === 'threw' ? describeChain(outcome.error) : [];
  const top = errors.at(-1);
  const path = request === undefined ? undefined : escapeControl(request.path);
  const status = outcome.kind === 'returned' ? returnedStatus(outcome.result) : undefined;
  const lambda = readLambda(config, invocation, now);

  let subject: string;
  let logLine: string;
  if (request !== undefined && path !== undefined) {
    const internal = request.sourceIp !== undefined && config.internalIps.includes(request.sourceIp);
    logLine = `${phrase}: ${path}`;
    subject = `${config.subjectPrefix}ERROR (${internal ? 'internal' : 'EXTERNAL'} IP): ${logLine}`;
  } else {
    const what = top?.type ?? describe(undefined).type;
    const where = lambda.functionName ?? 'Lambda function';
    logLine = `${top ? what : phrase} in ${where}`;
    subject = `${config.subjectPrefix}ERROR: ${escapeControl(truncate(logLine, 300))}`;
  }

  const at = path === undefined ? '' : ` at ${path}`;
  return {
    kind: 'server-error',
    subject,
    logLine,
    title: `${top?.type ?? 'Report'}${at}`,
    at,
    summary: top && top.message !== '' ? top.message : 'No exception message supplied',
    errors,
    returnedStatus: status,
    request: request === undefined ? undefined : showRequest(request),
    lambda,
    environment: config.environment,
    time: new Date(now).toISOString(),
  };
}

/** Builds the MANAGERS report for a 404 that passed the ignore rules. */
export function buildBrokenLinkReport(config: Config, request: RequestInfo): BrokenLinkReport {
  const host = request.host ?? '';
  const referer = request.referer ?? '';
  const internal = isInternalReferer(referer, host);
  return {
    kind: 'broken-link',
    subject: `${config.subjectPrefix}Broken ${internal ? 'INTERNAL ' : ''}link on ${escapeControl(host)}`,
    referer: scrubText(referer),
    requestedUrl: scrubText(scrubbedFullPath(request)),
    userAgent: request.userAgent ?? '<none>',
    ip: request.sourceIp ?? '<none>',
  };
}

function scrubbedFullPath(request: RequestInfo): string {
  return request.rawQuery === ''
    ? fullPath(request)
    : `${request.escapedPath}?${scrubQueryString(request.rawQuery)}`;
}

function showRequest(request: RequestInfo): ShownRequest {
  const host = request.host ?? '';
  const body = request.body;
  let shownBody: ShownRequest['body'];
  if (body !== undefined) {
    const notes: string[] = [];
    if (body.binary) notes.push(`binary body of ${body.bytes} bytes not shown`);
    else if (body.omittedBytes > 0) notes.push(omittedLabel(body.omittedBytes));
    if (body.wasBase64 && !body.binary) notes.push('decoded from base64');
    shownBody = {
      text: body.binary
        ? ''
        : scrubBody(body.text, findHeader(request.headers, 'content-type'), body.omittedBytes === 0),
      note: notes.length === 0 ? undefined : notes.join('; '),
    };
  }
  return {
    method: request.method,
    url: scrubText(`${request.scheme}://${host}${scrubbedFullPath(request)}`),
    query: capItems(
      parseParameters(request.rawQuery).map(([name, value]) => [name, scrubValue(name, value)] as const),
    ),
    headers: capItems(
      [...request.headers]
        .sort(([a], [b]) =>
          a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0,
        )
        .map(
          ([name, value]) => [name, scrubText(truncate(scrubValue(name, value), MAX_HEADER_VALUE))] as const,
        ),
    ),
    cookies: capItems(
      request.cookies.map(
        ([name, value]) => [name, truncate(scrubValue(name, value), MAX_HEADER_VALUE)] as const,
      ),
    ),
    body: shownBody,
  };
}

function capItems(items: readonly NameValue[]): readonly NameValue[] {
  if (items.length <= MAX_ITEMS) return items;
  return [...items.slice(0, MAX_ITEMS), ['...', `${items.length - MAX_ITEMS} more not shown`]];
}

/** Reads the Lambda context object defensively and builds the logs link. */
export function readLambda(config: Config, invocation: Invocation, now: number): LambdaInfo {
  const context = invocation.context;
  const functionName = readString(context, 'functionName') ?? config.functionName;
  const version = readString(context, 'functionVersion');
  const arn = readString(context, 'invokedFunctionArn');
  // An ARN with eight parts names an alias or version: arn:aws:lambda:region:acct:function:name:alias
  const qualifier = arn?.split(':')[7];
  const memory = readProperty(context, 'memoryLimitInMB');
  const requestId = readString(context, 'awsRequestId');
  const logGroup = readString(context, 'logGroupName');
  const logStream = readString(context, 'logStreamName');
  const remaining = remainingTimeMs(context);
  const region = config.region ?? arn?.split(':')[3];

  const entries: NameValue[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') entries.push([name, value]);
  };
  add('Function', functionName);
  add('Version', version);
  add('Alias', qualifier !== undefined && qualifier !== version ? qualifier : undefined);
  add('Memory', typeof memory === 'string' || typeof memory === 'number' ? `${memory} MB` : undefined);
  add('Request ID', requestId);
  add('Region', region);
  add('Duration so far', `${Math.max(0, now - invocation.startedAt)} ms`);
  add('Remaining time', remaining === undefined ? undefined : `${remaining} ms`);
  add('Cold start', invocation.coldStart ? 'yes' : 'no');
  add('Log group', logGroup);
  add('Log stream', logStream);

  return {
    entries,
    logsUrl:
      region && logGroup && logStream ? cloudWatchLogsUrl(region, logGroup, logStream, requestId) : undefined,
    requestId,
    functionName,
  };
}

/**
 * The CloudWatch Logs console URL for one log stream, filtered on the request
 * id. The console's fragment encodes each part twice and writes `%` as `$`.
 */
export function cloudWatchLogsUrl(
  region: string,
  logGroup: string,
  logStream: string,
  requestId: string | undefined,
): string {
  const twice = (s: string) => encodeURIComponent(encodeURIComponent(s)).replace(/%/g, '$');
  const filter = requestId === undefined ? '' : `$3FfilterPattern$3D${twice(`"${requestId}"`)}`;
  const host = `${encodeURIComponent(region)}.console.aws.amazon.com`;
  return `https://${host}/cloudwatch/home?region=${encodeURIComponent(region)}#logsV2:log-groups/log-group/${twice(logGroup)}/log-events/${twice(logStream)}${filter}`;
}
