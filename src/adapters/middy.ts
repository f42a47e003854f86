import { createRuntime, type ErrorMailOptions, mayNeedReport } from './runtime.js';

/**
 * The part of middy's request object this middleware reads. Declared here so
 * that `@middy/core` stays an optional peer.
 * @example
 * errorMail().onError({ event, context, error: new Error('x') });
 */
export interface MiddyRequest {
  event: unknown;
  context: unknown;
  response?: unknown;
  error?: unknown;
}

/**
 * A middy middleware object, as `middy(handler).use()` takes it.
 * @example
 * const middleware: ErrorMailMiddleware = errorMail();
 */
export interface ErrorMailMiddleware {
  before: (request: MiddyRequest) => void;
  after: (request: MiddyRequest) => Promise<void>;
  onError: (request: MiddyRequest) => Promise<void>;
}

/**
 * The middy middleware: mails `ADMINS` on an error or a returned 5xx and
 * `MANAGERS` on a broken link. `onError` returns nothing, so the original
 * error goes on to the next middleware or to the caller. Use it first, so that
 * its `after` sees the final response. Works with middy 5, 6 and 7.
 *
 * @throws {ConfigError} when a setting is invalid.
 * @example
 * export const handler = middy(base).use(errorMail());
 */
export function errorMail(options: ErrorMailOptions = {}): ErrorMailMiddleware {
  const runtime = createRuntime(options);
  const startedAt = new WeakMap<object, number>();
  return {
    before: function errorMailMiddlewareBefore(request) {
      startedAt.set(request, Date.now());
    },
    after: async function errorMailMiddlewareAfter(request) {
      if (!mayNeedReport(request.response)) return;
      await runtime.report(
        { kind: 'returned', result: request.response },
        request.event,
        request.context,
        startedAt.get(request) ?? Date.now(),
      );
    },
    onError: async function errorMailMiddlewareOnError(request) {
      await runtime.report(
        { kind: 'threw', error: request.error },
        request.event,
        request.context,
        startedAt.get(request) ?? Date.now(),
      );
    },
  };
}
