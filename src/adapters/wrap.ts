import { mayNeedReport } from '../core/decide/classify.js';
import { isDurableContext } from '../core/input/durable.js';
import { callInsideDurable } from './durable.js';
import { handledReports } from './handled.js';
import { createRuntime, type ErrorMailOptions, failed, settleSuccess, startTime } from './runtime.js';
import { isStreaming, type StreamingHandler, wrapStreaming } from './streaming.js';

/** The callback a callback-style handler is given as its third argument. */
export type HandlerCallback<TResult> = (error?: unknown, result?: TResult) => void;

/**
 * Wraps a Lambda handler so that a server error mails `ADMINS` and a broken
 * link mails `MANAGERS`. The caller gets exactly what the handler produced:
 * the same result object, or the same error object rethrown. Settings are
 * read and checked here, once, so an invalid value fails the cold start.
 *
 * Takes async handlers, callback-style handlers (three parameters: the
 * wrapped handler is async, as Node.js 24's runtime requires) and
 * response-streaming handlers (`awslambda.streamifyResponse`), whose streaming
 * marker is kept.
 *
 * @throws {ConfigError} when a setting is invalid.
 * @example
 * export const handler = withErrorMail(async (event: APIGatewayProxyEventV2) => ({ statusCode: 200, body: 'ok' }));
 */
export function withErrorMail<TEvent, TResult, TContext>(
  handler: (event: TEvent, context: TContext) => TResult | Promise<TResult>,
  options?: ErrorMailOptions,
): (event: TEvent, context: TContext) => Promise<TResult>;
export function withErrorMail<TEvent, TResult, TContext>(
  handler: (event: TEvent, context: TContext, callback: HandlerCallback<TResult>) => unknown,
  options?: ErrorMailOptions,
): (event: TEvent, context: TContext) => Promise<TResult>;
export function withErrorMail<THandler extends (...args: never[]) => unknown>(
  handler: THandler,
  options?: ErrorMailOptions,
): THandler;
export function withErrorMail(
  handler: (...args: never[]) => unknown,
  options: ErrorMailOptions = {},
): (...args: never[]) => unknown {
  const runtime = createRuntime(options);
  if (isStreaming(handler)) return wrapStreaming(handler as unknown as StreamingHandler, runtime);
  // Decided once, at wrap time: a handler declaring three parameters takes a callback.
  const call =
    handler.length >= 3
      ? promisifyCallback(handler as unknown as CallbackHandler)
      : (handler as unknown as (event: unknown, context: unknown) => unknown);

  // Not an async function: chaining onto the handler's promise costs about 25 ns less per invocation
  // than awaiting it, and this runs on every call.
  const logs = runtime.logs;
  return function errorMailHandler(event: unknown, context: unknown): Promise<unknown> {
    // Inside withDurableExecution (the SDK's context): see callInsideDurable. The first test inline,
    // as it runs on every invocation: a Lambda context has no `lambdaContext`.
    if (
      (context as { lambdaContext?: unknown } | null | undefined)?.lambdaContext !== undefined &&
      isDurableContext(context)
    ) {
      return callInsideDurable(runtime, call, event, context);
    }
    // Once the timeout is known, NaN (no clock read): a report finds the start from the deadline.
    const startedAt = startTime(runtime, context);
    const logMark = logs === undefined ? undefined : logs.begin(context, startedAt);
    const watch = runtime.watch(event, context, startedAt, undefined, logMark);
    // Reports of earlier invocations whose send failed go out alongside the handler; none waiting is
    // this one field read.
    const sendingKept = runtime.sendKept === undefined ? undefined : runtime.sendKept(context);
    let returned: unknown;
    try {
      returned = call(event, context);
      if (logMark !== undefined) logs?.called(logMark);
    } catch (error) {
      if (logMark !== undefined) logs?.end(logMark);
      return failed(runtime, error, event, context, startedAt, watch, sendingKept, logMark);
    }
    return Promise.resolve(returned).then(
      (result) => {
        if (logMark !== undefined) logs?.end(logMark);
        // The tests inline, not behind a call: about 9 ns less per invocation.
        const pending = watch === undefined ? undefined : runtime.unwatch(watch);
        return pending === undefined &&
          sendingKept === undefined &&
          handledReports.waiting === 0 &&
          !mayNeedReport(result)
          ? result
          : settleSuccess(runtime, result, pending, event, context, startedAt, sendingKept, logMark).then(
              () => result,
            );
      },
      (error: unknown) => {
        if (logMark !== undefined) logs?.end(logMark);
        return failed(runtime, error, event, context, startedAt, watch, sendingKept, logMark);
      },
    );
  } as (...args: never[]) => unknown;
}

type CallbackHandler = (event: unknown, context: unknown, callback: HandlerCallback<unknown>) => unknown;

/** The handler as a promise: settled by the callback, a returned promise or a throw, whichever comes first. */
function promisifyCallback(handler: CallbackHandler): (event: unknown, context: unknown) => Promise<unknown> {
  return (event, context) =>
    new Promise((resolve, reject) => {
      const returned = handler(event, context, (error, result) => {
        if (error !== undefined && error !== null) reject(error);
        else resolve(result);
      });
      if (typeof (returned as { then?: unknown } | undefined)?.then === 'function') {
        (returned as Promise<unknown>).then(resolve, reject);
      }
    });
}
