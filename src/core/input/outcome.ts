import type { DurableExecution } from './durable.js';
import type { InvocationWrites } from './log-lines.js';
/**
 * What one invocation produced, as an adapter hands it to the core.
 * `error` and `result` are whatever the handler threw or returned.
 */
export type Outcome =
  | {
      readonly kind: 'threw';
      readonly error: unknown;
      /** True for an error the handler caught and handed to `reportError`: it did not escape. */
      readonly handled?: boolean;
      /**
       * True when an error handler that ran first (under middy, an `onError` that answered the request)
       * may have put `error` in place of what was thrown.
       */
      readonly replaced?: boolean;
    }
  | { readonly kind: 'returned'; readonly result: unknown }
  | {
      /** Still running `ERROR_MAIL_TIMEOUT_WARNING_MS` before the deadline. */
      readonly kind: 'timeout';
      readonly elapsedMs: number;
      readonly remainingMs: number;
      /** The function's timeout as seen from the start of the invocation, rounded up to a second. */
      readonly timeoutMs: number | undefined;
      /**
       * True once the deadline has passed and the invocation still runs: with Lambda Managed
       * Instances nothing stops it. Reported as "Timed out", once, after the warning.
       */
      readonly pastDeadline?: boolean;
    };

/**
 * The invocation an outcome belongs to: the raw event and Lambda context, and
 * the moments it started and the report was asked for (epoch milliseconds).
 */
export interface Invocation {
  readonly event: unknown;
  readonly context: unknown;
  readonly startedAt: number;
  /** True for the first invocation this wrapper has seen in this container. */
  readonly coldStart: boolean;
  /** What the invocation wrote (console, standard streams), when captured. */
  readonly logs?: InvocationWrites | undefined;
  /** The durable execution, when the handler ran inside `withDurableExecution` (its event is the input). */
  readonly durable?: DurableExecution | undefined;
}
