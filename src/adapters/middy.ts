import { mayNeedReport } from '../core/decide/classify.js';
import { isDurableContext } from '../core/input/durable.js';
import { handledReports } from './handled.js';
import {
  createRuntime,
  type ErrorMailOptions,
  type Runtime,
  settleReported,
  settleSuccess,
  settleWatch,
} from './runtime.js';
import type { TimeoutWatch } from './timeout-watch.js';

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
  after: (request: MiddyRequest) => Promise<void> | undefined;
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
  const runtime = createRuntime(options, answered);
  return {
    before: function errorMailMiddlewareBefore(request) {
      const startedAt = Date.now();
      // Inside withDurableExecution a suspension never ends the request: no watch, no log capture,
      // which would wait for that end (see callInsideDurable).
      const inside = isDurableContext(request.context);
      const logMark =
        runtime.logs === undefined || inside
          ? undefined
          : runtime.logs.begin(request.context, startedAt, request, answered);
      const state: InvocationState = {
        startedAt,
        logMark,
        watch: inside
          ? undefined
          : runtime.watch(request.event, request.context, startedAt, request, logMark),
        current: request.error,
        firstError: undefined,
      };
      (request as StatefulRequest)[STATE] = state;
      Object.defineProperty(request, 'error', KEEP_FIRST_ERROR);
    },
    // Not async: a middleware that returns no promise costs middy no await on the success path.
    after: function errorMailMiddlewareAfter(request) {
      const state = (request as StatefulRequest)[STATE];
      if (state?.logMark !== undefined) runtime.logs?.end(state.logMark);
      const pending = state?.watch === undefined ? undefined : runtime.unwatch(state.watch);
      const sendingKept = startSendingKept(runtime, request);
      if (
        pending === undefined &&
        sendingKept === undefined &&
        handledReports.waiting === 0 &&
        !mayNeedReport(request.response)
      ) {
        return undefined;
      }
      // Resolves to undefined: a value returned from `after` would become middy's early response.
      return settleSuccess(
        runtime,
        request.response,
        pending,
        request.event,
        request.context,
        state?.startedAt ?? Date.now(),
        sendingKept,
        state?.logMark,
      );
    },
    onError: async function errorMailMiddlewareOnError(request) {
      const state = (request as StatefulRequest)[STATE];
      if (state?.logMark !== undefined) runtime.logs?.end(state.logMark);
      const sendingKept = startSendingKept(runtime, request);
      await settleWatch(runtime, state?.watch);
      const error = state?.firstError ?? request.error;
      await runtime.report(
        { kind: 'threw', error },
        request.event,
        request.context,
        state?.startedAt ?? Date.now(),
        state?.logMark,
      );
      if (sendingKept !== undefined) await sendingKept;
      await settleReported(request.event, request.context);
    },
  };
}

/**
 * Starts the late sending of kept reports at the end of the invocation, where it is awaited: a later
 * middleware's early answer skips `after` and `onError`, and sends started in `before` would then
 * outlive the invocation, taken out of the store and cut by the freeze.
 */
function startSendingKept(runtime: Runtime, request: MiddyRequest): Promise<void> | undefined {
  const sendKept = runtime.sendKept;
  return sendKept === undefined ? undefined : sendKept(request.context);
}

/**
 * True once middy has a response for the request. A middleware that returns a value (a warm-up
 * middleware's `before`, say) makes middy answer at once, skipping our `after` and `onError`; and once
 * the handler is done, the invocation is no longer the handler running into its deadline.
 */
function answered(request: object): boolean {
  return (request as MiddyRequest).response !== undefined || Object.hasOwn(request, 'earlyResponse');
}

// Per-invocation state lives on middy's request object, under a symbol no one else reads.
const STATE = Symbol('lambda-error-mail');

interface InvocationState {
  readonly startedAt: number;
  /** The invocation's mark in the log capture, when it captures. */
  readonly logMark: number | undefined;
  readonly watch: TimeoutWatch | undefined;
  /** What `request.error` holds now. */
  current: unknown;
  /** The first error middy put into `request.error`, before any middleware replaced it. */
  firstError: unknown;
}

type StatefulRequest = MiddyRequest & { [STATE]?: InvocationState };

// @middy/http-error-handler replaces request.error with a plain { statusCode: 500 } for errors it does not
// expose; when its onError runs before ours, the original error would be gone, so `error` becomes an
// accessor that keeps the first one. One descriptor shared by every request: no closures per invocation.
const KEEP_FIRST_ERROR: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: StatefulRequest) {
    return this[STATE]?.current;
  },
  set(this: StatefulRequest, value: unknown) {
    const state = this[STATE];
    if (state === undefined) return;
    if (state.firstError === undefined && value !== undefined && value !== null) state.firstError = value;
    state.current = value;
  },
};
