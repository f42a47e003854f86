import { isDurableContext } from '../core/input/durable.js';
import type { Invocation, Outcome } from '../core/input/outcome.js';

/**
 * What `reportError` leaves for the wrappers of the container: which error objects and invocations it
 * reported, so that a wrapper does not mail the same failure again, and its sends still under way, so
 * that a wrapper awaits them before its invocation returns (a Lambda freeze would cut them). One per
 * copy of the library, in its entry: the report path is handed {@link wasHandled}, never imports it.
 */

// Where a handled report was made: its invocation's context and event (when given), and when.
interface HandledAt {
  readonly context: object | undefined;
  readonly event: object | undefined;
  readonly at: number;
}

const errors = new WeakMap<object, HandledAt>();
// The contexts and events of the invocations reportError reported in.
const invocations = new WeakSet<object>();
// When reportError last reported with neither context nor event: it counts for the invocation under way.
let unplacedAt = Number.NEGATIVE_INFINITY;
// Sends under way by invocation (its context, else its event; undefined with neither).
const sends = new Map<object | undefined, Set<Promise<void>>>();
// The kept reports of reportError's reporters (a send that failed), sent as the next invocation ends.
const keptSenders = new Set<(context: unknown) => Promise<void>>();

/**
 * Sends under way plus reporters holding kept reports: the one field a wrapper reads as a successful
 * invocation ends, so that none waiting costs a property read.
 */
export const handledReports = { waiting: 0 };

function objectOrUndefined(value: unknown): object | undefined {
  return (typeof value === 'object' || typeof value === 'function') && value !== null ? value : undefined;
}

/**
 * The context a wrapper knows an invocation by: inside withDurableExecution the handler is handed the
 * SDK's context, and the wrapper around the SDK has the Lambda context it carries.
 */
function placeOf(context: unknown): object | undefined {
  return objectOrUndefined(
    isDurableContext(context) ? (context as { lambdaContext: unknown }).lambdaContext : context,
  );
}

/**
 * Notes, as `reportError` is called and before anything is awaited, that `error` is reported in the
 * invocation of `context` (else `event`).
 * @example
 * noteHandled(error, event, context, Date.now());
 */
export function noteHandled(error: unknown, event: unknown, context: unknown, at: number): void {
  const placed: HandledAt = { context: placeOf(context), event: objectOrUndefined(event), at };
  const key = objectOrUndefined(error);
  if (key !== undefined) errors.set(key, placed);
  if (placed.context !== undefined) invocations.add(placed.context);
  if (placed.event !== undefined) invocations.add(placed.event);
  if (placed.context === undefined && placed.event === undefined) unplacedAt = at;
}

/**
 * True when `reportError` reported this outcome's failure in `invocation`: the same error object
 * thrown, or a result (a returned 5xx, failed batch items) of an invocation it reported in. Without a
 * context or event to tell invocations apart, a report made since the invocation started counts.
 * @example
 * createReporter({ ...deps, handled: wasHandled });
 */
export function wasHandled(outcome: Outcome, invocation: Invocation): boolean {
  if (outcome.kind === 'threw') {
    const key = objectOrUndefined(outcome.error);
    const placed = key === undefined ? undefined : errors.get(key);
    if (placed === undefined) return false;
    if (placed.context !== undefined) return placed.context === invocation.context;
    if (placed.event !== undefined) return placed.event === invocation.event;
    return placed.at >= invocation.startedAt;
  }
  if (outcome.kind !== 'returned') return false;
  const context = objectOrUndefined(invocation.context);
  const event = objectOrUndefined(invocation.event);
  return (
    (context !== undefined && invocations.has(context)) ||
    (event !== undefined && invocations.has(event)) ||
    unplacedAt >= invocation.startedAt
  );
}

/**
 * Counts a send of `reportError` until it settles (it never rejects).
 * @example
 * trackHandled(sending, event, context);
 */
export function trackHandled(sending: Promise<void>, event: unknown, context: unknown): void {
  const key = placeOf(context) ?? objectOrUndefined(event);
  let pending = sends.get(key);
  if (pending === undefined) {
    pending = new Set();
    sends.set(key, pending);
  }
  const set = pending;
  set.add(sending);
  handledReports.waiting += 1;
  const done = () => {
    set.delete(sending);
    if (set.size === 0 && sends.get(key) === set) sends.delete(key);
    handledReports.waiting -= 1;
  };
  sending.then(done, done);
}

/**
 * Hears from a reporter of `reportError` whether it holds kept reports: while it does, the wrappers
 * send them as their invocations end.
 * @example
 * createReporting(config, { ...options, keptChanged: (any) => keptChanged(sendKept, any) });
 */
export function keptChanged(sendKept: (context: unknown) => Promise<void>, any: boolean): void {
  if (any === keptSenders.has(sendKept)) return;
  if (any) keptSenders.add(sendKept);
  else keptSenders.delete(sendKept);
  handledReports.waiting += any ? 1 : -1;
}

/**
 * What an ending invocation waits for: the sends of `reportError` made in it (and those that named no
 * invocation), and the kept reports of its reporters, sent now; undefined when there are none.
 * @example
 * const handled = handledReports.waiting === 0 ? undefined : settleHandled(event, context);
 */
export function settleHandled(event: unknown, context: unknown): Promise<void> | undefined {
  const waits: Promise<void>[] = [];
  const keys = new Set([placeOf(context), objectOrUndefined(event), undefined]);
  for (const key of keys) for (const sending of sends.get(key) ?? []) waits.push(sending);
  for (const sendKept of keptSenders) waits.push(sendKept(context));
  return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
}

/**
 * Waits for the sends of `reportError` in this invocation (a handler that did not await them would
 * have them cut by the freeze) and sends the kept reports of its reporters.
 * @example
 * await settleReported(event, context);
 */
export async function settleReported(event: unknown, context: unknown): Promise<void> {
  const handled = handledReports.waiting === 0 ? undefined : settleHandled(event, context);
  if (handled !== undefined) await handled;
}
