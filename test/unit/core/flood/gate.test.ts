import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { firstAppFrame } from '../../../../src/core/flood/fingerprint.js';
import { createFloodGate } from '../../../../src/core/flood/gate.js';
import { withErrorMail } from '../../../../src/index.js';
import { httpApiEvent, lambdaContext } from '../../../helpers/events.js';
import { mailEnv, recordingTransport } from '../../../helpers/recording-transport.js';

const START = Date.UTC(2026, 10, 25, 4, 0, 0);

beforeEach(() => {
  // Only the clock is faked: sends and their budget timers run for real.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
});

function failing(extra: Record<string, string> = {}) {
  const transport = recordingTransport();
  const handler = withErrorMail(
    async (event: { rawPath: string }) => {
      throw new TypeError(`cannot read ${event.rawPath}`);
    },
    { env: mailEnv(extra), transport, log: () => {} },
  );
  const call = (path: string) => handler(httpApiEvent({ path }) as never, lambdaContext()).catch(() => {});
  return { transport, call };
}

describe('flood control', () => {
  it('mails 1,000 identical errors once, and the next mail after the window counts the other 999', async () => {
    const { transport, call } = failing();

    for (let i = 0; i < 1000; i++) await call('/orders');
    vi.setSystemTime(START + 300_000);
    await call('/orders');

    expect(transport.mails).toHaveLength(2);
    expect(transport.mails[1]?.text).toContain(
      'This error happened 999 more times since 2026-11-25T04:00:00.000Z without a mail',
    );
    expect(transport.mails[1]?.html).toContain(
      'This error happened 999 more times since 2026-11-25T04:00:00.000Z',
    );
  });

  it('mails 10 distinct errors 10 times: different errors never suppress each other', async () => {
    const { transport, call } = failing();

    for (let i = 0; i < 10; i++) await call(`/route-${i}`);

    expect(transport.mails).toHaveLength(10);
    expect(new Set(transport.mails.map((m) => m.references)).size).toBe(10);
  });

  it('caps all mail at ERROR_MAIL_MAX_PER_MINUTE, and mails the held-back ones once the minute has passed', async () => {
    const { transport, call } = failing({ ERROR_MAIL_MAX_PER_MINUTE: '10' });

    for (let i = 0; i < 15; i++) await call(`/route-${i}`);
    expect(transport.mails).toHaveLength(10);
    vi.setSystemTime(START + 60_000);
    await call('/route-12');

    expect(transport.mails).toHaveLength(11);
    expect(transport.mails[10]?.text).toContain('This error happened once since 2026-11-25T04:00:00.000Z');
  });

  it('threads the mails of one error: same References, different Message-IDs', async () => {
    const { transport, call } = failing({ ERROR_MAIL_THROTTLE_SECONDS: '60' });

    await call('/orders');
    vi.setSystemTime(START + 61_000);
    await call('/orders');

    const [first, second] = transport.mails;
    expect(first?.references).toBe(second?.references);
    expect(first?.messageId).not.toBe(second?.messageId);
    expect(first?.messageId).toMatch(/^<[0-9a-f]{16}\.0\./);
    expect(second?.messageId).toMatch(/^<[0-9a-f]{16}\.1\./);
  });

  it('mails every report when ERROR_MAIL_THROTTLE_SECONDS and ERROR_MAIL_MAX_PER_MINUTE are 0', async () => {
    const { transport, call } = failing({ ERROR_MAIL_THROTTLE_SECONDS: '0', ERROR_MAIL_MAX_PER_MINUTE: '0' });

    for (let i = 0; i < 30; i++) await call('/orders');

    expect(transport.mails).toHaveLength(30);
  });

  it('groups broken links by path and Referer host', async () => {
    const transport = recordingTransport();
    const handler = withErrorMail(async () => ({ statusCode: 404 }), {
      env: mailEnv(),
      transport,
      log: () => {},
    });
    const hit = (path: string, referer: string) =>
      handler(httpApiEvent({ path, headers: { referer } }), lambdaContext());

    await hit('/old', 'https://api.example.com/a');
    await hit('/old', 'https://api.example.com/b');
    await hit('/old', 'https://blog.example.org/post');
    await hit('/older', 'https://api.example.com/a');

    expect(transport.mails).toHaveLength(3);
  });
});

describe('createFloodGate', () => {
  it('remembers a bounded number of fingerprints, forgetting the least recently seen', () => {
    const gate = createFloodGate({ throttleMs: 300_000, maxPerMinute: 0, maxFingerprints: 1000 });

    expect(gate.decide('first', 0).send).toBe(true);
    expect(gate.decide('first', 1).send).toBe(false);
    for (let i = 0; i < 1000; i++) gate.decide(`other-${i}`, 2);

    // Forgotten, so mailed again although its window is still open.
    expect(gate.decide('first', 3)).toEqual({
      send: true,
      suppressed: 0,
      suppressedSince: undefined,
      sequence: 0,
    });
  });
});

describe('createFloodGate: what was not delivered', () => {
  const settings = { throttleMs: 300_000, maxPerMinute: 0, maxFingerprints: 1000 };

  it('gives the window back for an undelivered mail, and counts it in the next one', () => {
    const gate = createFloodGate(settings);

    const first = gate.decide('fp', 0);
    if (!first.send) throw new Error('the first report is mailed');
    expect(gate.decide('fp', 100)).toMatchObject({ send: false });
    gate.undelivered('fp', 0, first);

    expect(gate.decide('fp', 200)).toEqual({ send: true, suppressed: 2, suppressedSince: 0, sequence: 1 });
  });

  it('keeps the repeats an undelivered mail would have told', () => {
    const gate = createFloodGate(settings);
    gate.decide('fp', 0);
    gate.decide('fp', 10);
    gate.decide('fp', 20);

    const told = gate.decide('fp', 300_000);
    if (!told.send) throw new Error('the window has passed');
    gate.undelivered('fp', 300_000, told);

    expect(gate.decide('fp', 300_001)).toMatchObject({ send: true, suppressed: 3, suppressedSince: 10 });
  });

  it('takes the window back, and the reports its mail told, once an undelivered mail is delivered late', () => {
    const gate = createFloodGate(settings);
    gate.decide('fp', 0);
    gate.decide('fp', 10);
    const told = gate.decide('fp', 300_000);
    if (!told.send) throw new Error('the window has passed');
    gate.undelivered('fp', 300_000, told);

    gate.delivered('fp', 300_000, told.suppressed);

    expect(gate.decide('fp', 300_100)).toMatchObject({ send: false, reason: 'throttled', until: 600_000 });
    expect(gate.decide('fp', 600_000)).toEqual({
      send: true,
      suppressed: 1,
      suppressedSince: 300_100,
      sequence: 2,
    });
  });

  it('leaves the window of a mail admitted after the one delivered late', () => {
    const gate = createFloodGate(settings);
    const first = gate.decide('fp', 0);
    if (!first.send) throw new Error('the first report is mailed');
    gate.undelivered('fp', 0, first);
    gate.decide('fp', 100);

    gate.delivered('fp', 0, first.suppressed);

    expect(gate.decide('fp', 300_050)).toMatchObject({ send: false, reason: 'throttled', until: 300_100 });
    expect(gate.decide('fp', 300_100)).toMatchObject({ send: true, suppressed: 1 });
  });

  it('gives back nothing once the fingerprint was mailed again', () => {
    const gate = createFloodGate(settings);
    const first = gate.decide('fp', 0);
    gate.decide('fp', 300_000);
    if (!first.send) throw new Error('the first report is mailed');

    gate.undelivered('fp', 0, first);

    expect(gate.decide('fp', 300_001)).toMatchObject({ send: false, reason: 'throttled' });
  });

  it('marks the first report held back in each window, and when the window ends', () => {
    const gate = createFloodGate(settings);
    gate.decide('fp', 0);

    const held = [gate.decide('fp', 1), gate.decide('fp', 2)];
    gate.decide('fp', 300_000);
    const next = gate.decide('fp', 300_001);

    expect(held).toEqual([
      { send: false, reason: 'throttled', until: 300_000, first: true },
      { send: false, reason: 'throttled', until: 300_000, first: false },
    ]);
    expect(next).toEqual({ send: false, reason: 'throttled', until: 600_000, first: true });
  });

  it('marks the first report the cap holds back, until the cap lets a mail through again', () => {
    const gate = createFloodGate({ throttleMs: 0, maxPerMinute: 2, maxFingerprints: 1000 });
    gate.decide('a', 0);
    gate.decide('b', 10_000);

    const held = [gate.decide('c', 20_000), gate.decide('d', 30_000)];
    const through = gate.decide('e', 60_000);
    const again = gate.decide('f', 60_001);

    expect(held).toEqual([
      { send: false, reason: 'rate-limited', until: 60_000, first: true },
      { send: false, reason: 'rate-limited', until: 60_000, first: false },
    ]);
    expect(through.send).toBe(true);
    expect(again).toEqual({ send: false, reason: 'rate-limited', until: 70_000, first: true });
  });
});

describe('firstAppFrame', () => {
  it('skips Node internals, dependencies and this library, and drops line and column', () => {
    const stack = [
      'TypeError: x',
      '    at Object.parse (node:internal/json:1:1)',
      '    at lib (/var/task/node_modules/some-lib/index.js:10:5)',
      '    at loadOrder (/var/task/src/orders.js:42:13)',
      '    at handler (/var/task/src/index.js:7:3)',
    ].join('\n');

    expect(firstAppFrame(stack)).toBe('loadOrder (/var/task/src/orders.js');
  });
});
