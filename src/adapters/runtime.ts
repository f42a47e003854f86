import { type ConfigOverrides, loadConfig } from '../config/load.js';
import { mayNeedReport } from '../core/decide/classify.js';
import { mailBySettings } from '../core/decide/mail-settings.js';
import type { Outcome } from '../core/input/outcome.js';
import { readString, safeString } from '../core/input/safe.js';
import type { Log, Transport } from '../core/ports.js';
import type { BeforeSend } from '../pipeline/before-send.js';
import type { Delivery } from '../pipeline/delivery.js';
import type { Reporter } from '../pipeline/reporter.js';
import { returnedOutcome } from './durable.js';
import { settleReported, wasHandled } from './handled.js';
import { installLogCapture, type LogCapture, withoutCapture } from './log-capture.js';
import { systemClock, systemTimer, writeJsonLine } from './system.js';
import { createTimeoutWatcher, type TimeoutWatch, type TimeoutWatcher } from './timeout-watch.js';

/**
 * Options of `withErrorMail` and `errorMail`. Every setting field overrides
 * its environment variable; the merged result is validated.
 *
 * @example
 * withErrorMail(handler, { admins: ['ops@example.com'], log: (record) => logger.error(record) });
 */
export interface ErrorMailOptions extends ConfigOverrides {
  /**
   * The environment to read settings from.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Sends the mail. The default is chosen by `EMAIL_BACKEND` (SES unless set).
   */
  readonly transport?: Transport;
  /**
   * Receives one record per log line (a failed send, a cold-start note).
   * @default one JSON line on standard error
   */
  readonly log?: Log;
  /**
   * Sees each report before it is sent: return it (edited or not) to send it,
   * or `null` to send nothing. Values are already scrubbed by name; the
   * shape-based rules (tokens, keys, passwords in URLs) run again after it.
   */
  readonly beforeSend?: BeforeSend;
}

/** The per-wrapper state both adapters share: the settings, the reporter, the timeout watch, the cold-start flag. */
export interface Runtime extends TimeoutWatcher {
  /**
   * Reports an outcome; `logMark`, the invocation's mark in the log capture, brings the lines it
   * logged into the mail.
   */
  report(
    outcome: Outcome,
    event: unknown,
    context: unknown,
    startedAt: number,
    logMark?: number,
  ): Promise<Delivery>;
  /** What the process logs, for the mail (`ERROR_MAIL_CAPTURE_LOGS`); undefined when off. */
  readonly logs: LogCapture | undefined;
  /** Where the library's own lines go (the `log` option, else one JSON line on standard error). */
  readonly log: Log;
  /**
   * Sends the reports of earlier invocations whose send failed; never rejects. Undefined while none
   * waits: an adapter reads this one field as an invocation starts, starts it alongside the handler
   * when set, and awaits it before the invocation returns (the middy middleware reads it in `after`
   * or `onError`, the only places it can await it).
   */
  sendKept: ((context: unknown) => Promise<void>) | undefined;
  /**
   * True once the timeout watch knows the function's timeout: an adapter then need not read the clock
   * as an invocation starts (a clock read is a good part of the wrapper's cost), and passes NaN as its
   * start; a report finds it from the context's deadline (`startOf`). False while capturing logs,
   * whose lines are timed from the start, and with Managed Instances, whose watch reads the clock.
   */
  startFromDeadline: boolean;
}

/**
 * The start an adapter passes for an invocation: NaN, for the runtime to find from the deadline, when
 * it can (see `Runtime.startFromDeadline`), else the time now. The context's own clock is what tells
 * the deadline; one without it is timed now.
 */
export function startTime(runtime: Runtime, context: unknown): number {
  return runtime.startFromDeadline &&
    typeof (context as { getRemainingTimeInMillis?: unknown } | null | undefined)
      ?.getRemainingTimeInMillis === 'function'
    ? Number.NaN
    : Date.now();
}

// What a timeout warning is, for "would it be mailed?".
const TIMEOUT_VERDICT = {
  kind: 'server-error',
  phrase: 'Possible timeout',
  status: undefined,
  failedIds: undefined,
} as const;

/**
 * Reads the settings (throwing `ConfigError` now, at wrap time) and builds the reporter. `ended` tells
 * an adapter's invocation that ended without the adapter seeing it end (the owner given to `watch`):
 * its watch is dropped instead of warned.
 */
export function createRuntime(options: ErrorMailOptions, ended?: (owner: object) => boolean): Runtime {
  const { env, transport, log: given = writeJsonLine, beforeSend, ...overrides } = options;
  // The library's own lines are never an invocation's log lines, wherever the given log writes them.
  const log: Log = given === writeJsonLine ? given : (record) => withoutCapture(() => given(record));
  // No env: loadConfig reads process.env, the one place that does.
  const config = loadConfig(env, overrides);
  for (const note of config.notes) log({ level: 'WARN', message: `lambda-error-mail: ${note}` });
  // The reporter and everything it uses are loaded with the first report: a container that never
  // fails never reads them.
  let reporter: Promise<Reporter> | undefined;
  const loadReporter = () => {
    reporter ??= import('./report-path.js').then(({ createReporting }) =>
      createReporting(config, { transport, log, beforeSend, keptChanged, handled: wasHandled }),
    );
    return reporter;
  };
  // Set while reports wait; the reporter is loaded by then (it kept them).
  const sendKept = (context: unknown) => loadReporter().then((loaded) => loaded.sendKept(context));
  const keptChanged = (any: boolean) => {
    runtime.sendKept = any ? sendKept : undefined;
  };
  let coldStart = true;
  const logs = config.captureLogs ? installLogCapture() : undefined;
  const report: Runtime['report'] = (outcome, event, context, start, logMark) => {
    // Found now, while the context's clock still tells the time left.
    const startedAt = Number.isNaN(start) ? watcher.startOf(context, Date.now()) : start;
    const first = coldStart;
    coldStart = false;
    // Taken now: lines logged while the reporter loads are not this failure's.
    const logged =
      logs === undefined || logMark === undefined
        ? undefined
        : logs.writesOf(logMark, readString(context, 'awsRequestId'));
    return loadReporter().then(
      (loaded) => loaded.report(outcome, { event, context, startedAt, coldStart: first, logs: logged }),
      (error: unknown) => {
        // The package's own files are missing or broken: say so, and keep the invocation's outcome.
        const reason = `the reporter could not be loaded: ${safeString(error)}`;
        try {
          log({ level: 'ERROR', message: 'error mail not sent', reason });
        } catch {
          // Nowhere left to report to.
        }
        return { status: 'skipped', reason: { code: 'reporter-failed', error: reason } } as const;
      },
    );
  };
  const watcher = createTimeoutWatcher({
    enabled: config.timeoutWarningMs > 0 && mailBySettings(config, TIMEOUT_VERDICT).mail,
    warningMs: config.timeoutWarningMs,
    clock: systemClock,
    timer: systemTimer,
    warn: report,
    ended,
    // With Managed Instances an invocation goes on past its deadline: "Timed out" follows the warning.
    pastDeadline: config.managedInstances,
    learned: () => {
      runtime.startFromDeadline = logs === undefined && !config.managedInstances;
    },
  });
  const runtime: Runtime = {
    report,
    watch: watcher.watch,
    unwatch: watcher.unwatch,
    unwatchOwner: watcher.unwatchOwner,
    startOf: watcher.startOf,
    sendKept: undefined,
    logs,
    log,
    startFromDeadline: false,
  };
  return runtime;
}

/** Ends a timeout watch and waits for a warning already being sent, so a freeze cannot cut it. */
export async function settleWatch(runtime: Runtime, watch: TimeoutWatch | undefined): Promise<void> {
  const pending = watch === undefined ? undefined : runtime.unwatch(watch);
  if (pending !== undefined) await pending;
}

/**
 * The end of a successful invocation that has to wait: for the timeout warning already being sent,
 * if any, then for the report the result may need (see `mayNeedReport`; a durable execution's
 * returned FAILED is reported as the error it failed with), if any, for the kept reports being sent
 * alongside, if any, and for the reports of `reportError`, if any.
 */
export async function settleSuccess(
  runtime: Runtime,
  result: unknown,
  pending: Promise<Delivery> | undefined,
  event: unknown,
  context: unknown,
  startedAt: number,
  sendingKept?: Promise<void>,
  logMark?: number,
): Promise<void> {
  if (pending !== undefined) await pending;
  if (mayNeedReport(result)) {
    await runtime.report(returnedOutcome(result, event, context), event, context, startedAt, logMark);
  }
  if (sendingKept !== undefined) await sendingKept;
  await settleReported(event, context);
}

/** Reports what the handler threw, then throws the same value on to the caller. */
export async function failed(
  runtime: Runtime,
  error: unknown,
  event: unknown,
  context: unknown,
  startedAt: number,
  watch: TimeoutWatch | undefined,
  sendingKept?: Promise<void>,
  logMark?: number,
): Promise<never> {
  await settleWatch(runtime, watch);
  await runtime.report({ kind: 'threw', error }, event, context, startedAt, logMark);
  if (sendingKept !== undefined) await sendingKept;
  await settleReported(event, context);
  throw error;
}
