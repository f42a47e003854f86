import { readProperty, remainingTimeMs } from '../core/input/safe.js';
import type { Clock, SendTime, Timer, TimerHandle } from '../core/ports.js';

/** Time kept back before the invocation's deadline, for the handler's own return. */
export const DEADLINE_MARGIN_MS = 300;
/** Time kept back before the deadline by a timeout warning, which only has to arrive before it. */
export const TIMEOUT_WARNING_MARGIN_MS = 50;

/**
 * The time a send may take: `ERROR_MAIL_SEND_BUDGET_MS`, and never past the deadline less a margin
 * (`remainingMs` undefined: the context has no clock, and the fixed budget alone bounds the send).
 * @example
 * sendBudget(2000, 1200, false); // 900
 */
export function sendBudget(
  budgetMs: number,
  remainingMs: number | undefined,
  timeoutWarning: boolean,
): number {
  // A timeout warning is sent while the handler still runs: it only has to finish before the deadline.
  const margin = timeoutWarning ? TIMEOUT_WARNING_MARGIN_MS : DEADLINE_MARGIN_MS;
  return Math.min(budgetMs, (remainingMs ?? Number.POSITIVE_INFINITY) - margin);
}

/** The memory at which Lambda gives a function one full vCPU; below it, CPU is in proportion to memory. */
export const ONE_VCPU_MB = 1769;

/**
 * The time a send started now has until `budget` ms from now, and until the deadline of the
 * invocation of `context` (unless not `bounded` by it: an invocation past its deadline that nothing
 * stops), at the CPU share of the memory size it gives (`memoryLimitInMB`; one full vCPU without it).
 * @example
 * sendTime(2000, clock, { memoryLimitInMB: '128' }).cpuShare; // 0.0723...
 */
export function sendTime(budget: number, clock: Clock, context: unknown, bounded = true): SendTime {
  const now = clock();
  const endsAt = now + budget;
  const remaining = bounded ? remainingTimeMs(context) : undefined;
  const deadline = remaining === undefined ? undefined : now + remaining;
  const memory = Number(readProperty(context, 'memoryLimitInMB'));
  const cpuShare = Number.isFinite(memory) && memory > 0 ? Math.min(1, memory / ONE_VCPU_MB) : 1;
  return {
    leftMs: () => endsAt - clock(),
    untilDeadlineMs: () => (deadline === undefined ? undefined : deadline - clock()),
    cpuShare,
  };
}

/**
 * Runs `work`, and gives up after `budget` ms even if it ignores its abort signal.
 * @example
 * await runWithin(2000, timer, (signal) => transport.send(mail, signal));
 */
export async function runWithin(
  budget: number,
  timer: Timer,
  work: (signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const controller = new AbortController();
  let handle: TimerHandle | undefined;
  const expired = new Promise<never>((_, reject) => {
    handle = timer.set(() => {
      const error = new Error(`send took longer than its ${budget} ms budget`);
      controller.abort(error);
      reject(error);
    }, budget);
  });
  try {
    await Promise.race([work(controller.signal), expired]);
  } finally {
    if (handle !== undefined) timer.clear(handle);
  }
}
