import { describe, expect, it } from 'vitest';
import { CLEANSED_SUBSTITUTE } from '../../../../src/core/scrub/names.js';
import { createScrubber } from '../../../../src/core/scrub/scrubber.js';

const S = CLEANSED_SUBSTITUTE;
const scrubber = createScrubber();

function shown(value: unknown): unknown {
  return JSON.parse(scrubber.json(value));
}

describe("AWS's structural members", () => {
  it('are shown only at their place in a structure AWS defines', () => {
    expect(shown({ s3: { object: { key: 'a.pdf' } } })).toEqual({ s3: { object: { key: S } } });
    expect(shown({ eventSource: 'aws:s3', s3: { object: { key: 'a.pdf' } } })).toEqual({
      eventSource: 'aws:s3',
      s3: { object: { key: 'a.pdf' } },
    });
    expect(shown({ eventSource: 'aws:sqs', dynamodb: { Keys: 'k' } })).toEqual({
      eventSource: 'aws:sqs',
      dynamodb: { Keys: S },
    });
    expect(shown({ detail: { routeKey: 'GET /', apiId: 'a1' } })).toEqual({
      detail: { routeKey: S, apiId: S },
    });
  });

  it('are shown in a record a queue delivers as JSON: an S3 notification through SQS', () => {
    const body = JSON.stringify({ Records: [{ eventSource: 'aws:s3', s3: { object: { key: 'a.pdf' } } }] });

    const record = shown({ eventSource: 'aws:sqs', body }) as { body: string };

    expect(JSON.parse(record.body)).toEqual({
      Records: [{ eventSource: 'aws:s3', s3: { object: { key: 'a.pdf' } } }],
    });
  });

  it('are exempt from the name rule only: a query or a secret member inside them is still hidden', () => {
    expect(shown({ routeKey: 'GET /?token=abc' })).toEqual({ routeKey: `GET /?token=${S}` });
    expect(
      shown({ eventSource: 'aws:dynamodb', dynamodb: { Keys: { pk: { S: 'o-1' }, apiKey: { S: 'k' } } } }),
    ).toEqual({ eventSource: 'aws:dynamodb', dynamodb: { Keys: { pk: { S: 'o-1' }, apiKey: S } } });
  });

  it("keep the caller's credentials hidden: the REST API key, the access key, the authorizer", () => {
    const context = {
      apiId: 'a1',
      authorizer: { claims: { email: 'ann@example.com' } },
      authentication: { clientCert: { clientCertPem: 'PEM' } },
      identity: { apiKey: 'k', apiKeyId: 'k-1', accessKey: 'ASIA' },
    };

    expect(shown({ requestContext: context })).toEqual({
      requestContext: {
        apiId: 'a1',
        authorizer: S,
        authentication: S,
        identity: { apiKey: S, apiKeyId: 'k-1', accessKey: S },
      },
    });
  });

  it('are not looked for in a request body, which is the client’s data', () => {
    expect(JSON.parse(scrubber.body('{"routeKey":"x","apiId":"y"}', 'application/json', true))).toEqual({
      routeKey: S,
      apiId: S,
    });
  });
});

describe('member names', () => {
  it('are compared percent-decoded too, as ALB passes query parameters', () => {
    expect(shown({ queryStringParameters: { 'api%5Fkey': 'abc', '%70age': '2' } })).toEqual({
      queryStringParameters: { 'api%5Fkey': S, '%70age': '2' },
    });
  });

  it('of query parameter maps are read for a URL inside their values', () => {
    expect(
      shown({
        queryStringParameters: { next: '/cart?token=abc' },
        multiValueQueryStringParameters: { next: ['%2Fcart%3Ftoken%3Dabc', '/home'] },
      }),
    ).toEqual({
      queryStringParameters: { next: `/cart?token=${S}` },
      multiValueQueryStringParameters: { next: [`%2Fcart%3Ftoken%3D${S}`, '/home'] },
    });
  });
});
