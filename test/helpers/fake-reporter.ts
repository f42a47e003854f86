import { loadConfig } from '../../src/config/load.js';
import type { LogRecord, Transport } from '../../src/core/ports.js';
import { createReporter, type ReporterDependencies } from '../../src/pipeline/reporter.js';
import { fixedRandom, manualTime } from './fake-ports.js';
import { mailEnv } from './recording-transport.js';

/** What `fakeReporter` takes: a transport, any other dependency to replace, and settings over `mailEnv`. */
export type FakeReporterOptions = Partial<ReporterDependencies> & {
  readonly transport: Transport;
  readonly env?: Record<string, string> | undefined;
};

/**
 * The reporter alone, every port faked: no real clock, timer or random number is read. Its log is
 * kept in `logs`; `time` moves only when told to.
 */
export function fakeReporter(options: FakeReporterOptions) {
  const time = manualTime();
  const logs: LogRecord[] = [];
  const { env, ...deps } = options;
  const reporter = createReporter({
    config: loadConfig(mailEnv(env)),
    log: (record) => logs.push(record),
    clock: time.clock,
    timer: time.timer,
    random: fixedRandom(0.25, 0.5),
    nodeVersion: 'v24.0.0-test',
    reportedInvocations: new WeakSet(),
    ...deps,
  });
  return { reporter, time, logs };
}
