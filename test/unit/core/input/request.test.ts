import { describe, expect, it } from 'vitest';
import {
  decodePath,
  findHeader,
  fullPath,
  iriToUri,
  MAX_BODY_BYTES,
  readRequest,
} from '../../../../src/core/input/request.js';
import { albEvent, httpApiEvent, restEvent } from '../../../helpers/events.js';

const spec = {
  method: 'POST',
  path: '/orders/caf%C3%A9',
  query: { page: '2', tag: ['a b', 'c'] },
  headers: {
    'User-Agent': 'curl/8.5',
    Referer: 'https://example.com/list',
    Accept: ['text/html', 'application/json'],
  },
  sourceIp: '198.51.100.7',
  body: '{"sku":"A1"}',
};

describe('readRequest', () => {
  it('reads an HTTP API (2.0) event', () => {
    const request = readRequest(httpApiEvent(spec))!;

    expect(request.source).toBe('api-gateway-http');
    expect(request.method).toBe('POST');
    expect(request.host).toBe('api.example.com');
    expect(request.path).toBe('/orders/café');
    expect(request.rawQuery).toBe('page=2&tag=a%20b&tag=c');
    expect(request.sourceIp).toBe('198.51.100.7');
    expect(request.userAgent).toBe('curl/8.5');
    expect(request.referer).toBe('https://example.com/list');
    expect(request.body?.text).toBe('{"sku":"A1"}');
    expect(fullPath(request)).toBe('/orders/caf%C3%A9?page=2&tag=a%20b&tag=c');
  });

  it('recognises a Function URL event by its domain', () => {
    expect(readRequest(httpApiEvent(spec, true))?.source).toBe('function-url');
  });

  it('reads a REST (1.0) event, with every value of a repeated header', () => {
    const request = readRequest(restEvent(spec))!;

    expect(request.source).toBe('api-gateway-rest');
    expect(request.host).toBe('abc123.execute-api.us-east-1.amazonaws.com');
    expect(request.path).toBe('/orders/café');
    expect(request.rawQuery).toBe('page=2&tag=a+b&tag=c');
    expect(request.sourceIp).toBe('198.51.100.7');
    expect(request.headers.filter(([name]) => name === 'Accept').map(([, v]) => v)).toEqual([
      'text/html',
      'application/json',
    ]);
  });

  it('reads a REST event that has only the single-value maps', () => {
    const event = { ...restEvent(spec), multiValueHeaders: {}, multiValueQueryStringParameters: null };

    const request = readRequest(event)!;

    expect(findHeader(request.headers, 'user-agent')).toBe('curl/8.5');
    expect(request.rawQuery).toBe('page=2&tag=c');
  });

  it('reads an ALB event, taking the client IP from the first X-Forwarded-For address', () => {
    const request = readRequest(albEvent(spec))!;

    expect(request.source).toBe('alb');
    expect(request.sourceIp).toBe('198.51.100.7');
    expect(request.host).toBe('shop-alb-123.us-east-1.elb.amazonaws.com');
    expect(request.rawQuery).toBe('page=2&tag=a%20b&tag=c');
  });

  it('finds headers whatever their case', () => {
    const request = readRequest(restEvent({ headers: { 'X-Request-ID': 'r-1' } }))!;

    expect(findHeader(request.headers, 'x-request-id')).toBe('r-1');
    expect(findHeader(request.headers, 'X-REQUEST-ID')).toBe('r-1');
  });

  it('takes the host from requestContext.domainName when there is no Host header', () => {
    const event = restEvent({ domainName: 'api.shop.example' });
    event.headers = {};
    event.multiValueHeaders = {};

    expect(readRequest(event)?.host).toBe('api.shop.example');
  });

  it('uses https without X-Forwarded-Proto or when it says https, and http for anything else, as Django', () => {
    const scheme = (proto: string) =>
      readRequest(httpApiEvent({ headers: { 'X-Forwarded-Proto': proto } }))?.scheme;

    expect(readRequest(httpApiEvent())?.scheme).toBe('https');
    expect(scheme('https')).toBe('https');
    expect(scheme('https, http')).toBe('https');
    expect(scheme('http')).toBe('http');
    expect(scheme('HTTPS')).toBe('http');
    expect(scheme('wss')).toBe('http');
  });

  it('rebuilds a REST query so that what Django leaves literal stays literal', () => {
    const event = restEvent({
      query: { next: '/a/b:c', q: 'a b', plus: '1+1', amp: 'a&b', eq: 'x=y', 'k=1': 'v', odd: '{é}|%' },
    });

    const request = readRequest(event)!;

    expect(request.rawQuery).toBe(
      'next=/a/b:c&q=a+b&plus=1%2B1&amp=a%26b&eq=x=y&k%3D1=v&odd=%7B%C3%A9%7D%7C%25',
    );
  });

  it("writes the query of the full path as a URI, as Django's iri_to_uri does", () => {
    const event = httpApiEvent({ path: '/s' });
    event.rawQueryString = 'q={a}|"<>^`\\ é&next=/a/b:c&x=%7b';

    expect(fullPath(readRequest(event)!)).toBe(
      '/s?q=%7Ba%7D%7C%22%3C%3E%5E%60%5C%20%C3%A9&next=/a/b:c&x=%7b',
    );
  });

  it('decodes a path with broken UTF-8 as Django does: the valid sequences decoded, the bad bytes re-encoded', () => {
    expect(decodePath('/caf%C3%A9%E9/%zz/%C3%28/%ED%A0%80/%F0%9F%98%80')).toBe(
      '/café%E9/%zz/%C3(/%ED%A0%80/😀',
    );
    expect(decodePath('/%E0%A4%A/%C0%AF/%F4%90%80%80')).toBe('/%E0%A4%A/%C0%AF/%F4%90%80%80');
    expect(readRequest(httpApiEvent({ path: '/caf%C3%A9%FF' }))?.path).toBe('/café%FF');
  });

  it('leaves characters iri_to_uri calls safe as they are', () => {
    const safe = "azAZ09-._~/?#[]@!$&'()*+,;=:%";

    expect(iriToUri(safe)).toBe(safe);
  });

  it('reads cookies from the Cookie header and from the HTTP API cookies array', () => {
    const rest = readRequest(restEvent({ headers: { Cookie: 'theme=dark; lang=fr' } }))!;
    const v2 = readRequest(httpApiEvent({ cookies: ['theme=dark', 'lang=fr'] }))!;

    expect(rest.cookies).toEqual([
      ['theme', 'dark'],
      ['lang', 'fr'],
    ]);
    expect(v2.cookies).toEqual(rest.cookies);
  });

  it('decodes a base64 body', () => {
    const body = Buffer.from('name=Zoë&qty=2').toString('base64');

    const request = readRequest(httpApiEvent({ body, isBase64Encoded: true }))!;

    expect(request.body).toMatchObject({ text: 'name=Zoë&qty=2', wasBase64: true, binary: false });
  });

  it('marks a base64 body that is not UTF-8 as binary and shows none of it', () => {
    const body = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]).toString('base64');

    const request = readRequest(httpApiEvent({ body, isBase64Encoded: true }))!;

    expect(request.body).toMatchObject({ text: '', bytes: 6, binary: true });
  });

  it('cuts a large body at the cap and counts the bytes left out', () => {
    const body = 'x'.repeat(MAX_BODY_BYTES + 5_242_880);

    const request = readRequest(httpApiEvent({ body }))!;

    expect(request.body?.text).toHaveLength(MAX_BODY_BYTES);
    expect(request.body?.omittedBytes).toBe(5_242_880);
  });

  it('leaves a path with invalid percent-encoding as it came', () => {
    expect(readRequest(httpApiEvent({ path: '/a%ZZ%' }))?.path).toBe('/a%ZZ%');
  });

  it('returns undefined for events that are not HTTP requests', () => {
    for (const event of [undefined, null, 'x', 42, [], {}, { Records: [{ eventSource: 'aws:sqs' }] }]) {
      expect(readRequest(event)).toBeUndefined();
    }
  });
});
