import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../../helpers/fast-check.js';
import { CLEANSED_SUBSTITUTE, sensitiveNameTest } from '../../../../src/core/scrub/names.js';
import {
  isSensitiveParameter,
  scrubParameterValue,
  scrubQueriesInText,
  scrubQuery,
} from '../../../../src/core/scrub/queries.js';
import { harmlessQueryPair, queryWithSecret } from '../../../helpers/arbitraries.js';

const S = CLEANSED_SUBSTITUTE;
const names = sensitiveNameTest([]);

describe('isSensitiveParameter', () => {
  it.each(['api_key', 'api%5Fkey', '%61pi%5Fkey', 'api%255Fkey', '%4Bey', '%4Bey%ZZ', 'Api+Key'])(
    'reads %s as a sensitive name',
    (name) => {
      expect(isSensitiveParameter(names, name)).toBe(true);
    },
  );

  it.each(['page', 'q', '%70age', 'next', '%ZZ'])('reads %s as a harmless name', (name) => {
    expect(isSensitiveParameter(names, name)).toBe(false);
  });
});

describe('scrubQuery', () => {
  it('hides the values of sensitive parameters and keeps everything else byte for byte', () => {
    expect(scrubQuery('b=2&api%5Fkey=abc&a=1&token=x+y&token=z&q=a+b%20c&flag&&=', names)).toBe(
      `b=2&api%5Fkey=${S}&a=1&token=${S}&token=${S}&q=a+b%20c&flag&&=`,
    );
  });

  it('hides a query inside a parameter value, written plainly or encoded once', () => {
    expect(scrubQuery('next=/cart?token=abc&page=2', names)).toBe(`next=/cart?token=${S}&page=2`);
    expect(scrubQuery('next=%2Fcart%3Fpage%3D2%26api_key%3Dabc', names)).toBe(
      `next=%2Fcart%3Fpage%3D2%26api_key%3D${S}`,
    );
  });

  it('leaves a sensitive parameter without a value, or with only = signs, as it is', () => {
    expect(scrubQuery('token=&api_key&secret==', names)).toBe('token=&api_key&secret==');
  });

  it('hides the rest of a value nested past eight queries deep', () => {
    const deep = `p=${'?a='.repeat(20)}x`;

    expect(scrubQuery(deep, names)).toBe(`p=${'?a='.repeat(8)}${S}`);
  });

  it('never shows the value of a sensitive parameter, however its name is written', () => {
    fc.assert(
      fc.property(queryWithSecret(), ({ query, secret }) => {
        expect(scrubQuery(query, names)).not.toContain(secret);
      }),
      { numRuns: 500 },
    );
  });

  it('changes nothing in a query without a sensitive name', () => {
    fc.assert(
      fc.property(fc.array(harmlessQueryPair(), { maxLength: 8 }), (pairs) => {
        const query = pairs.join('&');

        expect(scrubQuery(query, names)).toBe(query);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the harmless pairs of a query exactly as they were written', () => {
    fc.assert(
      fc.property(queryWithSecret(), ({ query, secret }) => {
        const scrubbed = scrubQuery(query, names);

        expect(scrubbed.split('&')).toEqual(
          query.split('&').map((pair) => (pair.includes(secret) ? pair.replace(secret, S) : pair)),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('scrubQueriesInText', () => {
  it.each([
    ['a whole query', 'a=1&api_key=abc', `a=1&api_key=${S}`],
    ['a query that starts without a value', 'flag&token=abc', `flag&token=${S}`],
    ['a URL', 'https://shop.example/cb?code=1&api_key=abc', `https://shop.example/cb?code=1&api_key=${S}`],
    ['a path with unencoded spaces', '/search?q=a b&token=abc', `/search?q=a b&token=${S}`],
    [
      'a fragment',
      'https://shop.example/#access_token=abc&state=1',
      `https://shop.example/#access_token=${S}&state=1`,
    ],
    [
      'URLs inside text',
      'GET "https://a.example/?api_key=abc" then <https://b.example/x?secret=def> failed',
      `GET "https://a.example/?api_key=${S}" then <https://b.example/x?secret=${S}> failed`,
    ],
    [
      'a presigned S3 URL',
      'https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIDEXAMPLE%2F20261125&X-Amz-Signature=abc123&X-Amz-Expires=60',
      `https://b.s3.amazonaws.com/k?X-Amz-Credential=${S}&X-Amz-Signature=${S}&X-Amz-Expires=60`,
    ],
  ])('scrubs %s', (_what, text, expected) => {
    expect(scrubQueriesInText(text, names)).toBe(expected);
  });

  it.each([
    'year=2026/month=11/part-0.parquet',
    's3://logs/api=v1/x.json',
    'c2VjcmV0S2V5==',
    'Is it ok? api_key is missing',
    'order #12 failed',
    'arn:aws:sqs:us-east-1:123456789012:orders',
  ])('leaves %s as it is', (text) => {
    expect(scrubQueriesInText(text, names)).toBe(text);
  });
});

describe('scrubParameterValue', () => {
  it('scrubs the query of a URL held in a decoded or an encoded parameter value', () => {
    expect(scrubParameterValue('/cart?token=abc', names)).toBe(`/cart?token=${S}`);
    expect(scrubParameterValue('%2Fcart%3Ftoken%3Dabc', names)).toBe(`%2Fcart%3Ftoken%3D${S}`);
    expect(scrubParameterValue('plain value', names)).toBe('plain value');
  });
});
