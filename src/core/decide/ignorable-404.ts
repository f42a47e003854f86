import type { Config } from '../../config/load.js';
import { fullPath, type RequestInfo } from '../input/request.js';

/** Why a 404 is not mailed: one of Django's ignore rules, by the text a log or a preview shows. */
export type Ignorable404Rule =
  | 'no Referer'
  | 'APPEND_SLASH redirect'
  | 'external Referer with a query (a search engine)'
  | 'Referer equal to the requested URL'
  | 'IGNORABLE_404_URLS'
  | 'IGNORABLE_404_STARTS'
  | 'IGNORABLE_404_ENDS';

/** The settings the 404 ignore rules read. */
export type Ignorable404Settings = Pick<
  Config,
  'appendSlash' | 'ignorable404Urls' | 'ignorable404Starts' | 'ignorable404Ends'
>;

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
export function ignorable404Reason(
  config: Ignorable404Settings,
  request: RequestInfo,
): Ignorable404Rule | undefined {
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
