import { mayNeedReport } from '../core/decide/classify.js';
import { isDurableContext } from '../core/input/durable.js';
import type { Delivery } from '../pipeline/delivery.js';
import { handledReports, settleReported } from './handled.js';
import { createRuntime, type ErrorMailOptions, type Runtime, settleSuccess, startTime } from './runtime.js';
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
 * error goes on to the next middleware or to the caller. Register it after
 * `@middy/http-error-handler` (middy runs `onError` hooks in the reverse order
 * of `use`), so that it sees the error that was thrown before the error
 * handler turns it into a response. Works with middy 5, 6 and 7.
 *
 * @throws {ConfigError} when a setting is invalid.
 * @example
 * export const handler = middy(base).use(httpErrorHandler()).use(errorMail());
 */
export function errorMail(options: ErrorMailOptions = {}): ErrorMailMiddleware {
  const runtime = createRuntime(options, answered);
  // Registered before an error handler, this middleware's onError runs after the handler's, which may
  // have replaced the error. It cannot know that until it sees it: from the first time an onError that
  // ran before it has answered, each invocation keeps the first error middy raised, through an
  // accessor on `request.error`. The accessor makes V8 give the request a slower shape for the rest
  // of the invocation (BENCHMARKS.md has its cost), so it is only installed once it is needed.
  let keepFirstError = false;
  return {
    before: function errorMailMiddlewareBefore(request) {
      const context = request.context;
      // Once the timeout is known, NaN (no clock read): a report finds the start from the deadline.
      const startedAt = startTime(runtime, context);
      // The usual case: NaN (so no log capture either), not durable (a Lambda context has no
      // `lambdaContext`), and the invocation runs alone, so the watch's slot is its state, found by
      // its request in `after` and `onError`. middy's request stays as middy made it: a property added
      // to it costs V8 a new backing store on every invocation.
      let watch: TimeoutWatch | undefined;
      let logMark: number | undefined;
      if (
        !keepFirstError &&
        Number.isNaN(startedAt) &&
        (context as { lambdaContext?: unknown } | null | undefined)?.lambdaContext === undefined
      ) {
        watch = runtime.watch(request.event, context, startedAt, request, undefined);
        // An entry (it overlaps another) is kept on the request, below.
        if (typeof watch !== 'object') return;
      } else {
        // Inside withDurableExecution a suspension never ends the request: no watch, no log capture,
        // which would wait for that end (see callInsideDurable).
        const inside = isDurableContext(context);
        const logs = runtime.logs;
        logMark =
          logs === undefined || inside ? undefined : logs.begin(context, startedAt, request, answered);
        watch = inside ? undefined : runtime.watch(request.event, context, startedAt, request, logMark);
      }
      const state: InvocationState = {
        startedAt,
        logMark,
        watch,
        ended: false,
        current: undefined,
        firstError: undefined,
      };
      (request as StatefulRequest)[STATE] = state;
      if (keepFirstError) {
        state.current = request.error;
        Object.defineProperty(request, 'error', KEEP_FIRST_ERROR);
      }
    },
    // Not async: a middleware that returns no promise costs middy no await on the success path.
    after: function errorMailMiddlewareAfter(request) {
      const state = (request as StatefulRequest)[STATE];
      const pending = state === undefined ? runtime.unwatchOwner(request) : end(runtime, state);
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
        state?.startedAt ?? startTime(runtime, request.context),
        sendingKept,
        state?.logMark,
      );
    },
    onError: async function errorMailMiddlewareOnError(request) {
      const state = (request as StatefulRequest)[STATE];
      // middy clears the response before it runs the onError hooks: one there now was put there by a
      // hook that ran before this one, and that hook may have replaced the error.
      const answeredFirst = request.response !== undefined;
      const kept = state?.firstError;
      const replaced = answeredFirst && kept === undefined && !(request.error instanceof Error);
      if (answeredFirst && !keepFirstError) {
        keepFirstError = true;
        warnOrder(runtime);
      }
      // Ended already when an `after` registered before this middleware threw (its `after` ran first).
      const pending = state === undefined ? runtime.unwatchOwner(request) : end(runtime, state);
      const sendingKept = startSendingKept(runtime, request);
      if (pending !== undefined) await pending;
      await runtime.report(
        replaced
          ? { kind: 'threw', error: request.error, replaced }
          : { kind: 'threw', error: kept ?? request.error },
        request.event,
        request.context,
        state?.startedAt ?? startTime(runtime, request.context),
        state?.logMark,
      );
      if (sendingKept !== undefined) await sendingKept;
      await settleReported(request.event, request.context);
    },
  };
}

/** Ends an invocation's log mark and watch, once; returns the timeout warning being sent, if any. */
function end(runtime: Runtime, state: InvocationState): Promise<Delivery> | undefined {
  if (state.ended) return undefined;
  state.ended = true;
  if (state.logMark !== undefined) runtime.logs?.end(state.logMark);
  return state.watch === undefined ? undefined : runtime.unwatch(state.watch);
}

/** Says once, in the log, that this middleware runs after an error handler, and what that costs. */
function warnOrder(runtime: Runtime): void {
  try {
    runtime.log({
      level: 'WARN',
      message:
        'lambda-error-mail: errorMail() ran after an onError middleware that had answered the request, such as @middy/http-error-handler, which replaces errors it does not expose; register errorMail() after it (middy runs onError in the reverse order of use). Until then each invocation keeps the first error for the mail, through an accessor on request.error that slows every invocation.',
    });
  } catch {
    // The log is the caller's; a failing one must not fail the invocation.
  }
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
  /** Epoch ms, or NaN: see `startTime`. */
  readonly startedAt: number;
  /** The invocation's mark in the log capture, when it captures. */
  readonly logMark: number | undefined;
  readonly watch: TimeoutWatch | undefined;
  /** True once the log mark and the watch are ended: `after` ran, and a later `after` may have thrown. */
  ended: boolean;
  /** What `request.error` holds now, once `error` is an accessor. */
  current: unknown;
  /** The first error middy put into `request.error`, before any middleware replaced it. */
  firstError: unknown;
}

type StatefulRequest = MiddyRequest & { [STATE]?: InvocationState };

// @middy/http-error-handler replaces request.error with a plain { statusCode: 500 } for errors it does not
// expose; once its onError is known to run before ours, `error` becomes an accessor that keeps the first
// one. One descriptor shared by every request: no closures per invocation.
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
