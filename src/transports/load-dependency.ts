import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SendTime } from '../core/ports.js';

/**
 * What the steps of a container's first report that cannot be interrupted once started cost, in
 * milliseconds of CPU at one full vCPU, counting V8's helper threads (a CPU quota counts them too):
 * loading each dependency, then the first composing and the first request of each client, whose code
 * runs, and compiles, for the first time (later ones take a few milliseconds). The highest of the
 * medians on Node 20, 22 and 24 of each step as the report path runs it (5 fresh processes each),
 * rounded up; the DynamoDB client's taken as the SES client's (both are mostly the SDK's shared core),
 * the SMTP connection's measured on its own (2 to 7 ms). `npm run bench:lowmem` measures the SES
 * path's steps at each memory size, where a step takes its figure divided by the CPU share.
 */
export const FIRST_USE_CPU_MS = {
  sesClient: 115,
  composer: 35,
  smtpConnection: 5,
  dynamoDbClient: 115,
  firstCompose: 40,
  firstSesRequest: 50,
  firstDynamoDbRequest: 50,
} as const;

/**
 * A step starts only when this many times its estimate fits before the invocation's deadline: the
 * send budget is a target, which a step that runs long overruns by its error, but the deadline ends the
 * invocation, and the caller's result with it.
 */
export const DEADLINE_SAFETY = 1.5;

// The steps done in this container.
let stepsDone = 0;
// Per send (its time): how long its last CPU-bound step took against its estimate (1: as estimated),
// which scales the estimates of its next steps. A CPU slower than measured, or shared with the
// handler or with V8's work left from the loads before, shows in the step before; a later send
// starts again from 1, so one slow step does not hold every later one back.
const paces = new WeakMap<SendTime, number>();
const PACE_BOUNDS = [1, 4] as const;

/** How many first-use steps this container has done: a send that did more than the one before made progress. */
export function firstUseSteps(): number {
  return stepsDone;
}

/**
 * Raised when a step of a send is not started because it would not end in the time the send has
 * left; nothing was sent. The reporter keeps the report, and a later send takes the step.
 */
export class NotInTimeError extends Error {
  override readonly name = 'NotInTimeError' as const;
  /** The step not started (`loading the SES client`...). */
  readonly step: string;

  constructor(message: string, step: string) {
    super(message);
    this.step = step;
  }
}

/**
 * Runs one step of a first use that cannot be interrupted once started (at 128 MB, 7.2% of a vCPU,
 * loading the SES client alone takes about 1.6 s), unless it would not end in `time`: its cost at the
 * CPU share, scaled by how the send's last step compared with its own estimate, must fit in what is
 * left of the send budget, and {@link DEADLINE_SAFETY} times it before the deadline. Throws
 * {@link NotInTimeError} otherwise. `cpuBound: false` for a step whose time is mostly the network's:
 * it does not pace the next.
 *
 * @example
 * const sdk = await firstUse(time, FIRST_USE_CPU_MS.sesClient, 'loading the SES client', () => loadDependency(...));
 */
export async function firstUse<T>(
  time: SendTime | undefined,
  cpuMs: number,
  what: string,
  work: () => Promise<T>,
  cpuBound = true,
): Promise<T> {
  const expectedMs = time === undefined ? undefined : cpuMs / time.cpuShare;
  if (time !== undefined && expectedMs !== undefined) refuseUnlessFits(time, expectedMs, what);
  const started = performance.now();
  const value = await work();
  stepsDone += 1;
  if (cpuBound && time !== undefined && expectedMs !== undefined && expectedMs > 0) {
    const ratio = (performance.now() - started) / expectedMs;
    paces.set(time, Math.min(PACE_BOUNDS[1], Math.max(PACE_BOUNDS[0], ratio)));
  }
  return value;
}

/**
 * A step that is a first use until it has once succeeded (a client's first request, the first
 * composing): each call runs `work` through {@link firstUse} until one succeeds, then directly.
 *
 * @example
 * const firstRequest = firstUseOnce(FIRST_USE_CPU_MS.firstSesRequest, "this container's first SES request", false);
 * await firstRequest(time, () => client.send(command));
 */
export function firstUseOnce(
  cpuMs: number,
  what: string,
  cpuBound = true,
): <T>(time: SendTime | undefined, work: () => Promise<T>) => Promise<T> {
  let done = false;
  return async (time, work) => {
    if (done) return work();
    const value = await firstUse(time, cpuMs, what, work, cpuBound);
    done = true;
    return value;
  };
}

/** Throws {@link NotInTimeError} unless a step expected to take `expectedMs` fits in `time`. */
function refuseUnlessFits(time: SendTime, expectedMs: number, what: string): void {
  const needMs = Math.ceil(expectedMs * (paces.get(time) ?? 1));
  const leftMs = Math.max(0, Math.floor(time.leftMs()));
  const untilDeadline = time.untilDeadlineMs();
  const share = `${(time.cpuShare * 100).toFixed(1)}% of a vCPU`;
  let short: string | undefined;
  if (needMs > leftMs) short = `${leftMs} ms of the send budget were left`;
  else if (untilDeadline !== undefined && needMs * DEADLINE_SAFETY > untilDeadline) {
    short = `${Math.max(0, Math.floor(untilDeadline))} ms were left before the deadline`;
  }
  if (short === undefined) return;
  throw new NotInTimeError(
    `${what} was not started: it takes about ${needMs} ms at ${share}, and ${short}; a later send takes it`,
    what,
  );
}

// Made on the first load: null where require is not this package's (a bundle holds this module).
let requireHere: NodeJS.Require | null | undefined;
// What require raises when it cannot load a package that import() may still load.
const NOT_FOR_REQUIRE = new Set(['MODULE_NOT_FOUND', 'ERR_REQUIRE_ESM', 'ERR_REQUIRE_ASYNC_MODULE']);

/**
 * Loads a dependency of the report path (the SES client, the composer), once per container, with the
 * first report. Node's CommonJS loader is asked first: for these packages it takes less CPU than
 * `import()` of the same package (the SES client on Node 22: about 100 ms instead of 145 ms, counting
 * V8's helper threads), which a 128 MB function, at 7.2% of a vCPU, pays about 14 times over. Only
 * where this module is a file of the installed package: in a bundle, `require` could find another copy
 * than the one bundled (Lambda's `NODE_PATH` holds the runtime's SDK). `viaImport` is the same
 * dependency as a literal `import()`, which a bundler sees and bundles; it is taken in a bundle, and
 * where require cannot find or load the package. An error the package itself raises is not retried.
 *
 * @example
 * const sdk = await loadDependency('@aws-sdk/client-ses', () => import('@aws-sdk/client-ses'));
 */
export async function loadDependency<T>(specifier: string, viaImport: () => Promise<T>): Promise<T> {
  requireHere ??= packageRequire(import.meta.url);
  if (requireHere === null) return viaImport();
  try {
    // The package's own `require` entry: the same named exports, and `default`, as its `import` one.
    return requireHere(specifier) as T;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && NOT_FOR_REQUIRE.has(code)) return viaImport();
    throw error;
  }
}

/**
 * A `require` for the module at `url` when it is a file of this package as installed (its
 * `lambda-error-mail/package.json` resolves to a folder that holds it), else null: a bundle, or no
 * file URL (a CommonJS bundle leaves `import.meta` empty).
 * @example
 * packageRequire('file:///var/task/index.mjs'); // null: a bundle
 */
export function packageRequire(url: unknown): NodeJS.Require | null {
  if (typeof url !== 'string' || !url.startsWith('file:')) return null;
  const require = createRequire(url);
  try {
    const root = dirname(require.resolve('lambda-error-mail/package.json'));
    return fileURLToPath(url).startsWith(`${root}${sep}`) ? require : null;
  } catch {
    return null;
  }
}
