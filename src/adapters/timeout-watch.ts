import type { Outcome } from '../core/input/outcome.js';
import { remainingTimeMs } from '../core/input/safe.js';
import type { Clock, Timer, TimerHandle } from '../core/ports.js';
import type { Delivery } from '../pipeline/delivery.js';

/** The outcome a timeout warning reports. */
export type TimeoutOutcome = Extract<Outcome, { kind: 'timeout' }>;

interface Watched {
  event: unknown;
  context: unknown;
  /** Epoch ms; NaN when the adapter did not read the clock (see `startOf`). */
  startedAt: number;
  owner: object | undefined;
  /** The invocation's mark in the log capture, when it captures. */
  logMark: number | undefined;
  /** The warning's send, once it has started (then the "Timed out"'s); awaited before the invocation returns. */
  pending: Promise<Delivery> | undefined;
  /** What was sent: nothing, the warning, or also "Timed out" (only when `pastDeadline` is on). */
  sent: 0 | 1 | 2;
  /**
   * With `pastDeadline`, the deadline (epoch ms), read when the watch began: past it, a context's
   * clock may say 0 left (not every runtime counts below zero).
   */
  deadline: number;
}

/** One invocation watched while other invocations of the same wrapper run (Managed Instances, tests). */
export type OverlappingWatch = Readonly<Watched>;

/**
 * A watched invocation, as `watch` hands it out: hand it back to `unwatch` exactly once, on the
 * invocation's way out. The usual invocation (one at a time in a container) is the generation of
 * the slot, a number; an overlapping one is its entry.
 */
export type TimeoutWatch = number | OverlappingWatch;

/** What the timeout watch needs: the lead, the clock and timer, and who sends the warning. */
export interface TimeoutWatchOptions {
  /** Off: `watch` watches nothing. */
  readonly enabled: boolean;
  /** `ERROR_MAIL_TIMEOUT_WARNING_MS`: warn this long before the deadline. */
  readonly warningMs: number;
  readonly clock: Clock;
  readonly timer: Timer;
  /** Sends the warning of one invocation. */
  readonly warn: (
    outcome: TimeoutOutcome,
    event: unknown,
    context: unknown,
    startedAt: number,
    logMark: number | undefined,
  ) => Promise<Delivery>;
  /** True when an invocation (the owner given to `watch`) ended without its watch being ended. */
  readonly ended?: ((owner: object) => boolean) | undefined;
  /**
   * Also report an invocation still running at its deadline ("Timed out", after the warning): with
   * Lambda Managed Instances nothing stops it there.
   */
  readonly pastDeadline?: boolean;
  /**
   * Told once, when the watcher has learned the function's timeout: from then on an adapter may pass
   * NaN for an invocation's start instead of reading the clock, and `startOf` finds it.
   */
  readonly learned?: () => void;
}

/** Watches invocations for their deadline, to warn before a timeout. */
export interface TimeoutWatcher {
  /**
   * Watches one invocation; `owner`, when given, is what `ended` is asked about before a warning;
   * `logMark`, the invocation's mark in the log capture, goes with its warning.
   */
  watch(
    event: unknown,
    context: unknown,
    startedAt: number,
    owner?: object,
    logMark?: number,
  ): TimeoutWatch | undefined;
  /** Ends a watch: no warning starts for it from now on. Returns the warning already being sent, if any. */
  unwatch(watch: TimeoutWatch): Promise<Delivery> | undefined;
  /**
   * Ends the watch of the slot's invocation if `owner` is its owner, as `unwatch` would; nothing
   * otherwise, so it may be called again, or for an invocation that was never watched.
   */
  unwatchOwner(owner: object): Promise<Delivery> | undefined;
  /**
   * When an invocation whose start was not read (NaN) started, epoch ms: its deadline less the
   * function's timeout. `now` when the context has no clock or the timeout is not known yet.
   */
  startOf(context: unknown, now: number): number;
}

/**
 * The timeout warning's scheduler: one timer for all the invocations of a wrapper, never one per
 * invocation (arming and clearing a timer on every call cost more than the rest of the wrapper). The
 * clock is read only to arm the timer when it is idle. Otherwise an invocation only joins the watched
 * ones: it cannot be due before the time the timer is armed for, because Lambda gives every invocation
 * of a function the same timeout, so an invocation that starts later ends later. When the timer fires,
 * it asks each watched invocation for its remaining time, warns for those that are due and re-arms for
 * the earliest of the rest.
 * @example
 * const watcher = createTimeoutWatcher({ enabled: true, warningMs: 500, clock, timer, warn });
 */
export function createTimeoutWatcher(options: TimeoutWatchOptions): TimeoutWatcher {
  const { enabled, warningMs, clock, timer: timers, warn, ended, learned } = options;
  const pastDeadline = options.pastDeadline === true;
  // The function's timeout, as the longest time left that an invocation had when its start was read
  // (Lambda gives every invocation of a function the same timeout, from its start): 0 until known.
  // Learned whenever the idle timer is armed, which reads the clock anyway, so an invocation whose
  // first part ran elsewhere (an initialisation that ran into it) is outgrown by the next one.
  let timeoutMs = 0;
  const learn = (remaining: number) => {
    if (remaining <= timeoutMs) return;
    const first = timeoutMs === 0;
    timeoutMs = remaining;
    if (first) learned?.();
  };
  const startOf = (context: unknown, now: number): number => {
    const remaining = timeoutMs === 0 ? undefined : remainingTimeMs(context);
    if (remaining === undefined) return now;
    return Math.min(now, Math.max(now - timeoutMs, now + remaining - timeoutMs));
  };
  // The invocation that runs alone takes the slot; invocations that overlap it each get an entry in a
  // set. The slot's entry is made afresh for each invocation: what it holds (the event, the context)
  // the invocation has just made, and storing new objects into one that lives as long as the function
  // costs V8 a write barrier for each, several times the cost of the entry itself.
  let slot: Watched | undefined;
  let slotGeneration = 0;
  const overlapping = new Set<Watched>();
  let timer: TimerHandle | undefined;
  // When the timer fires (epoch ms).
  let armedFor = 0;

  const arm = (dueAt: number, now: number) => {
    armedFor = dueAt;
    timer = timers.set(errorMailTimeoutWarnings, Math.max(0, dueAt - now), true);
  };

  /** Warns for `watched` if it is due; else returns when it will be (epoch ms), or Infinity for never. */
  const check = (watched: Watched, now: number): number => {
    if (watched.sent === 2 || (watched.sent === 1 && !pastDeadline)) return Number.POSITIVE_INFINITY;
    if (watched.sent === 1) {
      // Warned: "Timed out" once the deadline has passed (Date.now() counts whole milliseconds).
      const { deadline, startedAt } = watched;
      if (now <= deadline) return deadline + 1;
      const outcome: TimeoutOutcome = {
        kind: 'timeout',
        elapsedMs: now - startedAt,
        remainingMs: deadline - now,
        timeoutMs: Math.ceil((deadline - startedAt) / 1000) * 1000,
        pastDeadline: true,
      };
      const send = () => warn(outcome, watched.event, watched.context, startedAt, watched.logMark);
      const warning = watched.pending;
      watched.pending = warning === undefined ? send() : warning.then(send, send);
      watched.sent = 2;
      return Number.POSITIVE_INFINITY;
    }
    const remaining = remainingTimeMs(watched.context);
    if (Number.isNaN(watched.startedAt)) watched.startedAt = startOf(watched.context, now);
    const elapsedMs = now - watched.startedAt;
    // No clock, or less than the warning's lead left when it started: never warned, as in `watch`.
    if (remaining === undefined || elapsedMs + remaining <= warningMs) return Number.POSITIVE_INFINITY;
    // Date.now() counts whole milliseconds; the timer's own clock does not.
    if (remaining > warningMs + 1) return now + remaining - warningMs;
    const outcome: TimeoutOutcome = {
      kind: 'timeout',
      elapsedMs,
      remainingMs: remaining,
      // Lambda timeouts are whole seconds; what was left at the start is a little under it.
      timeoutMs: Math.ceil((elapsedMs + remaining) / 1000) * 1000,
    };
    watched.pending = warn(outcome, watched.event, watched.context, watched.startedAt, watched.logMark);
    watched.sent = 1;
    return pastDeadline ? watched.deadline + 1 : Number.POSITIVE_INFINITY;
  };

  /** True when the adapter says the invocation is over though its watch was never ended. */
  const over = (watched: Watched): boolean => {
    if (watched.owner === undefined || ended === undefined) return false;
    try {
      return ended(watched.owner);
    } catch {
      return false;
    }
  };

  function errorMailTimeoutWarnings(): void {
    timer = undefined;
    const now = clock();
    let next = Number.POSITIVE_INFINITY;
    if (slot !== undefined) {
      if (over(slot)) releaseSlot();
      else next = check(slot, now);
    }
    for (const watched of overlapping) {
      if (over(watched)) overlapping.delete(watched);
      else next = Math.min(next, check(watched, now));
    }
    if (next !== Number.POSITIVE_INFINITY) arm(next, now);
  }

  /** The rare cases of `watch`, kept out of it so that the usual one stays small enough to inline. */
  const watchSlowly = (
    event: unknown,
    context: unknown,
    startedAt: number,
    owner: object | undefined,
    logMark: number | undefined,
  ): TimeoutWatch | undefined => {
    // The slot's invocation ended without its watch being ended (another middleware answered it).
    if (slot !== undefined && over(slot)) releaseSlot();
    if (slot === undefined && timer !== undefined && !pastDeadline) {
      return fillSlot(event, context, startedAt, owner, logMark);
    }
    let deadline = Number.NaN;
    // Arming needs the time now; an adapter that did not read it leaves NaN.
    if (Number.isNaN(startedAt) && (pastDeadline || timer === undefined)) startedAt = clock();
    if (pastDeadline) {
      // Each invocation its own entry, with its deadline; the timer may be armed for an earlier
      // invocation's deadline, later than this one's warning.
      const remaining = remainingTimeMs(context);
      if (remaining === undefined || remaining <= warningMs) return undefined;
      deadline = startedAt + remaining;
      if (timer === undefined || deadline - warningMs < armedFor) {
        if (timer !== undefined) timers.clear(timer);
        arm(deadline - warningMs, startedAt);
      }
    } else if (timer === undefined) {
      const remaining = remainingTimeMs(context);
      if (remaining === undefined || remaining <= warningMs) return undefined;
      learn(remaining);
      arm(startedAt + remaining - warningMs, startedAt);
      if (slot === undefined) return fillSlot(event, context, startedAt, owner, logMark);
    }
    const watched: Watched = {
      event,
      context,
      startedAt,
      owner,
      logMark,
      pending: undefined,
      sent: 0,
      deadline,
    };
    overlapping.add(watched);
    return watched;
  };

  const fillSlot = (
    event: unknown,
    context: unknown,
    startedAt: number,
    owner: object | undefined,
    logMark: number | undefined,
  ): number => {
    slot = { event, context, startedAt, owner, logMark, pending: undefined, sent: 0, deadline: Number.NaN };
    // Kept a small integer; a stale generation can only be one handed out 2^30 watches ago.
    slotGeneration = (slotGeneration + 1) & 0x3fffffff;
    return slotGeneration;
  };

  /** Frees the slot and returns the warning it was sending, if any. */
  const releaseSlot = (): Promise<Delivery> | undefined => {
    const pending = slot?.pending;
    slot = undefined;
    return pending;
  };

  return {
    watch(event, context, startedAt, owner, logMark) {
      if (!enabled) return undefined;
      if (timer === undefined || slot !== undefined || pastDeadline) {
        return watchSlowly(event, context, startedAt, owner, logMark);
      }
      return fillSlot(event, context, startedAt, owner, logMark);
    },
    startOf,
    unwatch(watch) {
      if (typeof watch !== 'number') {
        overlapping.delete(watch);
        return watch.pending;
      }
      if (slot === undefined || watch !== slotGeneration) return undefined;
      return releaseSlot();
    },
    unwatchOwner(owner) {
      return slot !== undefined && slot.owner === owner ? releaseSlot() : undefined;
    },
  };
}
