import { describe, expect, it } from 'vitest';
import { classify, reasonPhrase } from '../../../../src/core/decide/classify.js';

function statusError(key: 'statusCode' | 'status', value: unknown): Error {
  return Object.assign(new Error('x'), { [key]: value });
}

describe('classify', () => {
  it('calls a throw with no status a server error with the phrase Internal Server Error', () => {
    expect(classify({ kind: 'threw', error: new Error('x') })).toEqual({
      kind: 'server-error',
      phrase: 'Internal Server Error',
      status: undefined,
    });
  });

  it.each([500, 502, 503])('calls a throw carrying statusCode %i a server error', (status) => {
    expect(classify({ kind: 'threw', error: statusError('statusCode', status) })).toMatchObject({
      kind: 'server-error',
      phrase: 'Internal Server Error',
    });
  });

  it('calls a thrown error whose statusCode or status is 404 a broken link', () => {
    expect(classify({ kind: 'threw', error: statusError('statusCode', 404) })).toEqual({
      kind: 'broken-link',
    });
    expect(classify({ kind: 'threw', error: statusError('status', 404) })).toEqual({ kind: 'broken-link' });
  });

  it.each([400, 401, 403, 405, 409, 422, 429])('reports nothing for a thrown %i', (status) => {
    expect(classify({ kind: 'threw', error: statusError('status', status) })).toEqual({ kind: 'none' });
  });

  it('ignores a status that is not a whole HTTP status number', () => {
    expect(classify({ kind: 'threw', error: statusError('statusCode', '404') })).toMatchObject({
      kind: 'server-error',
    });
    expect(classify({ kind: 'threw', error: statusError('statusCode', 40.4) })).toMatchObject({
      kind: 'server-error',
    });
  });

  it('calls any thrown non-error value a server error', () => {
    for (const thrown of ['text', 42, null, undefined, Symbol('s'), { a: 1 }]) {
      expect(classify({ kind: 'threw', error: thrown }).kind).toBe('server-error');
    }
  });

  it.each([
    [500, 'Internal Server Error'],
    [502, 'Bad Gateway'],
    [503, 'Service Unavailable'],
    [504, 'Gateway Timeout'],
    [599, 'Unknown Status Code'],
  ])('calls a returned %i a server error with the phrase %j', (status, phrase) => {
    expect(classify({ kind: 'returned', result: { statusCode: status } })).toEqual({
      kind: 'server-error',
      phrase,
      status,
    });
  });

  it('calls a returned 404 a broken link and other returns nothing', () => {
    expect(classify({ kind: 'returned', result: { statusCode: 404 } })).toEqual({ kind: 'broken-link' });
    for (const result of [
      { statusCode: 200 },
      { statusCode: 301 },
      { statusCode: 403 },
      'ok',
      undefined,
      {},
    ]) {
      expect(classify({ kind: 'returned', result })).toEqual({ kind: 'none' });
    }
  });

  it('knows Python phrases for every listed 5xx', () => {
    expect(reasonPhrase(505)).toBe('HTTP Version Not Supported');
    expect(reasonPhrase(511)).toBe('Network Authentication Required');
    expect(reasonPhrase(509)).toBe('Unknown Status Code');
  });
});
