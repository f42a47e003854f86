import type { Outcome } from '../input/outcome.js';
import { readProperty } from '../input/safe.js';
import { batchItemFailures } from '../input/trigger.js';

// Python's http.HTTPStatus phrases for 5xx, which Django puts in the subject.
const SERVER_ERROR_PHRASES: Readonly<Record<number, string>> = {
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  510: 'Not Extended',
  511: 'Network Authentication Required',
};

/** Django's reason phrase for a 5xx status; "Unknown Status Code" when Python has none. */
export function reasonPhrase(status: number): string {
  return SERVER_ERROR_PHRASES[status] ?? 'Unknown Status Code';
}

/**
 * The HTTP status a thrown value carries (`statusCode`, else `status`, as
 * http-errors and middy set them), when it is a whole number from 100 to 599.
 */
export function thrownStatus(error: unknown): number | undefined {
  return httpStatus(readProperty(error, 'statusCode')) ?? httpStatus(readProperty(error, 'status'));
}

/** The `statusCode` of a returned HTTP result, when it has a usable one. */
export function returnedStatus(result: unknown): number | undefined {
  return typeof result === 'object' ? httpStatus(readProperty(result, 'statusCode')) : undefined;
}

function httpStatus(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599
    ? value
    : undefined;
}

/**
 * What an outcome calls for, before the settings are looked at: a server error (with Django's
 * reason phrase, the returned status, and for a partial batch response the ids of the failed items),
 * a broken link, or nothing.
 * @example
 * classify({ kind: 'returned', result: { statusCode: 503 } }); // { kind: 'server-error', phrase: 'Service Unavailable', ... }
 */
export type Verdict =
  | {
      readonly kind: 'server-error';
      readonly phrase: string;
      readonly status: number | undefined;
      /** The `itemIdentifier`s of a returned partial batch response; undefined for anything else. */
      readonly failedIds: readonly string[] | undefined;
    }
  | { readonly kind: 'broken-link' }
  | { readonly kind: 'none' };

/**
 * What an outcome calls for, before the settings are looked at:
 * - a throw with no status, or a status that is not 4xx, is a server error;
 *   a thrown 404 is a broken link; any other thrown 4xx is nothing;
 * - an error handed to `reportError` is a server error, `Handled error`, whatever its status;
 * - a returned 5xx is a server error, a returned 404 a broken link.
 */
export function classify(outcome: Outcome): Verdict {
  if (outcome.kind === 'timeout') {
    const phrase = outcome.pastDeadline === true ? 'Timed out' : 'Possible timeout';
    return { kind: 'server-error', phrase, status: undefined, failedIds: undefined };
  }
  if (outcome.kind === 'threw') {
    const status = thrownStatus(outcome.error);
    // Handed over on purpose: ADMINS hear of it whatever status it carries.
    if (outcome.handled === true) {
      return { kind: 'server-error', phrase: 'Handled error', status, failedIds: undefined };
    }
    if (status === 404) return { kind: 'broken-link' };
    if (status !== undefined && status >= 400 && status < 500) return { kind: 'none' };
    return { kind: 'server-error', phrase: 'Internal Server Error', status, failedIds: undefined };
  }
  const failedIds = batchItemFailures(outcome.result);
  if (failedIds !== undefined) {
    return { kind: 'server-error', phrase: 'Partial batch failure', status: undefined, failedIds };
  }
  const status = returnedStatus(outcome.result);
  if (status === 404) return { kind: 'broken-link' };
  if (status !== undefined && status >= 500) {
    return { kind: 'server-error', phrase: reasonPhrase(status), status, failedIds: undefined };
  }
  return { kind: 'none' };
}

/**
 * True when a returned value may call for a report: a status of 404 or more, failed batch items, or
 * a durable execution's `Status: 'FAILED'` (the adapters tell whether the event was a durable one).
 * The cheap first look of {@link classify}, which decides (a 410 passes here and is nothing there);
 * it runs on every successful invocation.
 */
export function mayNeedReport(result: unknown): boolean {
  if (typeof result !== 'object' || result === null) return false;
  try {
    const status = (result as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number') return status >= 404;
    const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
    if (Array.isArray(failures)) return failures.length > 0;
    return (result as { Status?: unknown }).Status === 'FAILED';
  } catch {
    // A result whose statusCode getter throws is the caller's to deal with, not ours.
    return false;
  }
}
