import type { Config } from '../config.js';
import type { Transport } from '../transports/transport.js';
import { classify, ignorable404Reason } from './decide.js';
import { type Mail, renderMail } from './mail.js';
import type { Invocation, Outcome } from './outcome.js';
import { buildBrokenLinkReport, buildServerErrorReport } from './report.js';
import { readRequest } from './request.js';
import { readProperty, readString, remainingTimeMs, safeString } from './safe.js';
import { scrubText } from './scrub.js';
import { escapeControl } from './text.js';

/**
 * What happened to one outcome: mailed, deliberately not mailed, or a failed send.
 * @example
 * // { status: 'skipped', reason: 'ignorable 404: no Referer' }
 */
export type Delivery =
  | { readonly status: 'sent'; readonly mail: Mail }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'failed'; readonly reason: string; readonly mail: Mail };

/**
 * One structured log line; written as JSON by the adapters' default logger.
 * @example
 * // {"level":"ERROR","message":"error mail not sent","reason":"...","requestId":"..."}
 */
export type LogRecord = Readonly<Record<string, string | number | boolean | undefined>>;

/** What the reporter needs from the outside world, handed in so the core stays pure. */
export interface ReporterDependencies {
  readonly config: Config;
  readonly transport: Transport;
  readonly log: (record: LogRecord) => void;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

/** Turns outcomes into mail; `report` never throws and never rejects. */
export interface Reporter {
  report(outcome: Outcome, invocation: Invocation): Promise<Delivery>;
}

/** Longest a send may take when the context gives no deadline, or a later one. */
export const SEND_BUDGET_MS = 2000;
/** Time kept back before the invocation's deadline, for the handler's own return. */
export const DEADLINE_MARGIN_MS = 300;

// Errors already reported, so a handler wrapped twice (wrapper and middleware) mails once.
const reported = new WeakSet<object>();

/** Creates the reporter for one wrapped handler. */
export function createReporter(deps: ReporterDependencies): Reporter {
  const { config } = deps;
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

    if (outcome.kind === 'threw' && typeof outcome.error === 'object' && outcome.error !== null) {
      if (reported.has(outcome.error)) return { status: 'skipped', reason: 'already reported' };
    }
    const request = readRequest(invocation.event);
    let mail: Mail;
    if (verdict.kind === 'broken-link') {
      if (!config.sendBrokenLinkEmails)
        return { status: 'skipped', reason: 'SEND_BROKEN_LINK_EMAILS is off' };
      if (config.managers.length === 0) return { status: 'skipped', reason: 'MANAGERS is empty' };
      if (request === undefined) return { status: 'skipped', reason: 'not an HTTP request' };
      const ignored = ignorable404Reason(config, request);
      if (ignored !== undefined) return { status: 'skipped', reason: `ignorable 404: ${ignored}` };
      mail = renderMail(config, buildBrokenLinkReport(config, request));
    } else {
      if (config.admins.length === 0) return { status: 'skipped', reason: 'ADMINS is empty' };
      const report = buildServerErrorReport(config, outcome, invocation, request, verdict.phrase, deps.now());
      mail = renderMail(config, report);
    }
    if (outcome.kind === 'threw' && typeof outcome.error === 'object' && outcome.error !== null) {
      reported.add(outcome.error);
    }

    // Without a usable clock in the context, the fixed budget alone bounds the send.
    const remaining = remainingTimeMs(invocation.context) ?? Number.POSITIVE_INFINITY;
    const budget = Math.min(SEND_BUDGET_MS, remaining - DEADLINE_MARGIN_MS);
    if (budget <= 0) {
      return { status: 'failed', reason: 'no time left before the invocation deadline', mail };
    }
    try {
      await sendWithin(deps.transport, mail, budget);
      return { status: 'sent', mail };
    } catch (error) {
      return { status: 'failed', reason: describeFailure(error), mail };
    }
  }
}

/** Sends, and gives up after `budget` ms even if the transport ignores its signal. */
async function sendWithin(transport: Transport, mail: Mail, budget: number): Promise<void> {
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
    await Promise.race([transport.send(mail, controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function requestIdOf(invocation: Invocation): string | undefined {
  return readString(invocation.context, 'awsRequestId');
}

/** `Name: message`, following `cause` once, scrubbed and on one line, for a log record. Never throws. */
function describeFailure(error: unknown): string {
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
