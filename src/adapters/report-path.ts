import type { Config } from '../config/load.js';
import type { Log, Transport } from '../core/ports.js';
import type { BeforeSend } from '../pipeline/before-send.js';
import { createReporter, type Reporter } from '../pipeline/reporter.js';
import { createDynamoDbDeduper } from '../transports/dynamodb-deduper.js';
import { createTransport } from '../transports/select.js';
import { systemClock, systemRandom, systemTimer } from './system.js';

// Invocations that already produced a report, for every wrapper in the container (see
// ReporterDependencies): held here because this module is loaded once per container.
const reportedInvocations = new WeakSet<object>();

/**
 * Everything a report needs beyond the settings: the reporter, the transport
 * `EMAIL_BACKEND` selects, the cross-container deduper, the real clock, timer
 * and random numbers. This module is loaded on the first report, so that
 * importing the package and succeeding cost only the settings and the adapters.
 */
export function createReporting(
  config: Config,
  options: {
    readonly transport: Transport | undefined;
    readonly log: Log;
    readonly beforeSend: BeforeSend | undefined;
    /** Hears whether reports whose send failed wait for a later invocation. */
    readonly keptChanged: (any: boolean) => void;
  },
): Reporter {
  return createReporter({
    config,
    transport: options.transport ?? createTransport(config),
    log: options.log,
    clock: systemClock,
    timer: systemTimer,
    random: systemRandom,
    nodeVersion: process.version,
    reportedInvocations,
    beforeSend: options.beforeSend,
    keptChanged: options.keptChanged,
    deduper: config.dedupeTable === undefined ? undefined : createDynamoDbDeduper(config.dedupeTable),
  });
}
