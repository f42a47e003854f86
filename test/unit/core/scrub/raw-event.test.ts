import { describe, expect, it } from 'vitest';
import { readRequest } from '../../../../src/core/input/request.js';
import { scrubbedEventJson } from '../../../../src/core/scrub/raw-event.js';
import { createScrubber } from '../../../../src/core/scrub/scrubber.js';
import { httpApiEvent } from '../../../helpers/events.js';

const scrubber = createScrubber();

describe('scrubbedEventJson', () => {
  it('leaves the request body out and scrubs the raw query string and sensitive names', () => {
    const event = httpApiEvent({
      method: 'POST',
      path: '/login',
      query: { next: '/home', token: 'tok_secret' },
      headers: { authorization: 'Basic dXNlcjpwYXNz', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'user=ana&password=hunter2',
    });

    const json = scrubbedEventJson(scrubber, event, readRequest(event));

    expect(json).toContain('"rawQueryString": "next=%2Fhome&token=********************"');
    expect(json).toContain('"body": "[25 bytes, shown under Body]"');
    expect(json).toContain('"authorization": "********************"');
    expect(json).not.toMatch(/hunter2|tok_secret|dXNlcjpwYXNz/);
  });

  it('shows JSON held in a string as it came when nothing in it is hidden, and scrubs it when something is', () => {
    const event = {
      Records: [
        { eventSource: 'aws:kinesis', kinesis: { partitionKey: ' {}', data: 'e30=' } },
        { eventSource: 'aws:sqs', body: '{ "order": 42,  "note": "as sent" }' },
        { eventSource: 'aws:sqs', body: '{"order": 43, "token": "tok_secret"}' },
      ],
    };

    const json = scrubbedEventJson(scrubber, event, undefined);

    expect(json).toContain('"partitionKey": " {}"');
    expect(json).toContain('"body": "{ \\"order\\": 42,  \\"note\\": \\"as sent\\" }"');
    expect(json).toContain('"body": "{\\"order\\":43,\\"token\\":\\"********************\\"}"');
    expect(json).not.toContain('tok_secret');
  });

  it('never shows a secret in an earlier copy of a repeated member of JSON held in a string', () => {
    const event = {
      Records: [{ eventSource: 'aws:sqs', body: '{"user":{"password":"hunter2"},"user":"bob"}' }],
    };

    const json = scrubbedEventJson(scrubber, event, undefined);

    expect(json).not.toContain('hunter2');
    expect(json).toContain('"body": "{\\"user\\":\\"bob\\"}"');
  });

  it('scrubs the raw query string of a v2 event that is not read as a request, and shows its route', () => {
    const event = {
      version: '2.0',
      routeKey: 'GET /orders',
      rawPath: '/orders',
      rawQueryString: 'page=2&api%5Fkey=PLANTapiKey123&api_key=PLANTapiKey456+x',
      headers: { referer: 'https://shop.example/cart?session=PLANTsession789' },
    };

    const json = scrubbedEventJson(scrubber, event, readRequest(event));

    expect(readRequest(event)).toBeUndefined();
    expect(json).toContain('"routeKey": "GET /orders"');
    expect(json).toContain(
      '"rawQueryString": "page=2&api%5Fkey=********************&api_key=********************"',
    );
    expect(json).toContain('"referer": "https://shop.example/cart?session=********************"');
    expect(json).not.toContain('PLANT');
  });

  it('keeps the first three records of a batch and counts the rest', () => {
    const event = { Records: Array.from({ length: 10_000 }, (_, i) => ({ messageId: `m${i}`, body: '{}' })) };

    const parsed = JSON.parse(scrubbedEventJson(scrubber, event, undefined)) as { Records: unknown[] };

    expect(parsed.Records).toHaveLength(4);
    expect(parsed.Records[2]).toEqual({ messageId: 'm2', body: '{}' });
    expect(parsed.Records[3]).toBe('... 9,997 more items not shown');
  });

  it('cuts long strings, but scrubs long JSON held in a string whole', () => {
    const event = {
      note: 'x'.repeat(10_000),
      payload: JSON.stringify({ filler: 'y'.repeat(10_000), apiKey: 'PLANTkey123' }),
    };

    const json = scrubbedEventJson(scrubber, event, undefined);

    expect(json).toContain(`"note": "${'x'.repeat(1024)}... 8,976 more characters not shown"`);
    expect(json).toContain('\\"apiKey\\":\\"********************\\"');
    expect(json).not.toContain('PLANTkey123');
  });

  it('marks cycles, keeps a __proto__ key as data, and never throws on a hostile event', () => {
    const looped: Record<string, unknown> = { name: 'loop' };
    looped.self = looped;
    const withProto = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as unknown;
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys for you');
        },
      },
    );

    expect(JSON.parse(scrubbedEventJson(scrubber, looped, undefined))).toEqual({
      name: 'loop',
      self: '[circular or repeated]',
    });
    expect(scrubbedEventJson(scrubber, withProto, undefined)).toContain(
      '"__proto__": {\n    "polluted": true',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(scrubbedEventJson(scrubber, hostile, undefined)).toBe('[not serialisable]');
  });
});
