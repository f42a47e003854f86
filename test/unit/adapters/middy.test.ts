import middy7 from '@middy/core';
import middy5 from 'middy-core-5';
import middy6 from 'middy-core-6';
import { describe, expect, it } from 'vitest';
import { errorMail, withErrorMail } from '../../../src/index.js';
import { lambdaContext } from '../../helpers/context.js';
import { httpApiEvent } from '../../helpers/events.js';
import { mailEnv, recordingTransport } from '../../helpers/recording-transport.js';

// Each middy major as its own package; the middleware object must work with all of them.
const versions = [
  ['middy 5', middy5],
  ['middy 6', middy6],
  ['middy 7', middy7],
] as const;

type Base = (event: unknown) => Promise<unknown>;

// A container's first invocation reads the clock and keeps its state on middy's request; one after an
// invocation that succeeded does neither (see errorMail()): every case runs both ways.
const starts = [
  ['on the first invocation', false],
  ['after an invocation that succeeded', true],
] as const;

describe.each(
  versions.flatMap(([name, middy]) => starts.map(([start, warm]) => [name, start, middy, warm] as const)),
)('errorMail() with %s, %s', (_name, _start, middy, warm) => {
  async function handlerWith(base: Base) {
    const transport = recordingTransport();
    const handler = (
      middy as unknown as (fn: Base) => { use: (m: unknown) => (e: unknown, c: unknown) => Promise<unknown> }
    )(async (event) => ((event as { warm?: boolean }).warm === true ? { statusCode: 200 } : base(event))).use(
      errorMail({ env: mailEnv(), transport }),
    );
    if (warm) await handler({ ...httpApiEvent({ path: '/warm' }), warm: true }, lambdaContext());
    return { handler, transport };
  }

  it('mails ADMINS when the handler throws and lets the same error through', async () => {
    const failure = new Error('db down');
    const { handler, transport } = await handlerWith(async () => {
      throw failure;
    });

    const caught = await handler(httpApiEvent({ path: '/boom' }), lambdaContext()).catch((e: unknown) => e);

    expect(caught).toBe(failure);
    expect(transport.mails.map((m) => m.subject)).toEqual([
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /boom',
    ]);
  });

  it('mails MANAGERS for a returned 404 and returns the same result object', async () => {
    const result = { statusCode: 404, body: 'nope' };
    const { handler, transport } = await handlerWith(async () => result);

    const returned = await handler(
      httpApiEvent({ path: '/gone', headers: { referer: 'https://api.example.com/' } }),
      lambdaContext(),
    );

    expect(returned).toBe(result);
    expect(transport.mails.map((m) => m.subject)).toEqual(['[shop] Broken INTERNAL link on api.example.com']);
  });

  it('mails ADMINS for a returned 502', async () => {
    const { handler, transport } = await handlerWith(async () => ({ statusCode: 502 }));

    await handler(httpApiEvent({ path: '/up' }), lambdaContext());

    expect(transport.mails.map((m) => m.subject)).toEqual(['[shop] ERROR (EXTERNAL IP): Bad Gateway: /up']);
  });

  it('sends nothing on success', async () => {
    const result = { statusCode: 200 };
    const { handler, transport } = await handlerWith(async () => result);

    expect(await handler(httpApiEvent(), lambdaContext())).toBe(result);
    expect(transport.mails).toEqual([]);
  });

  it('leaves a kept report for the next invocation when a later before middleware answers early', async () => {
    const sent: string[] = [];
    let down = true;
    const transport = {
      async send(mail: { text: string }) {
        if (down) throw new Error('SES is down');
        sent.push(mail.text);
      },
    };
    // A warm-up middleware: its early answer makes middy skip every after and onError.
    const warmup = {
      before: (request: { event: unknown }) =>
        (request.event as { warmup?: boolean }).warmup === true ? 'warm' : undefined,
    };
    const handler = (
      middy as unknown as (fn: Base) => {
        use: (m: unknown) => { use: (m: unknown) => (e: unknown, c: unknown) => Promise<unknown> };
      }
    )(async (event) => {
      if ((event as { rawPath: string }).rawPath === '/fails') throw new Error('db down');
      return { statusCode: 200 };
    })
      .use(errorMail({ env: mailEnv(), transport, log: () => {} }))
      .use(warmup);
    await handler(httpApiEvent({ path: '/fails' }), lambdaContext()).catch(() => {});
    down = false;

    const warm = await handler({ warmup: true }, lambdaContext());
    await new Promise((resolve) => setImmediate(resolve));
    const sentByWarmup = [...sent];
    await handler(httpApiEvent({ path: '/fine' }), lambdaContext());

    expect(warm).toBe('warm');
    expect(sentByWarmup).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^Internal Server Error: \/fails\n\nSent late: /);
  });
});

describe('errorMail() and withErrorMail() together', () => {
  it('mails once for one failure when a middy handler using the middleware is also wrapped', async () => {
    const transport = recordingTransport();
    const failure = new Error('once');
    const inner = middy7(async () => {
      throw failure;
    }).use(errorMail({ env: mailEnv(), transport }));
    const handler = withErrorMail(inner, { env: mailEnv(), transport });

    const caught = await handler(httpApiEvent(), lambdaContext()).catch((e: unknown) => e);

    expect(caught).toBe(failure);
    expect(transport.mails).toHaveLength(1);
  });
});

describe('one error object thrown by several invocations', () => {
  it('is mailed for each invocation, so a module-level error constant is never silenced', async () => {
    const transport = recordingTransport();
    const notReady = new Error('service not ready');
    const handler = withErrorMail(
      async () => {
        throw notReady;
      },
      { env: mailEnv(), transport },
    );

    await handler(httpApiEvent({ path: '/a' }), lambdaContext()).catch(() => {});
    await handler(httpApiEvent({ path: '/b' }), lambdaContext()).catch(() => {});

    expect(transport.mails.map((m) => m.subject)).toEqual([
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /a',
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /b',
    ]);
  });
});

describe('errorMail() registered last, when an `after` registered before it throws', () => {
  it.each(starts)('mails that error once, %s, and the caller gets it', async (_start, warm) => {
    const transport = recordingTransport();
    const failure = new Error('response serializer failed');
    const handler = middy7(async (event: { warm?: boolean }) => ({ statusCode: event.warm ? 200 : 201 }))
      .use({
        after: (request: { event: { warm?: boolean } }) => {
          if (request.event.warm !== true) throw failure;
        },
      })
      .use(errorMail({ env: mailEnv(), transport })) as unknown as (
      e: unknown,
      c: unknown,
    ) => Promise<unknown>;
    if (warm) await handler({ ...httpApiEvent({ path: '/warm' }), warm: true }, lambdaContext());

    const caught = await handler(httpApiEvent({ path: '/orders' }), lambdaContext()).catch((e: unknown) => e);

    expect(caught).toBe(failure);
    expect(transport.mails.map((m) => m.subject)).toEqual([
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /orders',
    ]);
    expect(transport.mails[0]?.text).toContain('Error at /orders\nresponse serializer failed');
  });
});
