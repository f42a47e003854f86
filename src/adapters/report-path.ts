import type { Config } from '../config/load.js';
import type { Transport } from '../core/ports.js';
import { type BeforeSend, createReporter, type LogRecord, type Reporter } from '../pipeline/reporter.js';
import { createDynamoDbDeduper } from '../transports/dynamodb-deduper.js';
import { createTransport } from '../transports/select.js';

/**
 * Everything a report needs beyond the settings: the reporter, the transport
 * `EMAIL_BACKEND` selects, the cross-container deduper. This module is loaded
 * on the first report, so that importing the package and succeeding cost only
 * the settings and the adapters.
 */
export function createReporting(
  config: Config,
  options: {
    readonly transport: Transport | undefined;
    readonly log: (record: LogRecord) => void;
    readonly beforeSend: BeforeSend | undefined;
  },
): Reporter {
  return createReporter({
    config,
    transport: options.transport ?? createTransport(config),
    log: options.log,
    now: () => Date.now(),
    beforeSend: options.beforeSend,
    deduper: config.dedupeTable === undefined ? undefined : createDynamoDbDeduper(config.dedupeTable),
  });
}
