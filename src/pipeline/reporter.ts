import type { Config } from '../config/load.js';
import { classify } from '../core/decide/classify.js';
import type { SkipReason } from '../core/decide/skip.js';
import { wouldMail } from '../core/decide/would-mail.js';
import { fingerprintOf } from '../core/flood/fingerprint.js';
import { createFloodGate, type GateDecision } from '../core/flood/gate.js';
import { withLambdaContext } from '../core/input/durable.js';
import type { Invocation, Outcome } from '../core/input/outcome.js';
import { readRequest } from '../core/input/request.js';
import { readProperty, readString, remainingTimeMs } from '../core/input/safe.js';
import { readTrigger } from '../core/input/trigger.js';
import type {
  Clock,
  Deduper,
  Log,
  LogRecord,
  Random,
  SendTime,
  SourceLookup,
  Timer,
  Transport,
} from '../core/ports.js';
import { enforceMaxBytes, estimateMimeBytes } from '../core/render/fit.js';
import { mailSubject, renderMail } from '../core/render/mail.js';
import { DEFAULT_LIMITS } from '../core/report/limits.js';
import type { Report } from '../core/report/types.js';
import { createScrubber } from '../core/scrub/scrubber.js';
import { formatCount } from '../core/text.js';
import { type BeforeSend, callBeforeSend } from './before-send.js';
import { runWithin, sendBudget, sendTime } from './budget.js';
import { type Composed, type Composing, composeMail, type Mailable, reportBuilder } from './compose.js';
import type { Delivery } from './delivery.js';
import { describeFailure } from './describe-failure.js';
import { type Claim, createLateDelivery, isNotInTime, refusedForGood, refusedText } from './late.js';
import { withReportIfSeen } from './unsent-record.js';
import { createWindowClaims } from './window-claims.js';

/** What the reporter needs from the outside world, handed in so that it reads nothing of its own. */
export interface ReporterDependencies {
  readonly config: Config;
  readonly transport: Transport;
  readonly log: Log;
  readonly clock: Clock;
  readonly timer: Timer;
  readonly random: Random;
  /** The Node.js version the report names (`process.version`). */
  readonly nodeVersion: string;
  /**
   * Invocations (their context object, else their event) that already produced an error or broken-link
   * report, shared by every wrapper of the container: a handler wrapped twice (middleware inside, wrapper
   * outside) mails once per failure, even when a middleware in between turned the error into a 500.
   */
  readonly reportedInvocations: WeakSet<object>;
  /**
   * True when `reportError` already reported this outcome's failure in its invocation: the same error
   * object escaping, or the 5xx the handler returned after reporting. The invocation is then claimed
   * without a mail of its own.
   */
  readonly handled?: ((outcome: Outcome, invocation: Invocation) => boolean) | undefined;
  readonly beforeSend?: BeforeSend | undefined;
  readonly deduper?: Deduper | undefined;
  /**
   * The source lookup for one report, which loads no reader and reads no source map whose parse would
   * not fit in `time` (a share of the send budget, see {@link MAPPING_SHARE}); undefined, or without
   * it, stacks show as thrown.
   */
  readonly sources?: ((time: SendTime) => Promise<SourceLookup | undefined>) | undefined;
  /**
   * Hears, after each change, whether reports whose send failed wait for a later invocation: the
   * adapters then start `sendKept` with the next one.
   */
  readonly keptChanged?: ((any: boolean) => void) | undefined;
}

/** Turns outcomes into mail; `report` and `sendKept` never throw and never reject. */
export interface Reporter {
  report(outcome: Outcome, invocation: Invocation): Promise<Delivery>;
  /**
   * Sends the reports kept from earlier invocations whose send failed, each marked as late, within
   * the send budget of the invocation of `context` (and never past its deadline less the margin).
   */
  sendKept(context: unknown): Promise<void>;
}

// Fingerprints a container remembers for flood control: about 100 bytes each.
const MAX_FINGERPRINTS = 1000;
/**
 * The share of `ERROR_MAIL_SEND_BUDGET_MS` that reading source maps may take in a report (estimated
 * before each map is read, at the function's CPU share): past it, frames keep their bundle positions,
 * and the rest of the budget is the send's.
 */
export const MAPPING_SHARE = 0.25;
// The most time a failed send gives DynamoDB to release its claim (within the deadline's margin).
const RELEASE_MS = 500;

/**
 * Creates the reporter of one wrapped handler. Each outcome goes through the stages in order:
 * decide (is it mailed at all?), claim (the first report of its invocation?), gate (flood control),
 * compose (build the report and render it to fit), send (dedupe, beforeSend, the transport, within
 * the budget). Each stage is one function below.
 * @example
 * const reporter = createReporter({ config, transport, log, clock, timer, random, nodeVersion, reportedInvocations });
 */
export function createReporter(deps: ReporterDependencies): Reporter {
  const { config } = deps;
  const scrubber = createScrubber(config.sensitiveNames);
  const flood = createFloodGate({
    throttleMs: config.throttleSeconds * 1000,
    maxPerMinute: config.maxPerMinute,
    maxFingerprints: MAX_FINGERPRINTS,
  });
  const claims = createWindowClaims();
  const composing: Composing = { config, scrubber, nodeVersion: deps.nodeVersion, random: deps.random };
  const late = createLateDelivery({
    config,
    transport: deps.transport,
    clock: deps.clock,
    timer: deps.timer,
    log: safeLog,
    beforeSend: deps.beforeSend,
    claim: claimWindow,
    delivered: (fingerprint, happenedAt, told) => flood.delivered(fingerprint, happenedAt, told),
    release: releaseClaim,
    claimEnded,
    changed: deps.keptChanged ?? (() => {}),
  });

  return {
    async sendKept(context) {
      try {
        await late.sendKept(context);
      } catch (error) {
        safeLog({
          level: 'ERROR',
          message: 'late error mail not sent',
          reason: describeFailure(error),
          requestId: readString(context, 'awsRequestId'),
        });
      }
    },
    async report(outcome, invocation) {
      let delivery: Delivery;
      try {
        // Inside `withDurableExecution` the handler is handed the SDK's context: the budget, the
        // request id and the report read the Lambda context it carries.
        delivery = await errorMailPipeline(outcome, withLambdaContext(invocation));
      } catch (error) {
        // A bug of ours must never reach the caller: log it, keep the original outcome.
        const reason = describeFailure(error);
        safeLog({
          level: 'ERROR',
          message: 'error mail not sent',
          reason,
          requestId: requestIdOf(invocation),
        });
        return { status: 'skipped', reason: { code: 'reporter-failed', error: reason } };
      }
      return delivery;
    },
  };

  async function errorMailPipeline(outcome: Outcome, invocation: Invocation): Promise<Delivery> {
    const decided = decide(outcome, invocation);
    if ('reason' in decided) return skipped(decided.reason);
    if (!claim(outcome, invocation, decided.kind)) return skipped({ code: 'already-reported' });
    // Read once, for the fingerprint and the report: a thrown error's frames, mapped to their source.
    const lookup =
      outcome.kind === 'threw' && deps.sources !== undefined
        ? await deps
            .sources(sendTime(config.sendBudgetMs * MAPPING_SHARE, deps.clock, invocation.context))
            .catch(() => undefined)
        : undefined;
    const fingerprint = fingerprintOf(
      outcome,
      decided.verdict,
      decided.request,
      invocation,
      decided.kind === 'server-error' ? decided.trigger : undefined,
      config.functionName,
      lookup,
    );
    // Stage 3: flood control.
    const gate = flood.decide(fingerprint, decided.now);
    if (!gate.send) {
      if (gate.first) heldBack(outcome, invocation, decided, fingerprint, gate, lookup);
      return skipped({ code: gate.reason }, fingerprint);
    }
    // Stage 4: the report, rendered to fit ERROR_MAIL_MAX_BYTES.
    const composed = composeMail({ ...composing, lookup }, outcome, invocation, decided, fingerprint, gate);
    const sent = await send(outcome, invocation, decided.now, composed);
    if (sent.delivery.status === 'failed') {
      await unsent(sent, outcome, invocation, decided.now, composed, gate);
    } else if (sent.claimed) {
      claimEnded(fingerprint, decided.now, sent.delivery.status === 'sent');
    }
    return sent.delivery;
  }

  /**
   * The one log line of flood control starting to hold a fingerprint back (or of the cap per minute
   * starting to hold every report back), so that whoever repeats a request and gets no second mail
   * can see why.
   */
  function heldBack(
    outcome: Outcome,
    invocation: Invocation,
    decided: Mailable,
    fingerprint: string,
    gate: Extract<GateDecision, { send: false }>,
    lookup: SourceLookup | undefined,
  ): void {
    const report = reportBuilder({ ...composing, lookup }, outcome, invocation, decided)(DEFAULT_LIMITS);
    const until = new Date(gate.until).toISOString();
    safeLog({
      level: 'INFO',
      message: 'error mail held back by flood control',
      rule: gate.reason === 'throttled' ? 'ERROR_MAIL_THROTTLE_SECONDS' : 'ERROR_MAIL_MAX_PER_MINUTE',
      why:
        gate.reason === 'throttled'
          ? `this error was mailed less than ${formatCount(config.throttleSeconds)} s ago: its repeats are counted until ${until}, and the next mail says how many`
          : `${formatCount(config.maxPerMinute)} mails were sent or tried in the last minute: reports are counted until ${until}, and the next mail of each says how many`,
      until,
      fingerprint,
      subject: mailSubject(report),
      requestId: requestIdOf(invocation),
    });
  }

  /**
   * A send that failed: flood control gives its window back (a refusal for good keeps it, so that
   * repeats do not each meet the same refusal), the report is kept for a later invocation (unless
   * refused for good), one record with its text goes to the log, and a cross-container claim is given back.
   */
  async function unsent(
    sent: SendAttempt,
    outcome: Outcome,
    invocation: Invocation,
    now: number,
    composed: Composed,
    gate: Extract<GateDecision, { send: true }>,
  ): Promise<void> {
    const delivery = sent.delivery as Extract<Delivery, { status: 'failed' }>;
    const { fingerprint, mail } = delivery;
    const requestId = requestIdOf(invocation);
    let retry: string;
    // Whether beforeSend has seen what was to be mailed (or there is none): only then is its text logged.
    const seen = sent.hooked !== undefined || deps.beforeSend === undefined;
    if (sent.refused === undefined) {
      flood.undelivered(fingerprint, now, gate);
      retry = late.keep({
        report: sent.hooked ?? composed.report,
        headers: composed.headers,
        hooked: seen,
        logged: seen,
        fingerprint,
        subject: mail.subject,
        happenedAt: now,
        told: gate.suppressed,
        requestId,
        bytes: estimateMimeBytes(mail),
        attempts: 1,
        reason: delivery.reason,
      });
    } else {
      retry = refusedText(sent.refused);
    }
    const record: LogRecord = {
      level: 'ERROR',
      message: 'error mail not sent',
      reason: delivery.reason,
      code: delivery.code,
      fingerprint,
      subject: mail.subject,
      requestId,
      retry,
    };
    // The text as it was to be mailed.
    safeLog(withReportIfSeen(record, seen, () => mail.text));
    if (!sent.claimed) return;
    if (sent.refused === undefined) await releaseClaim(fingerprint, now, invocation.context, outcome);
    else claimEnded(fingerprint, now, true);
  }

  /** Stage 1: is this outcome mailed at all, by the verdict and the settings. */
  function decide(outcome: Outcome, invocation: Invocation): Mailable | { readonly reason: SkipReason } {
    const verdict = classify(outcome);
    // The settings first: a thrown 400 or DEBUG=true is not worth reading the request for.
    const bySettings = wouldMail(config, verdict);
    if (!bySettings.mail) return { reason: bySettings.reason };
    const request = readRequest(invocation.event);
    if (verdict.kind === 'server-error') {
      const trigger = request === undefined ? readTrigger(invocation.event, invocation.durable) : undefined;
      return { kind: 'server-error', verdict, request, trigger, now: deps.clock() };
    }
    const decision = wouldMail(config, verdict, { request });
    if (!decision.mail) return { reason: decision.reason };
    if (verdict.kind === 'broken-link' && request !== undefined) {
      return { kind: 'broken-link', verdict, request, now: deps.clock() };
    }
    // Not reached: wouldMail mails a broken link only for an HTTP request, and never 'none'.
    return { reason: { code: 'not-an-error' } };
  }

  /**
   * Stage 2: true for the first report of an invocation. An error object thrown again by a later
   * invocation (a module-level constant, say) is mailed again: Lambda makes a new context each time.
   * A timeout warning never claims: the invocation may still fail after it; nor does a handled error:
   * the handler may report more, and fail after them. "Timed out" claims: what the invocation does
   * after its deadline (an error its timeout caused, most likely) is not mailed again. A server error
   * that reportError already reported claims the invocation without a mail.
   */
  function claim(outcome: Outcome, invocation: Invocation, kind: Mailable['kind']): boolean {
    if (outcome.kind === 'timeout' && outcome.pastDeadline !== true) return true;
    if (outcome.kind === 'threw' && outcome.handled === true) return true;
    const reported = kind === 'server-error' && deps.handled?.(outcome, invocation) === true;
    const key = invocation.context ?? invocation.event;
    if (typeof key !== 'object' || key === null) return !reported;
    if (deps.reportedInvocations.has(key)) return false;
    deps.reportedInvocations.add(key);
    return !reported;
  }

  /** Stage 5: within the send budget, the cross-container claim, beforeSend, the last cut, the transport. */
  async function send(
    outcome: Outcome,
    invocation: Invocation,
    now: number,
    composed: Composed,
  ): Promise<SendAttempt> {
    const { fingerprint, headers } = composed;
    let mail = composed.mail;
    // Past its deadline an invocation still runs (nothing stops it): only the budget bounds the send.
    const pastDeadline = outcome.kind === 'timeout' && outcome.pastDeadline === true;
    const budget = sendBudget(
      config.sendBudgetMs,
      pastDeadline ? undefined : remainingTimeMs(invocation.context),
      outcome.kind === 'timeout',
    );
    let hooked: Report | undefined;
    let claimed = false;
    if (budget <= 0) {
      return {
        delivery: {
          status: 'failed',
          reason: 'no time left before the invocation deadline',
          mail,
          fingerprint,
        },
        hooked,
        claimed,
        refused: undefined,
      };
    }
    let skip: SkipReason | undefined;
    const time = sendTime(budget, deps.clock, invocation.context, !pastDeadline);
    try {
      await runWithin(budget, deps.timer, async (signal) => {
        const claim = await claimWindow(fingerprint, now, requestIdOf(invocation), signal, time);
        if (claim === 'elsewhere') {
          skip = { code: 'mailed-elsewhere' };
          return;
        }
        claimed = claim === 'claimed';
        if (deps.beforeSend !== undefined) {
          const edited = await callBeforeSend(deps.beforeSend, composed.report);
          if (edited === undefined) {
            skip = { code: 'dropped-by-before-send' };
            return;
          }
          // Rendered before it is taken as the hook's: a report the hook broke must not make the text
          // it never approved the one logged for it.
          const rendered = renderMail(config, edited);
          hooked = edited;
          mail = { ...rendered, ...headers };
        } else {
          hooked = composed.report;
        }
        mail = enforceMaxBytes(mail, config.maxBytes);
        await deps.transport.send(mail, signal, time);
      });
    } catch (error) {
      const code = readProperty(error, 'code');
      return {
        delivery: {
          status: 'failed',
          reason: describeFailure(error),
          mail,
          fingerprint,
          code: typeof code === 'string' ? code : undefined,
        },
        hooked,
        claimed,
        refused: refusedForGood(error),
      };
    }
    const delivery =
      skip === undefined ? ({ status: 'sent', mail, fingerprint } as const) : skipped(skip, fingerprint);
    return { delivery, hooked, claimed, refused: undefined };
  }

  /**
   * The cross-container claim of the window of `at` (ERROR_MAIL_DEDUPE_TABLE): `elsewhere` when
   * another container mails this fingerprint in it, `alone` without a table (or when it cannot be
   * reached: this container then mails, as it would alone).
   */
  async function claimWindow(
    fingerprint: string,
    at: number,
    requestId: string | undefined,
    signal: AbortSignal,
    time: SendTime,
  ): Promise<Claim> {
    if (deps.deduper === undefined || config.throttleSeconds <= 0) return 'alone';
    const windowStart = windowOf(at);
    const windowEnd = windowStart + config.throttleSeconds * 1000;
    const key = windowKey(fingerprint, at);
    // Counted before the claim is asked for: a release that starts meanwhile would delete it.
    await claims.enter(key, windowEnd, deps.clock());
    try {
      const won = await deps.deduper.claim(fingerprint, windowStart, windowEnd, signal, time);
      if (!won) claims.leave(key, false);
      return won ? 'claimed' : 'elsewhere';
    } catch (error) {
      claims.leave(key, false);
      // No time to load the DynamoDB client: no time for SES either; the send stops, the report is kept.
      if (isNotInTime(error)) throw error;
      safeLog({
        level: 'WARN',
        message: 'cross-container dedupe unavailable, mailing from this container',
        reason: describeFailure(error),
        fingerprint,
        requestId,
      });
      return 'alone';
    }
  }

  /**
   * Gives back the claim of a window whose mail failed, so that another container may mail it,
   * unless another send of the window from this container is in flight or was delivered (they share
   * the claim).
   */
  async function releaseClaim(
    fingerprint: string,
    at: number,
    context: unknown,
    outcome?: Outcome,
  ): Promise<void> {
    await claims.leave(windowKey(fingerprint, at), false, () => giveBack(fingerprint, at, context, outcome));
  }

  /** The key of the window of `at` for `fingerprint`, as the window claims count it. */
  function windowKey(fingerprint: string, at: number): string {
    return `${fingerprint}#${windowOf(at)}`;
  }

  /** A claimed send that did not fail is done: `held` when its claim must stand. */
  function claimEnded(fingerprint: string, at: number, held: boolean): void {
    claims.leave(windowKey(fingerprint, at), held);
  }

  /**
   * Deletes the claim of a window, within RELEASE_MS and the deadline's margin. A release that fails
   * leaves the claim until the window ends, as before; it is logged.
   */
  async function giveBack(
    fingerprint: string,
    at: number,
    context: unknown,
    outcome: Outcome | undefined,
  ): Promise<void> {
    const deduper = deps.deduper;
    if (deduper?.release === undefined) return;
    const budget = sendBudget(RELEASE_MS, remainingTimeMs(context), outcome?.kind === 'timeout');
    const problem = (reason: string) =>
      safeLog({
        level: 'WARN',
        message:
          'cross-container dedupe claim not released: other containers skip this error until its window ends',
        reason,
        fingerprint,
        requestId: readString(context, 'awsRequestId'),
      });
    if (budget <= 0) return problem('no time left before the invocation deadline');
    try {
      await runWithin(
        budget,
        deps.timer,
        (signal) => deduper.release?.(fingerprint, windowOf(at), signal) ?? Promise.resolve(),
      );
    } catch (error) {
      problem(describeFailure(error));
    }
  }

  /** The start of the throttle window that `at` falls in (epoch ms). */
  function windowOf(at: number): number {
    const windowMs = config.throttleSeconds * 1000;
    return Math.floor(at / windowMs) * windowMs;
  }

  /** Logs, and swallows a logger that throws: logging must not break the invocation either. */
  function safeLog(record: LogRecord): void {
    try {
      deps.log(record);
    } catch {
      // Nowhere left to report to.
    }
  }
}

/** What one send came to, with what the failure path needs beyond the delivery. */
interface SendAttempt {
  readonly delivery: Delivery;
  /** The report as it went to the transport (after beforeSend); undefined when it did not get that far. */
  readonly hooked: Report | undefined;
  /** True when this container holds the cross-container claim of the window. */
  readonly claimed: boolean;
  /** The code of a refusal no later send can overcome (see `refusedForGood`). */
  readonly refused: string | undefined;
}

function skipped(reason: SkipReason, fingerprint?: string): Delivery {
  return fingerprint === undefined
    ? { status: 'skipped', reason }
    : { status: 'skipped', reason, fingerprint };
}

function requestIdOf(invocation: Invocation): string | undefined {
  return readString(invocation.context, 'awsRequestId');
}
