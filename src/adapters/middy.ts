import {
  createRuntime,
  type ErrorMailOptions,
  mayNeedReport,
  settleWatch,
  type TimeoutWatch,
} from './runtime.js';

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
  interface InvocationState {
    startedAt: number;
    watch: TimeoutWatch | undefined;
    /** The first error middy put into `request.error`, before any middleware replaced it. */
    firstError: unknown;
  }
  const invocations = new WeakMap<object, InvocationState>();
  /** Clears the invocation's timeout warning, waiting for one already being sent. */
  const settle = async (request: MiddyRequest): Promise<number> => {
    const state = invocations.get(request);
    await settleWatch(state?.watch);
    return state?.startedAt ?? Date.now();
  };
  return {
    before: function errorMailMiddlewareBefore(request) {
      const startedAt = Date.now();
      const state: InvocationState = {
        startedAt,
        watch: runtime.watch(request.event, request.context, startedAt),
        firstError: undefined,
      };
      invocations.set(request, state);
      // @middy/http-error-handler replaces request.error with a plain { statusCode: 500 } for errors it
      // does not expose; when its onError runs before ours, the original error would be gone. Keep it.
      let current = request.error;
      Object.defineProperty(request, 'error', {
        configurable: true,
        enumerable: true,
        get: () => current,
        set: (value: unknown) => {
          if (state.firstError === undefined && value !== undefined && value !== null)
            state.firstError = value;
          current = value;
        },
      });
    },
    after: async function errorMailMiddlewareAfter(request) {
      const startedAt = await settle(request);
      if (!mayNeedReport(request.response)) return;
      await runtime.report(
        { kind: 'returned', result: request.response },
        request.event,
        request.context,
        startedAt,
      );
    },
    onError: async function errorMailMiddlewareOnError(request) {
      const startedAt = await settle(request);
      const error = invocations.get(request)?.firstError ?? request.error;
      await runtime.report({ kind: 'threw', error }, request.event, request.context, startedAt);
    },
  };
}
