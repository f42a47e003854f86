import type { Clock, Random, Timer, TimerHandle } from '../../src/core/ports.js';

/** A clock and timer handed in as ports (no global fakes), that move only when told to: `advance(ms)` runs what falls due, in order. */
export interface ManualTime {
  readonly clock: Clock;
  readonly timer: Timer;
  /** Timers set so far, cleared or not. */
  readonly timersSet: () => number;
  /** Timers set and not yet run or cleared. */
  readonly pending: () => number;
  /** Moves the clock forward, running each timer that falls due and the promise jobs it starts. */
  advance(ms: number): Promise<void>;
  /** A Lambda context whose remaining time runs down on this clock. */
  context(remainingMs: number, extra?: Record<string, unknown>): Record<string, unknown>;
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Creates a fake clock and timer starting at `start` (epoch ms). */
export function manualTime(start = Date.UTC(2026, 11, 1, 9, 0, 0)): ManualTime {
  let now = start;
  let nextId = 0;
  let set = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    clock: () => now,
    timer: {
      set(callback, ms) {
        set += 1;
        nextId += 1;
        timers.set(nextId, { at: now + Math.max(0, ms), callback });
        return nextId as unknown as TimerHandle;
      },
      clear(handle) {
        timers.delete(handle as unknown as number);
      },
    },
    timersSet: () => set,
    pending: () => timers.size,
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        await settle();
        const due = [...timers].filter(([, t]) => t.at <= target).sort(([, a], [, b]) => a.at - b.at)[0];
        if (due === undefined) break;
        const [id, { at, callback }] = due;
        timers.delete(id);
        now = at;
        callback();
      }
      now = target;
      await settle();
    },
    context(remainingMs, extra = {}) {
      const deadline = now + remainingMs;
      return { awsRequestId: `req-${now}`, getRemainingTimeInMillis: () => deadline - now, ...extra };
    },
  };
}

/** Random numbers drawn from a fixed list, round and round: Message-IDs become predictable. */
export function fixedRandom(...values: number[]): Random {
  let i = 0;
  return () => values[i++ % values.length] as number;
}
