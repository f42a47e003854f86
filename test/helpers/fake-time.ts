import { createRequire, syncBuiltinESMExports } from 'node:module';
import { afterEach, beforeEach, vi } from 'vitest';
import { withErrorMail } from '../../src/index.js';
import { lambdaContext } from './context.js';
import { httpApiEvent } from './events.js';
import { mailEnv, recordingTransport } from './recording-transport.js';

// middy imports setTimeout and clearTimeout from node:timers, whose exports vi.useFakeTimers() leaves
// real: they are pointed at the faked globals while time is faked, and back after.
const timers = createRequire(import.meta.url)('node:timers') as Record<string, unknown>;
const TIMER_FUNCTIONS = [
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'setImmediate',
  'clearImmediate',
] as const;
const realTimers = Object.fromEntries(TIMER_FUNCTIONS.map((name) => [name, timers[name]]));

/**
 * Fakes time: the timers and `Date.now()` (vitest's fake timers), and the timers of node:timers.
 * Time then moves only by `vi.advanceTimersByTimeAsync(ms)`, which also lets promises settle
 * between the timers it fires.
 */
export function fakeTime(): void {
  vi.useFakeTimers();
  for (const name of TIMER_FUNCTIONS) timers[name] = globalThis[name];
  syncBuiltinESMExports();
}

/** Undoes {@link fakeTime}. */
export function realTime(): void {
  vi.useRealTimers();
  Object.assign(timers, realTimers);
  syncBuiltinESMExports();
}

/** Fakes time for each test of the enclosing file or `describe`. */
export function useFakeTime(): void {
  beforeEach(fakeTime);
  afterEach(realTime);
}

/**
 * Sends one report with real time, as the first report of a container would. The library loads its
 * report path with the first report; that load takes real milliseconds, during which
 * `vi.advanceTimersByTimeAsync` would move the faked clock on, past the deadline of the invocation
 * being reported. Call it in `beforeAll` of a file that reports under fake time.
 */
export async function loadReportPath(): Promise<void> {
  const transport = recordingTransport();
  const handler = withErrorMail(
    async () => {
      throw new Error('load the report path');
    },
    { env: mailEnv(), transport },
  );

  await handler(httpApiEvent(), lambdaContext()).catch(() => undefined);

  if (transport.mails.length !== 1) throw new Error('the report path did not load: no mail was sent');
}
