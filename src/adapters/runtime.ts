import { type ConfigOverrides, loadConfig } from '../config.js';
import type { Outcome } from '../core/outcome.js';
import { type BeforeSend, createReporter, type Delivery, type LogRecord } from '../core/reporter.js';
import { remainingTimeMs } from '../core/safe.js';
import { createDynamoDbDeduper } from '../dedupe/dynamodb.js';
import { createTransport } from '../transports/index.js';
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

/** A timeout warning armed for one invocation; the adapters clear it on every exit path. */
export interface TimeoutWatch {
  readonly timer: NodeJS.Timeout;
  /** The warning's send, once the timer has fired; awaited before the invocation returns. */
  pending: Promise<Delivery> | undefined;
}

/** Clears a timeout warning and waits for one already being sent, so a freeze cannot cut it. */
export async function settleWatch(watch: TimeoutWatch | undefined): Promise<void> {
  if (watch === undefined) return;
  clearTimeout(watch.timer);
  if (watch.pending !== undefined) await watch.pending;
}

/** The per-wrapper state both adapters share: the reporter and the cold-start flag. */
export interface Runtime {
  report(outcome: Outcome, event: unknown, context: unknown, startedAt: number): Promise<Delivery>;
  /** Arms the timeout warning for one invocation, when it is on and the context has a clock. */
  watch(event: unknown, context: unknown, startedAt: number): TimeoutWatch | undefined;
}

function writeJsonLine(record: LogRecord): void {
  process.stderr.write(`${JSON.stringify(record)}\n`);
}

/** Reads the settings (throwing `ConfigError` now, at wrap time) and builds the reporter. */
export function createRuntime(options: ErrorMailOptions): Runtime {
  const { env, transport, log = writeJsonLine, beforeSend, ...overrides } = options;
  const config = loadConfig(env ?? process.env, overrides);
  for (const note of config.notes) log({ level: 'WARN', message: `lambda-error-mail: ${note}` });
  const reporter = createReporter({
    config,
    transport: transport ?? createTransport(config),
    log,
    now: () => Date.now(),
    beforeSend,
    deduper: config.dedupeTable === undefined ? undefined : createDynamoDbDeduper(config.dedupeTable),
  });
  let coldStart = true;
  const report: Runtime['report'] = (outcome, event, context, startedAt) => {
    const first = coldStart;
    coldStart = false;
    return reporter.report(outcome, { event, context, startedAt, coldStart: first });
  };
  const warningMs = config.timeoutWarningMs;
  const warns = warningMs > 0 && !config.debug && config.admins.length > 0;
  return {
    report,
    watch(event, context, startedAt) {
      if (!warns) return undefined;
      const remaining = remainingTimeMs(context);
      if (remaining === undefined || remaining <= warningMs) return undefined;
      const watch: { timer: NodeJS.Timeout; pending: Promise<Delivery> | undefined } = {
        timer: setTimeout(function errorMailTimeoutWarning() {
          const outcome: Outcome = {
            kind: 'timeout',
            elapsedMs: Date.now() - startedAt,
            remainingMs: remainingTimeMs(context) ?? warningMs,
            // Lambda timeouts are whole seconds; what was left at the start is a little under it.
            timeoutMs: Math.ceil(remaining / 1000) * 1000,
          };
          watch.pending = report(outcome, event, context, startedAt);
        }, remaining - warningMs),
        pending: undefined,
      };
      // Never the reason the process stays up.
      watch.timer.unref();
      return watch;
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
