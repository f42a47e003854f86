import type { Config } from '../../config/load.js';
import type { Outcome, Verdict } from '../input/outcome.js';
import { fullPath, type RequestInfo } from '../input/request.js';
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
 * What an outcome calls for, before the settings are looked at:
 * - a throw with no status, or a status that is not 4xx, is a server error;
 *   a thrown 404 is a broken link; any other thrown 4xx is nothing;
 * - a returned 5xx is a server error, a returned 404 a broken link.
 */
export function classify(outcome: Outcome): Verdict {
  if (outcome.kind === 'timeout')
    return { kind: 'server-error', phrase: 'Possible timeout', status: undefined };
  if (outcome.kind === 'threw') {
    const status = thrownStatus(outcome.error);
    if (status === 404) return { kind: 'broken-link' };
    if (status !== undefined && status >= 400 && status < 500) return { kind: 'none' };
    return { kind: 'server-error', phrase: 'Internal Server Error', status };
  }
  if (batchItemFailures(outcome.result) !== undefined) {
    return { kind: 'server-error', phrase: 'Partial batch failure', status: undefined };
  }
  const status = returnedStatus(outcome.result);
  if (status === 404) return { kind: 'broken-link' };
  if (status !== undefined && status >= 500) {
    return { kind: 'server-error', phrase: reasonPhrase(status), status };
  }
  return { kind: 'none' };
}

/**
 * Django's `BrokenLinkEmailsMiddleware.is_internal_request`: the Referer
 * starts with `http://<host>/` or `https://<host>/`.
 */
export function isInternalReferer(referer: string, host: string): boolean {
  return referer.startsWith(`http://${host}/`) || referer.startsWith(`https://${host}/`);
}

/**
 * Why a 404 is not mailed, or `undefined` when it is. Django's rules in
 * Django's order (`is_ignorable_request`), then `IGNORABLE_404_STARTS`/`ENDS`.
 */
export function ignorable404Reason(config: Config, request: RequestInfo): string | undefined {
  const uri = fullPath(request);
  const referer = request.referer ?? '';
  const host = request.host ?? '';

  if (referer === '') return 'no Referer';
  // #25971: a relative Referer equal to the URL minus its slash is Django's own redirect.
  if (config.appendSlash && uri.endsWith('/') && referer === uri.slice(0, -1)) {
    return 'APPEND_SLASH redirect';
  }
  if (!isInternalReferer(referer, host) && referer.includes('?')) {
    return 'external Referer with a query (a search engine)';
  }
  // #25302: a bot that sends its own URL as the Referer, whatever the scheme.
  const split = splitUrl(referer);
  if ((split.netloc === '' || split.netloc === host) && split.path === uri) {
    return 'Referer equal to the requested URL';
  }
  if (config.ignorable404Urls.some((pattern) => pattern.test(uri))) return 'IGNORABLE_404_URLS';
  if (config.ignorable404Starts.some((prefix) => uri.startsWith(prefix))) return 'IGNORABLE_404_STARTS';
  if (config.ignorable404Ends.some((suffix) => uri.endsWith(suffix))) return 'IGNORABLE_404_ENDS';
  return undefined;
}

/** The netloc and path of a URL, as Python's `urlsplit` reads them. */
function splitUrl(url: string): { netloc: string; path: string } {
  let rest = url;
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end === -1 ? rest.slice(2) : rest.slice(2, 2 + end);
    rest = end === -1 ? '' : rest.slice(2 + end);
  }
  const pathEnd = rest.search(/[?#]/);
  return { netloc, path: pathEnd === -1 ? rest : rest.slice(0, pathEnd) };
}
