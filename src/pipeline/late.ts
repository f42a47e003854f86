import type { Config } from '../config/load.js';
import { readProperty, remainingTimeMs } from '../core/input/safe.js';
import type { Clock, Log, LogRecord, SendTime, Timer, Transport } from '../core/ports.js';
import { enforceMaxBytes } from '../core/render/fit.js';
import { renderMail } from '../core/render/mail.js';
import { formatCount } from '../core/text.js';
import { type BeforeSend, callBeforeSend } from './before-send.js';
import { runWithin, sendBudget, sendTime } from './budget.js';
import { describeFailure } from './describe-failure.js';
import { createKeptReports, type KeptDropReason, type KeptReport, type KeptReports } from './kept.js';
import { withReportIfSeen } from './unsent-record.js';

/**
 * Reports a container keeps for a later invocation: about the default `ERROR_MAIL_MAX_PER_MINUTE`
 * (which bounds how many can fail in a minute), in under 1% of the smallest Lambda's 128 MB.
 */
export const KEPT_BOUNDS = { maxReports: 10, maxBytes: 1024 * 1024 } as const;
/** Sends a kept report gets, the first one included; then it is let go (its text is in the log). */
export const MAX_ATTEMPTS = 3;

/** What a cross-container claim of a fingerprint's window came to (see `ERROR_MAIL_DEDUPE_TABLE`). */
export type Claim = 'claimed' | 'elsewhere' | 'alone';

/** What sending kept reports needs: the reporter's settings and ports, and its cross-container claim. */
export interface LateDependencies {
  readonly config: Config;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly timer: Timer;
  /** A log that never throws. */
  readonly log: Log;
  readonly beforeSend: BeforeSend | undefined;
  /** Claims the window of `happenedAt` for `fingerprint` across containers. */
  readonly claim: (
    fingerprint: string,
    happenedAt: number,
    requestId: string | undefined,
    signal: AbortSignal,
    time: SendTime,
  ) => Promise<Claim>;
  /** Hears that the mail of a report kept after its send failed was delivered (see `FloodGate.delivered`). */
  readonly delivered: (fingerprint: string, happenedAt: number, told: number) => void;
  /**
   * Gives a claim back after its mail failed, within what is left of the invocation, unless another
   * send of the window from this container is in flight or held it.
   */
  readonly release: (fingerprint: string, happenedAt: number, context: unknown) => Promise<void>;
  /** A claimed send that did not fail is done: `held` when its claim must stand (delivered, refused for good). */
  readonly claimEnded: (fingerprint: string, happenedAt: number, held: boolean) => void;
  /** Hears whether any report waits, after each change. */
  readonly changed: (any: boolean) => void;
}

/** The reports of one reporter whose send failed, and their late sending. */
export interface LateDelivery {
  /**
   * Keeps the report of a failed send for a later invocation. Returns the `retry` field of its log
   * record; the older reports the bounds drop are logged here.
   */
  keep(report: KeptReport): string;
  /** Sends the kept reports, oldest first, within the send budget of the invocation of `context`. */
  sendKept(context: unknown): Promise<void>;
}

/** The `retry` field of a report that waits for a later invocation. */
export const RETRY_LATER = 'with the next invocation of this container';

// SES refusals that a later send would meet again: the message, the sender or a recipient itself is
// refused. Throttling, 5xx, network errors and an exhausted budget are worth another try.
const REFUSED_FOR_GOOD = new Set([
  'MessageRejected',
  'MailFromDomainNotVerified',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExist',
  'ConfigurationSetDoesNotExistException',
]);

/**
 * The code of a refusal that no later send can overcome: SES's `MessageRejected` (an unverified
 * identity, an address or content SES will not send) and its kin, or an SMTP server's permanent
 * 5xx reply (RFC 5321). Undefined for a failure worth another try.
 * @example
 * refusedForGood(new SesSendError('...', 'MessageRejected')); // 'MessageRejected'
 */
export function refusedForGood(error: unknown): string | undefined {
  const code = readProperty(error, 'code');
  if (typeof code === 'string' && REFUSED_FOR_GOOD.has(code)) return code;
  const reply = readProperty(error, 'responseCode');
  if (typeof reply === 'number' && reply >= 500 && reply < 600) {
    return typeof code === 'string' ? `${code} ${reply}` : `SMTP ${reply}`;
  }
  return undefined;
}

/**
 * Whether `error` says that a step of a send was not started for want of time (see `Transport`).
 * @example
 * isNotInTime(new NotInTimeError('...', 'loading the SES client')); // true
 */
export function isNotInTime(error: unknown): boolean {
  return readProperty(error, 'name') === 'NotInTimeError';
}

/**
 * Creates the late delivery of one reporter: a bounded store of reports whose send failed, sent
 * with a later invocation of the container, each marked as late (see `Delayed`).
 * @example
 * const late = createLateDelivery({ config, transport, timer, log, beforeSend, claim, delivered, release, claimEnded, changed });
 */
export function createLateDelivery(deps: LateDependencies): LateDelivery {
  const { config } = deps;
  const kept: KeptReports = createKeptReports(KEPT_BOUNDS, deps.changed);

  const dropped = (drops: readonly { report: KeptReport; why: KeptDropReason }[]) => {
    for (const { report, why } of drops) {
      const record = {
        level: 'WARN',
        message: 'kept error mail dropped',
        why:
          why === 'count'
            ? `more than ${KEPT_BOUNDS.maxReports} reports waited to be sent; the oldest is let go`
            : `the reports waiting to be sent were over ${formatCount(KEPT_BOUNDS.maxBytes)} bytes; the oldest is let go`,
        ...about(report),
      };
      deps.log(logged(record, report));
    }
  };

  return {
    keep(report) {
      const drops = kept.keep(report);
      const self = drops.find((drop) => drop.report === report);
      dropped(drops.filter((drop) => drop !== self));
      if (self === undefined) return RETRY_LATER;
      return `none: at ${formatCount(report.bytes)} bytes it is over the ${formatCount(KEPT_BOUNDS.maxBytes)} bytes kept for later`;
    },

    async sendKept(context) {
      const waiting = kept.take();
      if (waiting.length === 0) return;
      const budget = sendBudget(config.sendBudgetMs, remainingTimeMs(context), false);
      // No time in this invocation: nothing tried, nothing counted; the next one tries.
      if (budget <= 0) return dropped(kept.putBack(waiting));
      // What is not sent yet; its first is the one being sent.
      const left = [...waiting];
      // Whether the one being sent holds a cross-container claim, to give back if its send fails, and
      // how many first-use steps the transport had done when its send started.
      const sending = { claimed: false, stepsBefore: 0 };
      let failure: unknown;
      const time = sendTime(budget, deps.clock, context);
      try {
        await runWithin(budget, deps.timer, async (signal) => {
          while (left.length > 0 && !signal.aborted) {
            sending.claimed = false;
            sending.stepsBefore = deps.transport.firstUseSteps?.() ?? 0;
            await sendOne(left[0] as KeptReport, signal, time, sending, (edited) => {
              left[0] = edited;
            });
            left.shift();
          }
        });
      } catch (error) {
        failure = error;
      }
      if (left.length === 0) return;
      const [tried, ...untried] = left as [KeptReport, ...KeptReport[]];
      // A send that did steps of the transport's first use before it failed (the first report's
      // loading, spread over invocations at a small CPU share) got further: it is not another attempt.
      const progressed = (deps.transport.firstUseSteps?.() ?? 0) > sending.stepsBefore;
      const attempts = progressed ? tried.attempts : tried.attempts + 1;
      const reason = describeFailure(failure);
      const refused = refusedForGood(failure);
      const code = readProperty(failure, 'code');
      const last = refused !== undefined || attempts >= MAX_ATTEMPTS;
      const record: LogRecord = {
        level: 'ERROR',
        message: 'late error mail not sent',
        reason,
        code: typeof code === 'string' ? code : undefined,
        ...about(tried),
        attempts,
        retry: last
          ? refused === undefined
            ? `none: its send failed ${attempts} times`
            : refusedText(refused)
          : RETRY_LATER,
      };
      const again = { ...tried, attempts, reason, logged: tried.logged || tried.hooked };
      // Put back before logging: nothing the log step does can lose the reports still waiting.
      dropped(kept.putBack(last ? untried : [again, ...untried]));
      deps.log(logged(record, tried));
      if (!sending.claimed) return;
      if (refused === undefined) await deps.release(tried.fingerprint, tried.happenedAt, context);
      else deps.claimEnded(tried.fingerprint, tried.happenedAt, true);
    },
  };

  /**
   * Sends one kept report, unless another container mailed its window; throws when the send fails,
   * leaving `sending.claimed` for the caller to give back.
   */
  async function sendOne(
    report: KeptReport,
    signal: AbortSignal,
    time: SendTime,
    sending: { claimed: boolean; stepsBefore: number },
    edited: (report: KeptReport) => void,
  ): Promise<void> {
    const claim = await deps.claim(report.fingerprint, report.happenedAt, report.requestId, signal, time);
    sending.claimed = claim === 'claimed';
    if (claim === 'elsewhere') {
      deps.log({
        level: 'INFO',
        message: 'kept error mail dropped',
        why: 'another container mailed this error in its window',
        ...about(report),
      });
      return;
    }
    let shown = report;
    if (!report.hooked && deps.beforeSend !== undefined) {
      const hooked = await callBeforeSend(deps.beforeSend, report.report);
      if (hooked === undefined) return ended(report, sending, false);
      shown = { ...report, report: hooked, hooked: true };
      edited(shown);
    }
    const delayed = { happenedAt: new Date(report.happenedAt).toISOString(), reason: report.reason };
    const mail = enforceMaxBytes(
      { ...renderMail(config, { ...shown.report, delayed }), ...report.headers },
      config.maxBytes,
    );
    await deps.transport.send(mail, signal, time);
    ended(report, sending, true);
    deps.delivered(report.fingerprint, report.happenedAt, report.told);
    deps.log({
      level: 'INFO',
      message: 'late error mail sent',
      ...about(report),
      attempts: report.attempts + 1,
    });
  }

  /** A send of `report` that did not fail is done with its claim, if it holds one. */
  function ended(report: KeptReport, sending: { claimed: boolean }, held: boolean): void {
    if (!sending.claimed) return;
    sending.claimed = false;
    deps.claimEnded(report.fingerprint, report.happenedAt, held);
  }

  /** The record with the report's text, when it is final and not in the log yet. */
  function logged(record: LogRecord, report: KeptReport): LogRecord {
    if (report.logged) return record;
    return withReportIfSeen(record, report.hooked, () => renderMail(config, report.report).text);
  }
}

/** The `retry` field of a report refused for good. */
export function refusedText(code: string): string {
  return `none: refused for good (${code}); a later send would be refused the same way`;
}

/** What a log record of a kept report names it by: what its first record can be found by. */
function about(report: KeptReport): LogRecord {
  return {
    fingerprint: report.fingerprint,
    subject: report.subject,
    happenedAt: new Date(report.happenedAt).toISOString(),
    requestId: report.requestId,
  };
}
