import type { Clock, Log, Random, Timer, TimerHandle } from '../core/ports.js';
import { withoutCapture } from './log-capture.js';

// The real ports, for the adapters and the command. Each reads its global when called, not when this
// module loads, so that a test's fake timers apply.

/** The wall clock: `Date.now()`. */
export const systemClock: Clock = () => Date.now();

/** `setTimeout` and `clearTimeout`; a background timer is unref'd. */
export const systemTimer: Timer = {
  set(callback, ms, background = false) {
    const timeout = setTimeout(callback, ms);
    if (background) timeout.unref();
    return timeout as unknown as TimerHandle;
  },
  clear(handle) {
    clearTimeout(handle as unknown as NodeJS.Timeout);
  },
};

/** `Math.random()`. */
export const systemRandom: Random = () => Math.random();

/**
 * The default log: one JSON line per record on standard error, where Lambda sends it to CloudWatch;
 * not captured for a mail's log lines.
 */
export const writeJsonLine: Log = (record) => {
  const line = `${JSON.stringify(record)}\n`;
  withoutCapture(() => process.stderr.write(line));
};
