import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config/load.js';
import { ignorable404Reason, isInternalReferer } from '../../../../src/core/decide/ignorable-404.js';
import { readRequest } from '../../../../src/core/input/request.js';
import { httpApiEvent } from '../../../helpers/events.js';

describe('isInternalReferer (Django: ^https?://<host>/)', () => {
  it.each([
    ['https://example.com/page', true],
    ['http://example.com/', true],
    ['https://example.com', false],
    ['https://www.example.com/page', false],
    ['HTTPS://example.com/page', false],
    ['/another/url/', false],
    ['ftp://example.com/', false],
  ])('treats %j on host example.com as internal: %s', (referer, internal) => {
    expect(isInternalReferer(referer, 'example.com')).toBe(internal);
  });
});

describe('ignorable404Reason, in Django order', () => {
  const base = loadConfig({ MANAGERS: 'web@example.com', SEND_BROKEN_LINK_EMAILS: 'true' });

  function reason(path: string, referer: string | undefined, config = base, query?: Record<string, string>) {
    const headers: Record<string, string> = { host: 'example.com' };
    if (referer !== undefined) headers.referer = referer;
    const request = readRequest(httpApiEvent({ path, headers, ...(query ? { query } : {}) }));
    return ignorable404Reason(config, request!);
  }

  it('mails a 404 with an internal Referer', () => {
    expect(reason('/gone', 'https://example.com/page')).toBeUndefined();
  });

  it('mails a 404 with an external Referer that has no query', () => {
    expect(reason('/gone', 'https://other.example.org/links')).toBeUndefined();
  });

  it('1. ignores a request without a Referer, or with an empty one', () => {
    expect(reason('/gone', undefined)).toBe('no Referer');
    expect(reason('/gone', '')).toBe('no Referer');
  });

  it('2. ignores the APPEND_SLASH redirect: the Referer is the URL minus its slash, as a raw string', () => {
    expect(reason('/gone/', '/gone')).toBe('APPEND_SLASH redirect');
    // Only a relative Referer matches (#25971).
    expect(reason('/gone/', 'https://example.com/gone')).toBeUndefined();
  });

  it('2. applies the APPEND_SLASH rule only when APPEND_SLASH is on', () => {
    const off = loadConfig({ APPEND_SLASH: 'false' });
    expect(reason('/gone/', '/gone', off)).not.toBe('APPEND_SLASH redirect');
  });

  it('3. ignores an external Referer with a query (a search engine), but not an internal one', () => {
    expect(reason('/gone', 'https://search.example.net/?q=gone')).toBe(
      'external Referer with a query (a search engine)',
    );
    expect(reason('/gone', 'https://example.com/search?q=gone')).toBeUndefined();
  });

  it('4. ignores a bot whose Referer is the requested URL, whatever the scheme', () => {
    expect(reason('/gone', 'https://example.com/gone')).toBe('Referer equal to the requested URL');
    expect(reason('/gone', 'http://example.com/gone')).toBe('Referer equal to the requested URL');
    expect(reason('/gone', '/gone')).toBe('Referer equal to the requested URL');
    // The compared URL includes the query, so a URL with a query never matches (#25302).
    expect(reason('/gone', 'https://example.com/gone', base, { a: '1' })).toBeUndefined();
  });

  it('5. ignores a URL that an IGNORABLE_404_URLS regex finds anywhere in path and query', () => {
    const config = loadConfig({ IGNORABLE_404_URLS: '["\\\\.env$", "utm_source="]' });
    expect(reason('/app/.env', 'https://example.com/', config)).toBe('IGNORABLE_404_URLS');
    expect(reason('/x', 'https://example.com/', config, { utm_source: 'mail' })).toBe('IGNORABLE_404_URLS');
    // Searched case-sensitively unless the regex says otherwise.
    expect(reason('/APP/.ENV', 'https://example.com/', config)).toBeUndefined();
  });

  it('ignores the default IGNORABLE_404_STARTS and IGNORABLE_404_ENDS', () => {
    expect(reason('/cgi-bin/test.sh', 'https://example.com/')).toBe('IGNORABLE_404_STARTS');
    expect(reason('/_vti_bin/x', 'https://example.com/')).toBe('IGNORABLE_404_STARTS');
    expect(reason('/wp-login.php', 'https://example.com/')).toBe('IGNORABLE_404_ENDS');
    expect(reason('/about//favicon.ico', 'https://example.com/')).toBe('IGNORABLE_404_ENDS');
  });

  it('reports the default suffixes once IGNORABLE_404_ENDS is set empty', () => {
    const config = loadConfig({ IGNORABLE_404_ENDS: '' });
    expect(reason('/wp-login.php', 'https://example.com/', config)).toBeUndefined();
  });
});
