import { type ConfigOverrides, loadConfig } from '../config/load.js';
import type { Outcome } from '../core/input/outcome.js';
import { remainingTimeMs, safeString } from '../core/input/safe.js';
import type { Transport } from '../core/ports.js';
import type { BeforeSend, Delivery, LogRecord, Reporter } from '../pipeline/reporter.js';

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

declare const WATCHED: unique symbol;
/**
 * One invocation watched for a timeout warning, as `Runtime.watch` returns it. Opaque: hand it back to
 * `unwatch` (or `settleWatch`) exactly once, on the invocation's way out.
 */
export type TimeoutWatch = { readonly [WATCHED]: true };

/** Ends a timeout watch and waits for a warning already being sent, so a freeze cannot cut it. */
export async function settleWatch(runtime: Runtime, watch: TimeoutWatch | undefined): Promise<void> {
  if (watch === undefined) return;
  const pending = runtime.unwatch(watch);
  if (pending !== undefined) await pending;
}

/** The per-wrapper state both adapters share: the reporter and the cold-start flag. */
export interface Runtime {
  report(outcome: Outcome, event: unknown, context: unknown, startedAt: number): Promise<Delivery>;
  /**
   * Watches one invocation for a timeout warning, when the warning is on. `owner`, when given, is what
   * the runtime's `ended` predicate is asked about before a warning.
   */
  watch(event: unknown, context: unknown, startedAt: number, owner?: object): TimeoutWatch | undefined;
  /** Ends a watch: no warning starts for it from now on. Returns the warning already being sent, if any. */
  unwatch(watch: TimeoutWatch): Promise<Delivery> | undefined;
}

function writeJsonLine(record: LogRecord): void {
  process.stderr.write(`${JSON.stringify(record)}\n`);
}

/**
 * Reads the settings (throwing `ConfigError` now, at wrap time) and builds the reporter. `ended` tells
 * an adapter's invocation that ended without the adapter seeing it end (the owner given to `watch`):
 * its watch is dropped instead of warned.
 */
export function createRuntime(options: ErrorMailOptions, ended?: (owner: object) => boolean): Runtime {
  const { env, transport, log = writeJsonLine, beforeSend, ...overrides } = options;
  const config = loadConfig(env ?? process.env, overrides);
  for (const note of config.notes) log({ level: 'WARN', message: `lambda-error-mail: ${note}` });
  // The reporter and everything it uses are loaded with the first report: a container that never
  // fails never reads them.
  let reporter: Promise<Reporter> | undefined;
  const loadReporter = () => {
    reporter ??= import('./report-path.js').then(({ createReporting }) =>
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

  // One timer for all the invocations of this wrapper, never one per invocation: arming and clearing a
  // timer on every call cost more than the rest of the wrapper. The clock is read only to arm the timer
  // when it is idle. Otherwise an invocation only joins the watched ones: it cannot be due before the
  // time the timer is armed for, because Lambda gives every invocation of a function the same timeout,
  // so an invocation that starts later ends later. When the timer fires, it asks each watched invocation
  // for its remaining time, warns for those that are due and re-arms for the earliest of the rest.
  interface Watched {
    event: unknown;
    context: unknown;
    startedAt: number;
    owner: object | undefined;
    /** The warning's send, once it has started; awaited before the invocation returns. */
    pending: Promise<Delivery> | undefined;
  }
  // Lambda runs one invocation at a time in a container: that one takes a slot allocated once, and its
  // watch is the slot's generation (a number). Invocations that overlap it (Lambda Managed Instances,
  // tests) each get an entry in a set.
  const slot: Watched = {
    event: undefined,
    context: undefined,
    startedAt: 0,
    owner: undefined,
    pending: undefined,
  };
  let slotBusy = false;
  let slotGeneration = 0;
  const overlapping = new Set<Watched>();
  let timer: NodeJS.Timeout | undefined;

  const arm = (dueAt: number, now: number) => {
    timer = setTimeout(errorMailTimeoutWarnings, Math.max(0, dueAt - now));
    // Never the reason the process stays up.
    timer.unref();
  };

  /** Warns for `watched` if it is due; else returns when it will be (epoch ms), or Infinity for never. */
  const check = (watched: Watched, now: number): number => {
    if (watched.pending !== undefined) return Number.POSITIVE_INFINITY;
    const remaining = remainingTimeMs(watched.context);
    const elapsedMs = now - watched.startedAt;
    // No clock, or less than the warning's lead left when it started: never warned, as in `watch`.
    if (remaining === undefined || elapsedMs + remaining <= warningMs) return Number.POSITIVE_INFINITY;
    // Date.now() counts whole milliseconds; the timer's own clock does not.
    if (remaining > warningMs + 1) return now + remaining - warningMs;
    const outcome: Outcome = {
      kind: 'timeout',
      elapsedMs,
      remainingMs: remaining,
      // Lambda timeouts are whole seconds; what was left at the start is a little under it.
      timeoutMs: Math.ceil((elapsedMs + remaining) / 1000) * 1000,
    };
    watched.pending = report(outcome, watched.event, watched.context, watched.startedAt);
    return Number.POSITIVE_INFINITY;
  };

  /** True when the adapter says the invocation is over though its watch was never ended. */
  const over = (watched: Watched): boolean => {
    if (watched.owner === undefined || ended === undefined) return false;
    try {
      return ended(watched.owner);
    } catch {
      return false;
    }
  };

  function errorMailTimeoutWarnings(): void {
    timer = undefined;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    if (slotBusy) {
      if (over(slot)) releaseSlot();
      else next = check(slot, now);
    }
    for (const watched of overlapping) {
      if (over(watched)) overlapping.delete(watched);
      else next = Math.min(next, check(watched, now));
    }
    if (next !== Number.POSITIVE_INFINITY) arm(next, now);
  }

  /** The rare cases of `watch`, kept out of it so that the usual one stays small enough to inline. */
  const watchSlowly = (
    event: unknown,
    context: unknown,
    startedAt: number,
    owner: object | undefined,
  ): TimeoutWatch | undefined => {
    if (timer === undefined) {
      const remaining = remainingTimeMs(context);
      if (remaining === undefined || remaining <= warningMs) return undefined;
      arm(startedAt + remaining - warningMs, startedAt);
      if (!slotBusy) return fillSlot(event, context, startedAt, owner);
    }
    const watched: Watched = { event, context, startedAt, owner, pending: undefined };
    overlapping.add(watched);
    return watched as unknown as TimeoutWatch;
  };

  const fillSlot = (
    event: unknown,
    context: unknown,
    startedAt: number,
    owner: object | undefined,
  ): TimeoutWatch => {
    slotBusy = true;
    slot.event = event;
    slot.context = context;
    slot.startedAt = startedAt;
    slot.owner = owner;
    // Kept a small integer; a stale generation can only be one handed out 2^30 watches ago.
    slotGeneration = (slotGeneration + 1) & 0x3fffffff;
    return slotGeneration as unknown as TimeoutWatch;
  };

  /** Frees the slot and returns the warning it was sending, if any. */
  const releaseSlot = (): Promise<Delivery> | undefined => {
    slotBusy = false;
    const pending = slot.pending;
    // Let go of what the invocation handed us: the slot outlives it. A free slot's pending is always
    // undefined, so filling it need not write that.
    slot.event = undefined;
    slot.context = undefined;
    slot.owner = undefined;
    slot.pending = undefined;
    return pending;
  };

  return {
    report,
    watch(event, context, startedAt, owner) {
      if (!warns) return undefined;
      if (timer === undefined || slotBusy) return watchSlowly(event, context, startedAt, owner);
      return fillSlot(event, context, startedAt, owner);
    },
    unwatch(watch) {
      if (typeof watch !== 'number') {
        overlapping.delete(watch as unknown as Watched);
        return (watch as unknown as Watched).pending;
      }
      if (!slotBusy || watch !== slotGeneration) return undefined;
      return releaseSlot();
    },
  };
}

/**
 * The end of a successful invocation that has to wait: for the timeout warning already being sent,
 * if any, then for the report the result needs (a 404, a 5xx, failed batch items), if any.
 */
export async function settleSuccess(
  runtime: Runtime,
  result: unknown,
  pending: Promise<Delivery> | undefined,
  event: unknown,
  context: unknown,
  startedAt: number,
): Promise<void> {
  if (pending !== undefined) await pending;
  if (mayNeedReport(result)) await runtime.report({ kind: 'returned', result }, event, context, startedAt);
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
