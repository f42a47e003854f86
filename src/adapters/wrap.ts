import { createRuntime, type ErrorMailOptions, mayNeedReport } from './runtime.js';

/**
 * Wraps a Lambda handler so that a server error mails `ADMINS` and a broken
 * link mails `MANAGERS`. The caller gets exactly what the handler produced:
 * the same result object, or the same error object rethrown. Settings are
 * read and checked here, once, so an invalid value fails the cold start.
 *
 * @throws {ConfigError} when a setting is invalid.
 * @example
 * export const handler = withErrorMail(async (event: APIGatewayProxyEventV2) => ({ statusCode: 200, body: 'ok' }));
 */
export function withErrorMail<TEvent, TResult, TContext>(
  handler: (event: TEvent, context: TContext) => TResult | Promise<TResult>,
  options: ErrorMailOptions = {},
): (event: TEvent, context: TContext) => Promise<TResult> {
  const runtime = createRuntime(options);
  return async function errorMailHandler(event: TEvent, context: TContext): Promise<TResult> {
    const startedAt = Date.now();
    const watch = runtime.watch(event, context, startedAt);
    let result: TResult;
    try {
      result = await handler(event, context);
    } catch (error) {
      if (watch !== undefined) {
        clearTimeout(watch.timer);
        if (watch.pending !== undefined) await watch.pending;
      }
      await runtime.report({ kind: 'threw', error }, event, context, startedAt);
      throw error;
    }
    if (watch !== undefined) {
      clearTimeout(watch.timer);
      // A warning already on its way finishes before the invocation returns and is frozen.
      if (watch.pending !== undefined) await watch.pending;
    }
    if (mayNeedReport(result)) {
      await runtime.report({ kind: 'returned', result }, event, context, startedAt);
    }
    return result;
  };
}
