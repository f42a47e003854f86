import { returnedStatus, type Verdict } from '../decide/classify.js';
import { describe, describeChain } from '../input/error-chain.js';
import { readLogSection } from '../input/log-lines.js';
import type { Invocation, Outcome } from '../input/outcome.js';
import { readTrigger, type TriggerInfo } from '../input/trigger.js';
import { formatCount, unicodeEscape, unicodeEscapeLine } from '../text.js';
import { readLambda } from './lambda.js';
import { capChars, capItems } from './limits.js';
import { SUBJECT_PATH_CHARS, showEvent, showRequest } from './shown.js';
import type { InvocationReading, ReportInputs, ServerErrorReport } from './types.js';

/** The verdict of a server error. */
export type ServerErrorVerdict = Extract<Verdict, { kind: 'server-error' }>;

/**
 * Builds the ADMINS report for a server error (thrown, a returned 5xx, failed batch items, a possible
 * timeout). Its caps come from `inputs.limits`: the pipeline rebuilds it smaller until the mail fits.
 * @example
 * const report = buildServerErrorReport(inputs, outcome, invocation, reading, verdict, Date.now());
 */
export function buildServerErrorReport(
  inputs: ReportInputs,
  outcome: Outcome,
  invocation: Invocation,
  reading: InvocationReading,
  verdict: ServerErrorVerdict,
  now: number,
): ServerErrorReport {
  const { config, limits } = inputs;
  const { phrase } = verdict;
  const { request } = reading;
  // An HTTP request's report shows the request; failed batch items belong to an event's.
  const failedIds = request === undefined ? verdict.failedIds : undefined;
  const errors = outcome.kind === 'threw' ? describeChain(outcome.error, limits, inputs.lookup) : [];
  const top = errors.at(-1);
  // Django's log_response escapes the path with unicode_escape (CVE-2025-48432): the log line, the
  // subject and, here, the report's title show it so.
  const path = request === undefined ? undefined : unicodeEscape(capChars(request.path, limits.urlChars));
  const status = outcome.kind === 'returned' ? returnedStatus(outcome.result) : undefined;
  const lambda = readLambda(config, invocation, now);

  let trigger: TriggerInfo | undefined;
  // A possible timeout is a warning: nothing has failed yet.
  const level = outcome.kind === 'timeout' && outcome.pastDeadline !== true ? 'WARNING' : 'ERROR';
  let subject: string;
  let logLine: string;
  if (request !== undefined && path !== undefined) {
    const internal = request.sourceIp !== undefined && config.internalIps.includes(request.sourceIp);
    logLine = `${phrase}: ${path}`;
    const subjectPath = unicodeEscapeLine(request.path, SUBJECT_PATH_CHARS);
    subject = `${config.subjectPrefix}${level} (${internal ? 'internal' : 'EXTERNAL'} IP): ${phrase}: ${subjectPath}`;
  } else {
    // A non-HTTP trigger: name the function and where the event came from.
    trigger = reading.trigger ?? readTrigger(invocation.event, invocation.durable);
    let what = top?.type ?? (outcome.kind === 'threw' ? describe(undefined, limits).type : phrase);
    if (failedIds !== undefined) {
      const of = trigger.recordCount === undefined ? '' : ` of ${formatCount(trigger.recordCount)}`;
      what = `${formatCount(failedIds.length)}${of} records failed`;
    }
    // An error handed to reportError says so first, as the HTTP subject does with its phrase.
    if (outcome.kind === 'threw' && outcome.handled === true) what = `${phrase}: ${what}`;
    const from = trigger.source === undefined ? trigger.kind : `${trigger.kind} ${trigger.source}`;
    logLine = `${what} in ${lambda.functionName ?? 'Lambda function'} (${from})`;
    subject = `${config.subjectPrefix}${level}: ${unicodeEscapeLine(logLine, SUBJECT_PATH_CHARS)}`;
  }
  let summary = top && top.message !== '' ? top.message : 'No exception message supplied';
  let tracebackNote: string | undefined;
  if (outcome.kind === 'threw' && outcome.replaced === true) {
    summary = `${summary}. What middy held here was left by an onError middleware that ran before errorMail() and answered the request (such as http-error-handler, which replaces errors it does not expose): register errorMail() after it to see the error that was thrown. From now on this middleware keeps that error for its mails.`;
  } else if (outcome.kind === 'timeout' && outcome.pastDeadline === true) {
    const timeout =
      outcome.timeoutMs === undefined ? '' : `, its timeout ${formatCount(outcome.timeoutMs)} ms`;
    summary = `Still running after ${formatCount(outcome.elapsedMs)} ms${timeout}: ${formatCount(-outcome.remainingMs)} ms past the deadline, and nothing stops it (Lambda Managed Instances).`;
    tracebackNote = 'the invocation was still running past its deadline; nothing had been thrown yet';
  } else if (outcome.kind === 'timeout') {
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
    title: `${top?.type ?? (outcome.kind === 'timeout' ? phrase : 'Report')}${at}`,
    at,
    summary,
    errors,
    returnedStatus: status,
    tracebackNote,
    sourceNotes: (inputs.lookup?.notes() ?? []).slice(0, limits.items),
    logs: readLogSection(invocation.logs, invocation.startedAt, inputs.scrubber, {
      lines: limits.logLines,
      chars: limits.logChars,
      lineChars: limits.logLineChars,
    }),
    request: request === undefined ? undefined : showRequest(inputs, request),
    event: trigger === undefined ? undefined : showEvent(inputs, trigger, failedIds),
    lambda,
    environment: capItems(
      // A value is hidden by its name already; a URL in one (a callback, a webhook) has its query
      // scrubbed by parameter name too.
      config.environment.map(
        ([name, value]) => [name, capChars(inputs.scrubber.value(name, value), limits.valueChars)] as const,
      ),
      limits.items,
    ),
    time: new Date(now).toISOString(),
    nodeVersion: inputs.nodeVersion,
    repeats: undefined,
    mailsBefore: 0,
    // A quarter of the body's share: the raw event repeats what the sections above show.
    rawEvent: capChars(reading.rawEvent, Math.floor(limits.bodyBytes / 4)),
  };
}
