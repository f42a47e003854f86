import { createRequire } from 'node:module';
import type { SendTime } from '../core/ports.js';

// Made on the first load; null where this module has no file URL (a CommonJS bundle of it).
let requireHere: NodeJS.Require | null | undefined;

/**
 * Loads a dependency of the report path (the SES client, the composer), once per container, with the
 * first report. Node's CommonJS loader is asked first: for these packages it takes less CPU than
 * `import()` of the same package (the SES client on Node 22: about 100 ms instead of 145 ms, counting
 * V8's helper threads), which a 128 MB function, at 7.2% of a vCPU, pays about 14 times over.
 * `viaImport` is the same dependency as a literal `import()`, so that a bundler sees it and bundles
 * it; it is taken where `require` cannot find the package (it is inside the bundle) or cannot load it.
 *
 * @example
 * const sdk = await loadDependency('@aws-sdk/client-ses', () => import('@aws-sdk/client-ses'));
 */
export async function loadDependency<T>(specifier: string, viaImport: () => Promise<T>): Promise<T> {
  if (requireHere === undefined) {
    const url: unknown = import.meta.url;
    requireHere = typeof url === 'string' && url.startsWith('file:') ? createRequire(url) : null;
  }
  if (requireHere !== null) {
    try {
      // The package's own `require` entry: the same named exports, and `default`, as its `import` one.
      return requireHere(specifier) as T;
    } catch {
      // Not resolvable from here, or not loadable by require: import() finds it or says why not.
    }
  }
  return viaImport();
}

/**
 * What the first report's steps that cannot be stopped once started cost, in milliseconds of CPU at
 * one full vCPU, counting V8's helper threads (a CPU quota counts them too): loading each dependency,
 * then a container's first composing and its first SES request, whose code runs, and compiles, for
 * the first time (later ones take a few milliseconds). The highest of the medians on Node 20, 22 and
 * 24 (the SES client's is Node 24's), rounded up; `npm run bench:lowmem` measures each step at each
 * memory size, where a step takes its figure divided by the CPU share.
 */
export const FIRST_USE_CPU_MS = {
  sesClient: 115,
  composer: 35,
  smtpConnection: 5,
  firstCompose: 35,
  firstSesRequest: 50,
} as const;

/**
 * Raised when a step of a send is not started because it would not end in the time the send has
 * left; the reporter keeps the report, and a later send takes the step.
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
 * Throws {@link NotInTimeError} unless a step of `cpuMs` (at one full vCPU) ends in `time`, at its CPU
 * share: such a step cannot be stopped once started, and at 128 MB (7.2% of a vCPU) loading the SES
 * client alone takes about 1.7 s, which must not run past the send's budget or the invocation's deadline.
 *
 * @example
 * ensureTime(time, FIRST_USE_CPU_MS.firstSesRequest, "this container's first SES request");
 */
export function ensureTime(time: SendTime | undefined, cpuMs: number, what: string): void {
  if (time === undefined) return;
  const needMs = Math.ceil(cpuMs / time.cpuShare);
  const leftMs = Math.max(0, Math.floor(time.leftMs()));
  if (needMs <= leftMs) return;
  const share = `${(time.cpuShare * 100).toFixed(1)}% of a vCPU`;
  throw new NotInTimeError(
    `${what} was not started: it takes about ${needMs} ms at ${share}, and ${leftMs} ms of the send budget were left; a later send takes it`,
    what,
  );
}

/**
 * Loads a dependency as {@link loadDependency} does, unless it would not load in `time`.
 * @example
 * const sdk = await loadInTime(time, 'loading the SES client', FIRST_USE_CPU_MS.sesClient, '@aws-sdk/client-ses', () => import('@aws-sdk/client-ses'));
 */
export async function loadInTime<T>(
  time: SendTime | undefined,
  what: string,
  cpuMs: number,
  specifier: string,
  viaImport: () => Promise<T>,
): Promise<T> {
  ensureTime(time, cpuMs, what);
  return loadDependency(specifier, viaImport);
}
