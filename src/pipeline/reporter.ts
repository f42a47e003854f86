import type { Config } from '../config/load.js';
import { classify, ignorable404Reason } from '../core/decide/classify.js';
import { createFloodGate, fingerprintOf, threadHeaders } from '../core/flood/fingerprint.js';
import type { Invocation, Outcome } from '../core/input/outcome.js';
import { readRequest } from '../core/input/request.js';
import { readProperty, readString, remainingTimeMs, safeString } from '../core/input/safe.js';
import { readTrigger } from '../core/input/trigger.js';
import type { Transport } from '../core/ports.js';
import { enforceMaxBytes, estimateMimeBytes, type Mail, renderMail } from '../core/render/mail.js';
import { DEFAULT_LIMITS, type Limits, scaleLimits } from '../core/report/limits.js';
import {
  buildBrokenLinkReport,
  buildServerErrorReport,
  type Repeats,
  type Report,
} from '../core/report/server-error.js';
import { scrubbedEventJson } from '../core/scrub/raw-event.js';
import { createScrubber } from '../core/scrub/scrubber.js';
import { scrubText } from '../core/scrub/shapes.js';
import { escapeControl } from '../core/text.js';

/**
 * What happened to one outcome: mailed, deliberately not mailed, or a failed send.
 * @example
 * // { status: 'skipped', reason: 'ignorable 404: no Referer' }
 */
export type Delivery =
  | { readonly status: 'sent'; readonly mail: Mail; readonly fingerprint: string }
  | { readonly status: 'skipped'; readonly reason: string; readonly fingerprint?: string }
  | {
      readonly status: 'failed';
      readonly reason: string;
      readonly mail: Mail;
      readonly fingerprint: string;
      /** The mail service's error code (`MessageRejected`, `Throttling`...), when it gave one. */
      readonly code?: string | undefined;
    };

/**
 * One structured log line; written as JSON by the adapters' default logger.
 * @example
 * // {"level":"ERROR","message":"error mail not sent","reason":"...","requestId":"..."}
 */
export type LogRecord = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Sees every report before it is rendered and sent: return it (edited or not)
 * to send it, or `null`/`undefined`/`false` to send nothing. A hook that
 * throws sends nothing either, and the failure is logged. It runs within the
 * send's time budget.
 * @example
 * const beforeSend: BeforeSend = (report) => (report.kind === 'broken-link' && report.userAgent.includes('bot') ? null : report);
 */
export type BeforeSend = (
  report: Report,
) => Report | null | undefined | false | Promise<Report | null | undefined | false>;

/**
 * Decides across containers which one mails a fingerprint in a window
 * (`ERROR_MAIL_DEDUPE_TABLE`): `claim` resolves true for the first caller
 * only. A claim that throws lets this container mail, as it would alone.
 */
export interface Deduper {
  claim(fingerprint: string, windowStart: number, windowEnd: number, signal: AbortSignal): Promise<boolean>;
}

/** What the reporter needs from the outside world, handed in so the core stays pure. */
export interface ReporterDependencies {
  readonly config: Config;
  readonly transport: Transport;
  readonly log: (record: LogRecord) => void;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly beforeSend?: BeforeSend | undefined;
  readonly deduper?: Deduper | undefined;
}

/** Turns outcomes into mail; `report` never throws and never rejects. */
export interface Reporter {
  report(outcome: Outcome, invocation: Invocation): Promise<Delivery>;
}

/** Time kept back before the invocation's deadline, for the handler's own return. */
export const DEADLINE_MARGIN_MS = 300;
/** Time kept back before the deadline by a timeout warning, which only has to arrive before it. */
export const TIMEOUT_WARNING_MARGIN_MS = 50;

// Fingerprints a container remembers for flood control: about 100 bytes each.
const MAX_FINGERPRINTS = 1000;

// Invocations (their context object, else their event) that already produced an error or broken-link
// report. A handler wrapped twice (middleware inside, wrapper outside) mails once per failure, even when
// a middleware in between turned the error into a 500 response; an error object thrown again by a
// later invocation (a module-level constant, say) is mailed again: Lambda makes a new context each time.
const reportedInvocations = new WeakSet<object>();

/** Creates the reporter for one wrapped handler. */
export function createReporter(deps: ReporterDependencies): Reporter {
  const { config } = deps;
  const scrubber = createScrubber(config.sensitiveNames);
  const flood = createFloodGate({
    throttleMs: config.throttleSeconds * 1000,
    maxPerMinute: config.maxPerMinute,
    maxFingerprints: MAX_FINGERPRINTS,
  });
  return {
    async report(outcome, invocation) {
      let delivery: Delivery;
      try {
        delivery = await decideAndSend(outcome, invocation);
      } catch (error) {
        // A bug of ours must never reach the caller: log it, keep the original outcome.
        delivery = { status: 'skipped', reason: describeFailure(error) };
        safeLog({
          level: 'ERROR',
          message: 'error mail not sent',
          reason: delivery.reason,
          requestId: requestIdOf(invocation),
        });
        return delivery;
      }
      if (delivery.status === 'failed') {
        safeLog({
          level: 'ERROR',
          message: 'error mail not sent',
          reason: delivery.reason,
          code: delivery.code,
          fingerprint: delivery.fingerprint,
          subject: delivery.mail.subject,
          requestId: requestIdOf(invocation),
        });
      }
      return delivery;
    },
  };

  /** Logs, and swallows a logger that throws: logging must not break the invocation either. */
  function safeLog(record: LogRecord): void {
    try {
      deps.log(record);
    } catch {
      // Nowhere left to report to.
    }
  }

  async function decideAndSend(outcome: Outcome, invocation: Invocation): Promise<Delivery> {
    if (config.debug) return { status: 'skipped', reason: 'DEBUG is on' };
    const verdict = classify(outcome);
    if (verdict.kind === 'none') return { status: 'skipped', reason: 'not an error' };

    const invocationKey = invocation.context ?? invocation.event;
    const key =
      outcome.kind !== 'timeout' && typeof invocationKey === 'object' && invocationKey !== null
        ? invocationKey
        : undefined;
    if (key !== undefined && reportedInvocations.has(key)) {
      return { status: 'skipped', reason: 'already reported for this invocation' };
    }
    // One clock reading for the report, the flood gate and the dedupe window.
    const now = deps.now();
    const request = readRequest(invocation.event);
    // Read once: the report may be rebuilt several times to fit, and the fingerprint needs it too.
    const trigger = request === undefined ? readTrigger(invocation.event) : undefined;
    let rawEvent: string | undefined;
    let build: (limits: Limits) => Report;
    if (verdict.kind === 'broken-link') {
      if (!config.sendBrokenLinkEmails)
        return { status: 'skipped', reason: 'SEND_BROKEN_LINK_EMAILS is off' };
      if (config.managers.length === 0) return { status: 'skipped', reason: 'MANAGERS is empty' };
      if (request === undefined) return { status: 'skipped', reason: 'not an HTTP request' };
      const ignored = ignorable404Reason(config, request);
      if (ignored !== undefined) return { status: 'skipped', reason: `ignorable 404: ${ignored}` };
      build = (limits) => buildBrokenLinkReport({ config, scrubber, limits }, request);
    } else {
      if (config.admins.length === 0) return { status: 'skipped', reason: 'ADMINS is empty' };
      build = (limits) => {
        rawEvent ??= scrubbedEventJson(scrubber, invocation.event, request);
        return buildServerErrorReport(
          { config, scrubber, limits },
          outcome,
          invocation,
          { request, trigger, rawEvent },
          verdict.phrase,
          now,
        );
      };
    }
    if (key !== undefined) reportedInvocations.add(key);

    const fingerprint = fingerprintOf(outcome, verdict, request, invocation, config, trigger);
    const gate = flood.decide(fingerprint, now);
    if (!gate.send) return { status: 'skipped', reason: gate.reason, fingerprint };
    const repeats: Repeats | undefined =
      gate.suppressed === 0 || gate.suppressedSince === undefined
        ? undefined
        : { count: gate.suppressed, since: new Date(gate.suppressedSince).toISOString() };
    const thread = threadHeaders(fingerprint, gate.sequence);

    // Rebuild with every cap halved until the mail fits ERROR_MAIL_MAX_BYTES.
    let report: Report = { ...build(DEFAULT_LIMITS), repeats, mailsBefore: gate.sequence };
    let mail: Mail = { ...renderMail(config, report), ...thread };
    for (let factor = 0.5; estimateMimeBytes(mail) > config.maxBytes && factor >= 1 / 64; factor /= 2) {
      report = { ...build(scaleLimits(DEFAULT_LIMITS, factor)), repeats, mailsBefore: gate.sequence };
      mail = { ...renderMail(config, report), ...thread };
    }

    // Without a usable clock in the context, the fixed budget alone bounds the hook and the send.
    const remaining = remainingTimeMs(invocation.context) ?? Number.POSITIVE_INFINITY;
    // A timeout warning is sent while the handler still runs: it only has to finish before the deadline.
    const margin = outcome.kind === 'timeout' ? TIMEOUT_WARNING_MARGIN_MS : DEADLINE_MARGIN_MS;
    const budget = Math.min(config.sendBudgetMs, remaining - margin);
    if (budget <= 0) {
      return { status: 'failed', reason: 'no time left before the invocation deadline', mail, fingerprint };
    }
    let dropped = false;
    let claimedElsewhere = false;
    try {
      await runWithin(budget, async (signal) => {
        if (deps.deduper !== undefined && config.throttleSeconds > 0) {
          const windowMs = config.throttleSeconds * 1000;
          const windowStart = Math.floor(now / windowMs) * windowMs;
          try {
            claimedElsewhere = !(await deps.deduper.claim(
              fingerprint,
              windowStart,
              windowStart + windowMs,
              signal,
            ));
          } catch (error) {
            safeLog({
              level: 'WARN',
              message: 'cross-container dedupe unavailable, mailing from this container',
              reason: describeFailure(error),
              fingerprint,
              requestId: requestIdOf(invocation),
            });
          }
          if (claimedElsewhere) return;
        }
        if (deps.beforeSend !== undefined) {
          const edited = await callBeforeSend(deps.beforeSend, report);
          if (edited === undefined) {
            dropped = true;
            return;
          }
          mail = { ...renderMail(config, edited), ...thread };
        }
        mail = enforceMaxBytes(mail, config.maxBytes);
        await deps.transport.send(mail, signal);
      });
    } catch (error) {
      const code = readProperty(error, 'code');
      return {
        status: 'failed',
        reason: describeFailure(error),
        mail,
        fingerprint,
        code: typeof code === 'string' ? code : undefined,
      };
    }
    if (claimedElsewhere) return { status: 'skipped', reason: 'mailed by another container', fingerprint };
    return dropped
      ? { status: 'skipped', reason: 'dropped by beforeSend', fingerprint }
      : { status: 'sent', mail, fingerprint };
  }
}

/** Runs `work`, and gives up after `budget` ms even if it ignores its abort signal. */
async function runWithin(budget: number, work: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`send took longer than its ${budget} ms budget`);
      controller.abort(error);
      reject(error);
    }, budget);
  });
  try {
    await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** The report `beforeSend` returned, or `undefined` when it dropped the mail. Rethrows as a labelled error. */
async function callBeforeSend(hook: BeforeSend, report: Report): Promise<Report | undefined> {
  let edited: Report | null | undefined | false;
  try {
    edited = await hook(report);
  } catch (error) {
    throw new Error(`beforeSend threw, so nothing was sent: ${describeFailure(error)}`);
  }
  if (typeof edited !== 'object' || edited === null) return undefined;
  if (edited.kind !== 'server-error' && edited.kind !== 'broken-link') {
    throw new Error('beforeSend returned something that is not a report, so nothing was sent');
  }
  return edited;
}

function requestIdOf(invocation: Invocation): string | undefined {
  return readString(invocation.context, 'awsRequestId');
}

/** `Name: message`, following `cause` once, scrubbed and on one line, for a log record. Never throws. */
export function describeFailure(error: unknown): string {
  const describeOne = (value: unknown) =>
    typeof value === 'object' && value !== null
      ? `${safeString(readProperty(value, 'name'))}: ${safeString(readProperty(value, 'message'))}`
      : safeString(value);
  const cause = readProperty(error, 'cause');
  const text =
    typeof cause === 'object' && cause !== null
      ? `${describeOne(error)} (caused by ${describeOne(cause)})`
      : describeOne(error);
  return scrubText(escapeControl(text));
}
