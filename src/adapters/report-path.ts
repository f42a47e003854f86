import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/load.js';
import type { Log, SendTime, SourceLookup, Transport } from '../core/ports.js';
import type { BeforeSend } from '../pipeline/before-send.js';
import { createReporter, type Reporter, type ReporterDependencies } from '../pipeline/reporter.js';
import { createDynamoDbDeduper } from '../transports/dynamodb-deduper.js';
import { createTransport } from '../transports/select.js';
import { createSourceMaps, type SourceMaps } from './source-maps.js';
import { systemClock, systemRandom, systemTimer } from './system.js';

// What mailAdmins and mailManagers send with, loaded with their first mail.
export { sendListMail } from '../pipeline/list-mail.js';
export { createTransport } from '../transports/select.js';

// Invocations that already produced a report, for every wrapper in the container (see
// ReporterDependencies): held here because this module is loaded once per container.
const reportedInvocations = new WeakSet<object>();
// The container's source maps, read on the first thrown error: one cache for every wrapper.
let sourceMaps: SourceMaps | undefined;

/**
 * The source lookup of one report. Sources are read under the task root (see {@link taskRootOf}); a
 * process that maps stacks itself (`--enable-source-maps`) is not mapped again.
 *
 * @example
 * createReporter({ ...deps, sources: (time) => sourcesFor(config.taskRoot, time) });
 */
export async function sourcesFor(
  taskRoot: string | undefined,
  time: SendTime,
): Promise<SourceLookup | undefined> {
  const root = taskRootOf(taskRoot);
  if (!usableTaskRoot(root)) return undefined;
  sourceMaps ??= createSourceMaps({ taskRoot: root, alreadyMapped: process.sourceMapsEnabled === true });
  return sourceMaps.lookupFor(time);
}

/**
 * Where the function's code is: `LAMBDA_TASK_ROOT` when it is a folder here (a local emulator may name
 * `/var/task` and run the code from the project), else the working directory.
 *
 * @example
 * taskRootOf(config.taskRoot); // '/var/task' in Lambda; the working directory where no such folder is
 */
export function taskRootOf(named: string | undefined): string {
  try {
    if (named !== undefined && statSync(named).isDirectory()) return named;
  } catch {
    // Not there: the working directory is the code's.
  }
  return process.cwd();
}

/** Sources are never read from under the file system's root: that is no function's own folder. */
function usableTaskRoot(root: string): boolean {
  return resolve(root) !== resolve('/');
}

/**
 * Everything a report needs beyond the settings: the reporter, the transport
 * `EMAIL_BACKEND` selects, the cross-container deduper, the source maps, the real clock, timer
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
    /** Tells a failure that `reportError` already reported (see ReporterDependencies). */
    readonly handled?: ReporterDependencies['handled'];
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
    handled: options.handled,
    deduper: config.dedupeTable === undefined ? undefined : createDynamoDbDeduper(config.dedupeTable),
    sources: (time) => sourcesFor(config.taskRoot, time),
  });
}
