import type { Config } from '../config/load.js';
import { classify } from '../core/decide/classify.js';
import type { SkipReason } from '../core/decide/skip.js';
import { wouldMail } from '../core/decide/would-mail.js';
import { fingerprintOf } from '../core/flood/fingerprint.js';
import { createFloodGate } from '../core/flood/gate.js';
import type { Invocation, Outcome } from '../core/input/outcome.js';
import { readRequest } from '../core/input/request.js';
import { readProperty, readString, remainingTimeMs } from '../core/input/safe.js';
import { readTrigger } from '../core/input/trigger.js';
import type { Clock, Deduper, Log, LogRecord, Random, Timer, Transport } from '../core/ports.js';
import { enforceMaxBytes } from '../core/render/fit.js';
import { renderMail } from '../core/render/mail.js';
import { createScrubber } from '../core/scrub/scrubber.js';
import { type BeforeSend, callBeforeSend } from './before-send.js';
import { runWithin, sendBudget } from './budget.js';
import { type Composed, type Composing, composeMail, type Mailable } from './compose.js';
import type { Delivery } from './delivery.js';
import { describeFailure } from './describe-failure.js';

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
  readonly beforeSend?: BeforeSend | undefined;
  readonly deduper?: Deduper | undefined;
}

/** Turns outcomes into mail; `report` never throws and never rejects. */
export interface Reporter {
  report(outcome: Outcome, invocation: Invocation): Promise<Delivery>;
}

// Fingerprints a container remembers for flood control: about 100 bytes each.
const MAX_FINGERPRINTS = 1000;

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
  const composing: Composing = { config, scrubber, nodeVersion: deps.nodeVersion, random: deps.random };

  return {
    async report(outcome, invocation) {
      let delivery: Delivery;
      try {
        delivery = await errorMailPipeline(outcome, invocation);
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

  async function errorMailPipeline(outcome: Outcome, invocation: Invocation): Promise<Delivery> {
    const decided = decide(outcome, invocation);
    if ('reason' in decided) return skipped(decided.reason);
    if (!claim(outcome, invocation)) return skipped({ code: 'already-reported' });
    const fingerprint = fingerprintOf(
      outcome,
      decided.verdict,
      decided.request,
      invocation,
      decided.kind === 'server-error' ? decided.trigger : undefined,
      config.functionName,
    );
    // Stage 3: flood control.
    const gate = flood.decide(fingerprint, decided.now);
    if (!gate.send) return skipped({ code: gate.reason }, fingerprint);
    // Stage 4: the report, rendered to fit ERROR_MAIL_MAX_BYTES.
    const composed = composeMail(composing, outcome, invocation, decided, fingerprint, gate);
    return send(outcome, invocation, decided.now, composed);
  }

  /** Stage 1: is this outcome mailed at all, by the verdict and the settings. */
  function decide(outcome: Outcome, invocation: Invocation): Mailable | { readonly reason: SkipReason } {
    const verdict = classify(outcome);
    // The settings first: a thrown 400 or DEBUG=true is not worth reading the request for.
    const bySettings = wouldMail(config, verdict);
    if (!bySettings.mail) return { reason: bySettings.reason };
    const request = readRequest(invocation.event);
    if (verdict.kind === 'server-error') {
      const trigger = request === undefined ? readTrigger(invocation.event) : undefined;
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
   * A timeout warning never claims: the invocation may still fail after it.
   */
  function claim(outcome: Outcome, invocation: Invocation): boolean {
    if (outcome.kind === 'timeout') return true;
    const key = invocation.context ?? invocation.event;
    if (typeof key !== 'object' || key === null) return true;
    if (deps.reportedInvocations.has(key)) return false;
    deps.reportedInvocations.add(key);
    return true;
  }

  /** Stage 5: within the send budget, the cross-container claim, beforeSend, the last cut, the transport. */
  async function send(
    outcome: Outcome,
    invocation: Invocation,
    now: number,
    composed: Composed,
  ): Promise<Delivery> {
    const { fingerprint, headers } = composed;
    let mail = composed.mail;
    const budget = sendBudget(
      config.sendBudgetMs,
      remainingTimeMs(invocation.context),
      outcome.kind === 'timeout',
    );
    if (budget <= 0) {
      return { status: 'failed', reason: 'no time left before the invocation deadline', mail, fingerprint };
    }
    let skip: SkipReason | undefined;
    try {
      await runWithin(budget, deps.timer, async (signal) => {
        if (await claimedElsewhere(fingerprint, now, invocation, signal)) {
          skip = { code: 'mailed-elsewhere' };
          return;
        }
        if (deps.beforeSend !== undefined) {
          const edited = await callBeforeSend(deps.beforeSend, composed.report);
          if (edited === undefined) {
            skip = { code: 'dropped-by-before-send' };
            return;
          }
          mail = { ...renderMail(config, edited), ...headers };
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
    return skip === undefined ? { status: 'sent', mail, fingerprint } : skipped(skip, fingerprint);
  }

  /** True when another container already mails this fingerprint in this window (ERROR_MAIL_DEDUPE_TABLE). */
  async function claimedElsewhere(
    fingerprint: string,
    now: number,
    invocation: Invocation,
    signal: AbortSignal,
  ): Promise<boolean> {
    if (deps.deduper === undefined || config.throttleSeconds <= 0) return false;
    const windowMs = config.throttleSeconds * 1000;
    const windowStart = Math.floor(now / windowMs) * windowMs;
    try {
      return !(await deps.deduper.claim(fingerprint, windowStart, windowStart + windowMs, signal));
    } catch (error) {
      safeLog({
        level: 'WARN',
        message: 'cross-container dedupe unavailable, mailing from this container',
        reason: describeFailure(error),
        fingerprint,
        requestId: requestIdOf(invocation),
      });
      return false;
    }
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

function skipped(reason: SkipReason, fingerprint?: string): Delivery {
  return fingerprint === undefined
    ? { status: 'skipped', reason }
    : { status: 'skipped', reason, fingerprint };
}

function requestIdOf(invocation: Invocation): string | undefined {
  return readString(invocation.context, 'awsRequestId');
}
