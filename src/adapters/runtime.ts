import { type ConfigOverrides, loadConfig } from '../config.js';
import type { Outcome } from '../core/outcome.js';
import type { BeforeSend, Delivery, LogRecord, Reporter } from '../core/reporter.js';
import { remainingTimeMs, safeString } from '../core/safe.js';
import type { Transport } from '../transports/transport.js';

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
  readonly log?: (record: LogRecord) => void;
  /**
   * Sees each report before it is sent: return it (edited or not) to send it,
   * or `null` to send nothing. Values are already scrubbed by name; the
   * shape-based rules (tokens, keys, passwords in URLs) run again after it.
   */
  readonly beforeSend?: BeforeSend;
}

/** A timeout warning watched for one invocation; the adapters end it on every exit path. */
export interface TimeoutWatch {
  /** The warning's send, once it has started; awaited before the invocation returns. */
  pending: Promise<Delivery> | undefined;
}

/** Ends a timeout watch and waits for a warning already being sent, so a freeze cannot cut it. */
export async function settleWatch(runtime: Runtime, watch: TimeoutWatch | undefined): Promise<void> {
  if (watch === undefined) return;
  const pending = runtime.unwatch(watch);
  if (pending !== undefined) await pending;
}

/** The per-wrapper state both adapters share: the reporter and the cold-start flag. */
export interface Runtime {
  report(outcome: Outcome, event: unknown, context: unknown, startedAt: number): Promise<Delivery>;
  /** Watches one invocation for a timeout warning, when it is on and the context has a clock. */
  watch(event: unknown, context: unknown, startedAt: number): TimeoutWatch | undefined;
  /** Ends a watch: no warning starts for it from now on. Returns the warning already being sent, if any. */
  unwatch(watch: TimeoutWatch): Promise<Delivery> | undefined;
}

function writeJsonLine(record: LogRecord): void {
  process.stderr.write(`${JSON.stringify(record)}\n`);
}

/** Reads the settings (throwing `ConfigError` now, at wrap time) and builds the reporter. */
export function createRuntime(options: ErrorMailOptions): Runtime {
  const { env, transport, log = writeJsonLine, beforeSend, ...overrides } = options;
  const config = loadConfig(env ?? process.env, overrides);
  for (const note of config.notes) log({ level: 'WARN', message: `lambda-error-mail: ${note}` });
  // The reporter and everything it uses are loaded with the first report: a container that never
  // fails never reads them.
  let reporter: Promise<Reporter> | undefined;
  const loadReporter = () => {
    reporter ??= import('./reporting.js').then(({ createReporting }) =>
      createReporting(config, { transport, log, beforeSend }),
    );
    return reporter;
  };
  let coldStart = true;
  const report: Runtime['report'] = (outcome, event, context, startedAt) => {
    const first = coldStart;
    coldStart = false;
    return loadReporter().then(
      (loaded) => loaded.report(outcome, { event, context, startedAt, coldStart: first }),
      (error: unknown) => {
        // The package's own files are missing or broken: say so, and keep the invocation's outcome.
        const reason = `the reporter could not be loaded: ${safeString(error)}`;
        try {
          log({ level: 'ERROR', message: 'error mail not sent', reason });
        } catch {
          // Nowhere left to report to.
        }
        return { status: 'skipped', reason } as const;
      },
    );
  };
  const warningMs = config.timeoutWarningMs;
  const warns = warningMs > 0 && !config.debug && config.admins.length > 0;

  // One timer for all the invocations of this wrapper, not one per invocation: arming and clearing a
  // timer on every call cost more than the rest of the wrapper. The timer is armed for the earliest
  // warning due; when it fires, it warns for the invocations that are due and re-arms for the next.
  // An invocation that ends only leaves the list, so a warm container seldom touches the timer at all.
  interface Watched extends TimeoutWatch {
    readonly event: unknown;
    readonly context: unknown;
    readonly startedAt: number;
    /** What the context said was left when the invocation started. */
    readonly remaining: number;
    /** When the warning is due, epoch ms. */
    readonly dueAt: number;
    // An intrusive doubly linked list: adding and removing an object from a Set hashes it, which cost
    // more than the rest of the watch.
    previous: Watched | undefined;
    next: Watched | undefined;
    listed: boolean;
  }
  let first: Watched | undefined;
  let timer: NodeJS.Timeout | undefined;
  let timerDueAt = Number.POSITIVE_INFINITY;

  const arm = (dueAt: number, now: number) => {
    if (timer !== undefined) clearTimeout(timer);
    timerDueAt = dueAt;
    timer = setTimeout(errorMailTimeoutWarnings, Math.max(0, dueAt - now));
    // Never the reason the process stays up.
    timer.unref();
  };

  function errorMailTimeoutWarnings(): void {
    timer = undefined;
    timerDueAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (let watch = first; watch !== undefined; watch = watch.next) {
      if (watch.pending !== undefined) continue;
      // Date.now() counts whole milliseconds; the timer's own clock does not.
      if (now + 1 >= watch.dueAt) {
        const outcome: Outcome = {
          kind: 'timeout',
          elapsedMs: now - watch.startedAt,
          remainingMs: remainingTimeMs(watch.context) ?? warningMs,
          // Lambda timeouts are whole seconds; what was left at the start is a little under it.
          timeoutMs: Math.ceil(watch.remaining / 1000) * 1000,
        };
        watch.pending = report(outcome, watch.event, watch.context, watch.startedAt);
      } else if (watch.dueAt < next) {
        next = watch.dueAt;
      }
    }
    if (next !== Number.POSITIVE_INFINITY) arm(next, now);
  }

  return {
    report,
    watch(event, context, startedAt) {
      if (!warns) return undefined;
      const remaining = remainingTimeMs(context);
      if (remaining === undefined || remaining <= warningMs) return undefined;
      const watch: Watched = {
        event,
        context,
        startedAt,
        remaining,
        dueAt: startedAt + remaining - warningMs,
        pending: undefined,
        previous: undefined,
        next: first,
        listed: true,
      };
      if (first !== undefined) first.previous = watch;
      first = watch;
      // A timer already due earlier will re-arm for this one when it fires.
      if (watch.dueAt < timerDueAt) arm(watch.dueAt, startedAt);
      return watch;
    },
    unwatch(watch) {
      const listed = watch as Watched;
      if (listed.listed) {
        listed.listed = false;
        if (listed.previous === undefined) first = listed.next;
        else listed.previous.next = listed.next;
        if (listed.next !== undefined) listed.next.previous = listed.previous;
      }
      return watch.pending;
    },
  };
}

/**
 * True when a returned value may need a report (a 404 or a 5xx). Kept cheap:
 * it runs on every successful invocation.
 */
export function mayNeedReport(result: unknown): boolean {
  if (typeof result !== 'object' || result === null) return false;
  try {
    const status = (result as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number') return status >= 404;
    // An SQS, Kinesis or DynamoDB Streams partial batch response with failed items.
    const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
    return Array.isArray(failures) && failures.length > 0;
  } catch {
    // A result whose statusCode getter throws is the caller's to deal with, not ours.
    return false;
  }
}
