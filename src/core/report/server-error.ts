import type { Config } from '../../config/load.js';
import { isInternalReferer, returnedStatus } from '../decide/classify.js';
import { describe, describeChain, type ErrorInfo } from '../input/error-chain.js';
import type { Invocation, Outcome } from '../input/outcome.js';
import { parseParameters } from '../input/params.js';
import {
  cutBytes,
  findHeader,
  type NameValue,
  type RequestBody,
  type RequestInfo,
} from '../input/request.js';
import { readProperty, readString, remainingTimeMs } from '../input/safe.js';
import { batchItemFailures, readTrigger, type TriggerInfo, type TriggerKind } from '../input/trigger.js';
import type { Scrubber } from '../scrub/scrubber.js';
import { escapeControl, formatCount, omittedBytesLabel } from '../text.js';
import { capChars, capItems, type Limits } from './limits.js';

/** Facts about the Lambda invocation, in the order they are shown. */
export interface LambdaInfo {
  readonly entries: readonly NameValue[];
  /** The CloudWatch Logs console, filtered on this request's id; undefined without log group/stream. */
  readonly logsUrl: string | undefined;
  readonly requestId: string | undefined;
  readonly functionName: string | undefined;
  /** Milliseconds from the start of the invocation to the report. */
  readonly elapsedMs: number;
  /** True for the first invocation of this container. */
  readonly coldStart: boolean;
}

/** The request as shown in a report: every value already scrubbed and capped. */
export interface ShownRequest {
  readonly method: string;
  /** scheme://host/path?query, with sensitive query values hidden. */
  readonly url: string;
  readonly query: readonly NameValue[];
  readonly headers: readonly NameValue[];
  readonly cookies: readonly NameValue[];
  readonly body: ShownBody | undefined;
}

/** The request body as shown: scrubbed, capped, with what was left out counted. */
export interface ShownBody {
  /** The text shown; empty for a binary body. */
  readonly text: string;
  /** Size of the decoded body in bytes. */
  readonly bytes: number;
  /** Bytes of the decoded body not shown. */
  readonly omittedBytes: number;
  readonly binary: boolean;
  readonly decodedFromBase64: boolean;
}

/** A non-HTTP event as shown in a report, in place of the request. */
export interface ShownEvent {
  readonly trigger: TriggerKind;
  /** The queue, topic, bucket, table, stream, rule or user pool, by name. */
  readonly source: string | undefined;
  readonly recordCount: number | undefined;
  /** Record ids, the first `limits.items` of them and a count of the rest. */
  readonly recordIds: readonly string[];
  /** For a partial batch response: the ids of the failed items. */
  readonly failedIds: readonly string[] | undefined;
  /** The first record (or the event), as scrubbed, trimmed JSON. */
  readonly firstRecord: string;
}

/** Reports of the same fingerprint that flood control held back since its last mail. */
export interface Repeats {
  readonly count: number;
  /** When the first of them happened, as an ISO-8601 string. */
  readonly since: string;
}

/** A server-error report: what the mail to ADMINS says, before rendering. */
export interface ServerErrorReport {
  readonly kind: 'server-error';
  /** `WARNING` for a possible timeout (nothing has failed yet), else `ERROR`. */
  readonly level: 'ERROR' | 'WARNING';
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
  /** Why there is no traceback (a returned 5xx, a possible timeout), when there is none. */
  readonly tracebackNote: string | undefined;
  readonly request: ShownRequest | undefined;
  /** The event summary of a non-HTTP invocation; undefined for an HTTP request. */
  readonly event: ShownEvent | undefined;
  readonly lambda: LambdaInfo;
  readonly environment: readonly NameValue[];
  /** When the report was built, as an ISO-8601 string. */
  readonly time: string;
  /** Held-back repeats told in this mail, if any. */
  readonly repeats: Repeats | undefined;
  /** Mails of this report's fingerprint that this container sent before this one. */
  readonly mailsBefore: number;
  /** The event as Lambda delivered it: scrubbed, indented JSON, the request body left out. */
  readonly rawEvent: string;
}

/** A broken-link report: the four lines Django's middleware mails to MANAGERS. */
export interface BrokenLinkReport {
  readonly kind: 'broken-link';
  readonly subject: string;
  readonly referer: string;
  readonly requestedUrl: string;
  readonly userAgent: string;
  readonly ip: string;
  /** Held-back repeats told in this mail, if any. */
  readonly repeats: Repeats | undefined;
  /** Mails of this report's fingerprint that this container sent before this one. */
  readonly mailsBefore: number;
}

export type Report = ServerErrorReport | BrokenLinkReport;

/** What a report is built from, besides the outcome itself. */
export interface ReportInputs {
  readonly config: Config;
  readonly scrubber: Scrubber;
  readonly limits: Limits;
}

/**
 * What the reporter reads from an invocation once: a report may be rebuilt
 * several times, smaller each time, to fit `ERROR_MAIL_MAX_BYTES`.
 */
export interface InvocationReading {
  readonly request: RequestInfo | undefined;
  /** The trigger of a non-HTTP event; undefined for an HTTP request. */
  readonly trigger: TriggerInfo | undefined;
  /** The scrubbed raw event (`scrubbedEventJson`), whole: each build caps it. */
  readonly rawEvent: string;
}

// A subject stays one readable line: the path in it is cut shorter than the URL in the body.
const SUBJECT_PATH_CHARS = 300;

/** Builds the ADMINS report for a server error (thrown, or a returned 5xx). */
export function buildServerErrorReport(
  inputs: ReportInputs,
  outcome: Outcome,
  invocation: Invocation,
  reading: InvocationReading,
  phrase: string,
  now: number,
): ServerErrorReport {
  const { config, limits } = inputs;
  const { request } = reading;
  const errors = outcome.kind === 'threw' ? describeChain(outcome.error, limits) : [];
  const top = errors.at(-1);
  const path = request === undefined ? undefined : escapeControl(capChars(request.path, limits.urlChars));
  const status = outcome.kind === 'returned' ? returnedStatus(outcome.result) : undefined;
  const lambda = readLambda(config, invocation, now);

  let trigger: TriggerInfo | undefined;
  let failedIds: string[] | undefined;
  // A possible timeout is a warning: nothing has failed yet.
  const level = outcome.kind === 'timeout' ? 'WARNING' : 'ERROR';
  let subject: string;
  let logLine: string;
  if (request !== undefined && path !== undefined) {
    const internal = request.sourceIp !== undefined && config.internalIps.includes(request.sourceIp);
    logLine = `${phrase}: ${path}`;
    const subjectPath = escapeControl(shortLine(request.path, SUBJECT_PATH_CHARS));
    subject = `${config.subjectPrefix}${level} (${internal ? 'internal' : 'EXTERNAL'} IP): ${phrase}: ${subjectPath}`;
  } else {
    // A non-HTTP trigger: name the function and where the event came from.
    trigger = reading.trigger ?? readTrigger(invocation.event);
    failedIds = outcome.kind === 'returned' ? batchItemFailures(outcome.result) : undefined;
    let what = top?.type ?? (outcome.kind === 'threw' ? describe(undefined, limits).type : phrase);
    if (failedIds !== undefined) {
      const of = trigger.recordCount === undefined ? '' : ` of ${formatCount(trigger.recordCount)}`;
      what = `${formatCount(failedIds.length)}${of} records failed`;
    }
    const from = trigger.source === undefined ? trigger.kind : `${trigger.kind} ${trigger.source}`;
    logLine = `${what} in ${lambda.functionName ?? 'Lambda function'} (${from})`;
    subject = `${config.subjectPrefix}${level}: ${escapeControl(shortLine(logLine, SUBJECT_PATH_CHARS))}`;
  }
  let summary = top && top.message !== '' ? top.message : 'No exception message supplied';
  let tracebackNote: string | undefined;
  if (outcome.kind === 'timeout') {
    const timeout =
      outcome.timeoutMs === undefined ? '' : ` of its ${formatCount(outcome.timeoutMs)} ms timeout`;
    summary = `Still running after ${formatCount(outcome.elapsedMs)} ms${timeout}, ${formatCount(outcome.remainingMs)} ms before the deadline.`;
    tracebackNote = 'the invocation was still running; nothing had been thrown yet';
  } else if (failedIds !== undefined) {
    summary = `The handler returned a partial batch response: ${formatCount(failedIds.length)} failed item${failedIds.length === 1 ? '' : 's'}.`;
    tracebackNote = 'the handler returned the failed items without throwing';
  } else if (outcome.kind === 'returned') {
    tracebackNote = `the handler returned status ${status ?? 'unknown'} without throwing`;
  }

  const at = path === undefined ? '' : ` at ${path}`;
  return {
    kind: 'server-error',
    level,
    subject,
    logLine,
    title: `${top?.type ?? (outcome.kind === 'timeout' ? 'Possible timeout' : 'Report')}${at}`,
    at,
    summary,
    errors,
    returnedStatus: status,
    tracebackNote,
    request: request === undefined ? undefined : showRequest(inputs, request),
    event: trigger === undefined ? undefined : showEvent(inputs, trigger, failedIds),
    lambda,
    environment: capItems(
      config.environment.map(([name, value]) => [name, capChars(value, limits.valueChars)] as const),
      limits.items,
    ),
    time: new Date(now).toISOString(),
    repeats: undefined,
    mailsBefore: 0,
    // A quarter of the body's share: the raw event repeats what the sections above show.
    rawEvent: capChars(reading.rawEvent, Math.floor(limits.bodyBytes / 4)),
  };
}

/** Builds the MANAGERS report for a 404 that passed the ignore rules. */
export function buildBrokenLinkReport(inputs: ReportInputs, request: RequestInfo): BrokenLinkReport {
  const { config, limits } = inputs;
  const host = request.host ?? '';
  const referer = request.referer ?? '';
  const internal = isInternalReferer(referer, host);
  return {
    kind: 'broken-link',
    subject: `${config.subjectPrefix}Broken ${internal ? 'INTERNAL ' : ''}link on ${escapeControl(shortLine(host, SUBJECT_PATH_CHARS))}`,
    referer: capChars(referer, limits.urlChars),
    requestedUrl: capChars(scrubbedFullPath(inputs.scrubber, request), limits.urlChars),
    userAgent: capChars(request.userAgent ?? '<none>', limits.valueChars),
    ip: capChars(request.sourceIp ?? '<none>', limits.valueChars),
    repeats: undefined,
    mailsBefore: 0,
  };
}

/** Cuts a one-line value with an ellipsis, for a subject. */
function shortLine(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\u2026`;
}

function scrubbedFullPath(scrubber: Scrubber, request: RequestInfo): string {
  return request.rawQuery === ''
    ? request.escapedPath
    : `${request.escapedPath}?${scrubber.query(request.rawQuery)}`;
}

function byName([a]: NameValue, [b]: NameValue): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function showEvent(
  { scrubber, limits }: ReportInputs,
  trigger: TriggerInfo,
  failedIds: string[] | undefined,
): ShownEvent {
  const ids = (all: readonly string[]) =>
    capItems(
      all.slice(0, limits.items).map((id) => [capChars(id, 256), ''] as const),
      limits.items,
      all.length,
    ).map(([id, rest]) => (id === '...' ? `... ${rest}` : id));
  return {
    trigger: trigger.kind,
    source: trigger.source,
    recordCount: trigger.recordCount,
    recordIds: ids(trigger.recordIds),
    failedIds: failedIds === undefined ? undefined : ids(failedIds),
    firstRecord: capChars(scrubber.json(trigger.firstRecord), limits.bodyBytes),
  };
}

function showRequest(inputs: ReportInputs, request: RequestInfo): ShownRequest {
  const { scrubber, limits } = inputs;
  return {
    method: capChars(request.method, 64),
    url: capChars(
      `${request.scheme}://${request.host ?? ''}${scrubbedFullPath(scrubber, request)}`,
      limits.urlChars,
    ),
    query: countedItems(parseParameters(request.rawQuery), limits, scrubber.value),
    headers: countedItems([...request.headers].sort(byName), limits, scrubber.value),
    cookies: countedItems(request.cookies, limits, scrubber.cookie),
    body: request.body === undefined ? undefined : showBody(inputs, request.body, request.headers),
  };
}

/** The first `limits.items` entries, each value scrubbed and capped, and a count of the rest. */
function countedItems(
  items: readonly NameValue[],
  limits: Limits,
  scrub: (name: string, value: string) => string,
): readonly NameValue[] {
  const shown = items
    .slice(0, limits.items)
    .map(([name, value]) => [capChars(name, 256), capChars(scrub(name, value), limits.valueChars)] as const);
  return capItems(shown, limits.items, items.length);
}

function showBody(
  { scrubber, limits }: ReportInputs,
  body: RequestBody,
  headers: readonly NameValue[],
): ShownBody {
  const base = { bytes: body.bytes, binary: body.binary, decodedFromBase64: body.wasBase64 };
  if (body.binary) return { ...base, text: '', omittedBytes: body.bytes };
  const kept = cutBytes(body.text, limits.bodyBytes);
  const omittedBytes = body.omittedBytes + Buffer.byteLength(body.text) - Buffer.byteLength(kept);
  return {
    ...base,
    text: scrubber.body(kept, findHeader(headers, 'content-type'), omittedBytes === 0),
    omittedBytes,
  };
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
  const elapsedMs = Math.max(0, now - invocation.startedAt);

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
  add('Duration so far', `${elapsedMs} ms`);
  add('Remaining time', remaining === undefined ? undefined : `${remaining} ms`);
  add('Cold start', invocation.coldStart ? 'yes' : 'no');
  add('X-Ray trace', config.traceId());
  add('Log group', logGroup);
  add('Log stream', logStream);

  return {
    entries,
    logsUrl:
      region && logGroup && logStream ? cloudWatchLogsUrl(region, logGroup, logStream, requestId) : undefined,
    requestId,
    functionName,
    elapsedMs,
    coldStart: invocation.coldStart,
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

/** The sentence both parts of a mail open with when flood control held repeats back. */
export function repeatsLine(repeats: Repeats | undefined, what: string): string | undefined {
  if (repeats === undefined) return undefined;
  const times = repeats.count === 1 ? 'once' : `${formatCount(repeats.count)} more times`;
  return `${what} happened ${times} since ${repeats.since} without a mail (flood control: ERROR_MAIL_THROTTLE_SECONDS, ERROR_MAIL_MAX_PER_MINUTE).`;
}

/** What the renderers say under a body: what was left out, and how it arrived. */
export function bodyNote(body: ShownBody): string | undefined {
  const notes: string[] = [];
  if (body.binary) notes.push(`binary body of ${formatCount(body.bytes)} bytes not shown`);
  else if (body.omittedBytes > 0) notes.push(omittedBytesLabel(body.omittedBytes));
  if (body.decodedFromBase64 && !body.binary) notes.push('decoded from base64');
  return notes.length === 0 ? undefined : notes.join('; ');
}
