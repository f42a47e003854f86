import {
  createRuntime,
  type ErrorMailOptions,
  mayNeedReport,
  type Runtime,
  settleSuccess,
  settleWatch,
  type TimeoutWatch,
} from './runtime.js';

// What the Lambda runtime looks for on a response-streaming handler (awslambda.streamifyResponse).
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

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
  if ((handler as unknown as Record<symbol, unknown>)[STREAMING] === 'response') {
    return wrapStreaming(handler as unknown as StreamingHandler, runtime);
  }
  // Decided once, at wrap time: a handler declaring three parameters takes a callback.
  const call =
    handler.length >= 3
      ? promisifyCallback(handler as unknown as CallbackHandler)
      : (handler as unknown as (event: unknown, context: unknown) => unknown);

  // Not an async function: chaining onto the handler's promise costs about 25 ns less per invocation
  // than awaiting it, and this runs on every call.
  return function errorMailHandler(event: unknown, context: unknown): Promise<unknown> {
    const startedAt = Date.now();
    const watch = runtime.watch(event, context, startedAt);
    let returned: unknown;
    try {
      returned = call(event, context);
    } catch (error) {
      return failed(runtime, error, event, context, startedAt, watch);
    }
    return Promise.resolve(returned).then(
      (result) => {
        // The tests inline, not behind a call: about 9 ns less per invocation.
        const pending = watch === undefined ? undefined : runtime.unwatch(watch);
        return pending === undefined && !mayNeedReport(result)
          ? result
          : settleSuccess(runtime, result, pending, event, context, startedAt).then(() => result);
      },
      (error: unknown) => failed(runtime, error, event, context, startedAt, watch),
    );
  } as (...args: never[]) => unknown;
}

/** Reports what the handler threw, then throws the same value on to the caller. */
async function failed(
  runtime: Runtime,
  error: unknown,
  event: unknown,
  context: unknown,
  startedAt: number,
  watch: TimeoutWatch | undefined,
): Promise<never> {
  await settleWatch(runtime, watch);
  await runtime.report({ kind: 'threw', error }, event, context, startedAt);
  throw error;
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

interface ObservableStream {
  on?(event: symbol, listener: (error: unknown) => void): unknown;
  off?(event: symbol, listener: (error: unknown) => void): unknown;
}
type StreamingHandler = (event: unknown, responseStream: ObservableStream, context: unknown) => unknown;

/**
 * A response-streaming handler: `(event, responseStream, context)`. Reports
 * what the handler throws and what the response stream emits as an error
 * while the handler runs; keeps the markers the runtime reads.
 */
function wrapStreaming(handler: StreamingHandler, runtime: Runtime): (...args: never[]) => unknown {
  // Read here, not imported: an ES module import of node:events costs every cold start about 0.5 ms.
  const { errorMonitor } = process.getBuiltinModule('node:events');
  async function errorMailStreamingHandler(
    event: unknown,
    responseStream: ObservableStream,
    context: unknown,
  ): Promise<unknown> {
    const startedAt = Date.now();
    const watch = runtime.watch(event, context, startedAt);
    let streamError: unknown;
    // errorMonitor observes 'error' without handling it: an unhandled stream error stays unhandled.
    const monitor = (error: unknown) => {
      streamError ??= error;
    };
    responseStream?.on?.(errorMonitor, monitor);
    try {
      const result = await handler(event, responseStream, context);
      await settleWatch(runtime, watch);
      if (streamError !== undefined) {
        await runtime.report({ kind: 'threw', error: streamError }, event, context, startedAt);
      }
      return result;
    } catch (error) {
      return await failed(runtime, error, event, context, startedAt, watch);
    } finally {
      responseStream?.off?.(errorMonitor, monitor);
    }
  }
  const marked = errorMailStreamingHandler as unknown as Record<symbol, unknown>;
  const source = handler as unknown as Record<symbol, unknown>;
  marked[STREAMING] = source[STREAMING];
  if (HIGH_WATER_MARK in source) marked[HIGH_WATER_MARK] = source[HIGH_WATER_MARK];
  return errorMailStreamingHandler as unknown as (...args: never[]) => unknown;
}
