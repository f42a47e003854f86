import { mayNeedReport } from '../core/decide/classify.js';
import { durableFailure, isDurableEnvelope } from '../core/input/durable.js';
import type { Outcome } from '../core/input/outcome.js';
import { readString } from '../core/input/safe.js';
import { settleReported } from './handled.js';

// AWS Lambda Durable Functions (`@aws/durable-execution-sdk-js`): the SDK turns a user's error into a
// *returned* `{ Status: 'FAILED' }` that keeps only the error's name and message. Its plugin hook
// `onInvocationEnd` sees the error itself; `durableErrorMail()` keeps it for the wrapper around the
// SDK's handler, which takes it back when it sees the FAILED result.

/** What the SDK's `onInvocationEnd` hook is handed, as far as the plugin reads it. */
export interface DurableInvocationEnd {
  readonly requestId: string;
  readonly executionArn: string;
  /** `SUCCEEDED`, `FAILED`, `PENDING` (suspended) or `RETRYING`. */
  readonly status: string;
  /** For `FAILED`: the error the execution failed with, its stack and `cause` kept. */
  readonly executionError?: Error | undefined;
}

/**
 * A plugin for the durable SDK's `plugins` option: it hands the wrapper the very error a failed
 * execution ended with, stack and cause chain included, where the SDK's result has only its name
 * and message. It satisfies the SDK's `DurableInstrumentationPlugin` and needs no import of it.
 * @example
 * export const handler = withErrorMail(withDurableExecution(workflow, { plugins: [durableErrorMail()] }));
 */
export interface DurableErrorMailPlugin {
  onInvocationEnd(info: DurableInvocationEnd): Promise<void>;
}

// Failed invocations whose error the wrapper has not taken yet, by request id and execution ARN. On
// globalThis: the plugin and the wrapper may come from two copies of the library (ESM and CommonJS).
// Bounded: a plugin used with no wrapper around the SDK's handler leaves its errors here.
const KEPT_KEY = Symbol.for('lambda-error-mail.durable-errors.v1');
const MAX_KEPT = 64;

function keptErrors(): Map<string, Error> {
  const holder = globalThis as { [KEPT_KEY]?: Map<string, Error> };
  holder[KEPT_KEY] ??= new Map();
  return holder[KEPT_KEY];
}

const keyOf = (requestId: string | undefined, arn: string | undefined) => `${requestId ?? ''}\n${arn ?? ''}`;

/**
 * The plugin that gives `withErrorMail` and `errorMail()`, wrapped around `withDurableExecution`,
 * the real error of a failed execution (with its stack and cause chain) instead of the name and
 * message the SDK's result keeps. Without it the mail still goes out, with no traceback.
 * @example
 * import { withDurableExecution } from '@aws/durable-execution-sdk-js';
 * export const handler = withErrorMail(withDurableExecution(workflow, { plugins: [durableErrorMail()] }));
 */
export function durableErrorMail(): DurableErrorMailPlugin {
  return {
    onInvocationEnd: async function errorMailDurableInvocationEnd(info) {
      if (info.status !== 'FAILED' || info.executionError === undefined) return;
      const kept = keptErrors();
      kept.set(keyOf(info.requestId, info.executionArn), info.executionError);
      if (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value as string);
    },
  };
}

/**
 * What a returned value that may need a report is: for a durable invocation's `{ Status: 'FAILED' }`,
 * a failure with the real error when the plugin kept it (else one rebuilt from the result's name and
 * message, without a stack); anything else is a returned value, as it came.
 */
export function returnedOutcome(result: unknown, event: unknown, context: unknown): Outcome {
  const failure = isDurableEnvelope(event) ? durableFailure(result) : undefined;
  if (failure === undefined) return { kind: 'returned', result };
  const key = keyOf(readString(context, 'awsRequestId'), readString(event, 'DurableExecutionArn'));
  const kept = keptErrors();
  const real = kept.get(key);
  kept.delete(key);
  if (real !== undefined) return { kind: 'threw', error: real };
  const error: Record<string, unknown> = {
    name: failure.type ?? 'Error',
    message: failure.message ?? '',
  };
  if (failure.data !== undefined) error.errorData = failure.data;
  return { kind: 'threw', error };
}

/** What the wrapper needs of the runtime inside `withDurableExecution`: the report alone. */
interface Reporting {
  report(outcome: Outcome, event: unknown, context: unknown, startedAt: number): Promise<unknown>;
}

/**
 * Calls a handler that runs inside `withDurableExecution` (its context is the SDK's): reports what
 * it throws, or a result that calls for a report, and hands the caller the same result or error.
 * No timeout watch and no log capture: a suspension leaves the handler's promise pending for good,
 * and nothing here sees the invocation end (the wrapper around `withDurableExecution` does).
 */
export function callInsideDurable(
  runtime: Reporting,
  call: (event: unknown, context: unknown) => unknown,
  event: unknown,
  context: unknown,
): Promise<unknown> {
  const startedAt = Date.now();
  // The reportError sends of this invocation, not awaited by the handler, are awaited before it ends,
  // as the other adapters do (a suspension never gets here: its promise never settles).
  const threw = async (error: unknown): Promise<never> => {
    await runtime.report({ kind: 'threw', error }, event, context, startedAt);
    await settleReported(event, context);
    throw error;
  };
  let returned: unknown;
  try {
    returned = call(event, context);
  } catch (error) {
    return threw(error);
  }
  return Promise.resolve(returned).then(async (result) => {
    if (mayNeedReport(result)) await runtime.report({ kind: 'returned', result }, event, context, startedAt);
    await settleReported(event, context);
    return result;
  }, threw);
}
