import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpRouterHandler from '@middy/http-router';
import middy5 from 'middy-core-5';
import middy6 from 'middy-core-6';
import httpErrorHandler5 from 'middy-http-error-handler-5';
import httpErrorHandler6 from 'middy-http-error-handler-6';
import { describe, expect, it, vi } from 'vitest';
import { errorMail, type LogRecord, withErrorMail } from '../../../src/index.js';
import { lambdaContext } from '../../helpers/context.js';
import { httpApiEvent } from '../../helpers/events.js';
import { useFakeTime } from '../../helpers/fake-time.js';
import {
  mailEnv,
  type RecordingTransport,
  recordingLog,
  recordingTransport,
} from '../../helpers/recording-transport.js';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
const quiet = { logger: false as const };

function notFound(): Error {
  return Object.assign(new Error('Order not found'), { statusCode: 404, expose: true });
}

// Each middy major with its own http-error-handler; the three majors' types differ, and what they share
// is what these tests use.
type Chain = { use: (middleware: object) => Chain } & Handler;
type Middy = (base: Handler) => Chain;
type ErrorHandler = (options: typeof quiet) => object;
const versions: [string, Middy, ErrorHandler][] = [
  ['middy 5', middy5 as unknown as Middy, httpErrorHandler5 as unknown as ErrorHandler],
  ['middy 6', middy6 as unknown as Middy, httpErrorHandler6 as unknown as ErrorHandler],
  ['middy 7', middy as unknown as Middy, httpErrorHandler as unknown as ErrorHandler],
];

// errorMail() registered after httpErrorHandler() (its onError runs first), as the README says, and
// registered before it (its onError runs after the error handler's, which replaces what was thrown),
// once a first failure has shown it that order.
type Make = (base: Handler, transport: RecordingTransport) => Promise<Handler>;
const orders = versions.flatMap(([version, middyOf, errorHandler]): [string, Make][] => [
  [
    `${version}: errorMail() after httpErrorHandler()`,
    async (base, transport) =>
      middyOf(base)
        .use(errorHandler(quiet))
        .use(errorMail({ env: mailEnv(), transport })),
  ],
  [
    `${version}: errorMail() after httpErrorHandler(), after an invocation that succeeded`,
    async (base, transport) => {
      let first = true;
      const handler = middyOf(async (event: unknown, context: unknown) => {
        if (!first) return base(event, context);
        first = false;
        return { statusCode: 200 };
      })
        .use(errorHandler(quiet))
        .use(errorMail({ env: mailEnv(), transport }));
      await handler(httpApiEvent({ path: '/first' }), lambdaContext());
      return handler;
    },
  ],
  [
    `${version}: errorMail() before httpErrorHandler(), after its first failure`,
    async (base, transport) => {
      let first = true;
      const handler = middyOf(async (event: unknown, context: unknown) => {
        if (!first) return base(event, context);
        first = false;
        throw new Error('the first failure of the container');
      })
        .use(errorMail({ env: mailEnv(), transport, log: () => undefined }))
        .use(errorHandler(quiet));
      await handler(httpApiEvent({ path: '/first' }), lambdaContext());
      transport.mails.length = 0;
      return handler;
    },
  ],
]);

describe.each(orders)('%s', (_order, make) => {
  it('mails the original error once, with its stack, while the caller gets the 500 response', async () => {
    const transport = recordingTransport();
    const handler = await make(async () => {
      throw new TypeError('inventory lookup failed');
    }, transport);

    const response = await handler(httpApiEvent({ path: '/checkout' }), lambdaContext());

    expect(response).toMatchObject({ statusCode: 500 });
    expect(transport.mails).toHaveLength(1);
    expect(transport.mails[0]?.subject).toBe('[shop] ERROR (EXTERNAL IP): Internal Server Error: /checkout');
    expect(transport.mails[0]?.text).toContain('TypeError at /checkout\ninventory lookup failed');
    expect(transport.mails[0]?.text).toContain('TypeError: inventory lookup failed\n    at ');
  });

  it('mails MANAGERS for a thrown 404 turned into a response', async () => {
    const transport = recordingTransport();
    const handler = await make(async () => {
      throw notFound();
    }, transport);

    const response = await handler(
      httpApiEvent({ path: '/orders/9', headers: { referer: 'https://api.example.com/orders' } }),
      lambdaContext(),
    );

    expect(response).toMatchObject({ statusCode: 404, body: 'Order not found' });
    expect(transport.mails.map((m) => m.subject)).toEqual(['[shop] Broken INTERNAL link on api.example.com']);
  });

  it('mails once when the middy handler is also wrapped with withErrorMail', async () => {
    const transport = recordingTransport();
    const inner = await make(async () => {
      throw new Error('db down');
    }, transport);
    const handler = withErrorMail(inner, { env: mailEnv(), transport });

    const response = await handler(httpApiEvent({ path: '/twice' }), lambdaContext());

    expect(response).toMatchObject({ statusCode: 500 });
    expect(transport.mails).toHaveLength(1);
    expect(transport.mails[0]?.text).toContain('Error at /twice\ndb down');
  });
});

describe.each(versions)(
  'errorMail() registered before httpErrorHandler(), %s',
  (_version, middyOf, errorHandler) => {
    function build(transport: RecordingTransport, log: (record: LogRecord) => void) {
      let calls = 0;
      return middyOf(async () => {
        calls += 1;
        throw new TypeError(`inventory lookup failed (${calls})`);
      })
        .use(errorMail({ env: mailEnv(), transport, log }))
        .use(errorHandler(quiet));
    }

    it('says, in the first mail and once in the log, that the error handler answered first and how to fix it', async () => {
      const transport = recordingTransport();
      const { logs, log } = recordingLog();
      const handler = build(transport, log);

      const response = await handler(httpApiEvent({ path: '/checkout' }), lambdaContext());

      expect(response).toMatchObject({ statusCode: 500 });
      expect(transport.mails.map((m) => m.subject)).toEqual([
        '[shop] ERROR (EXTERNAL IP): Internal Server Error: /checkout',
      ]);
      // What the error handler left in place of the TypeError, and why.
      expect(transport.mails[0]?.text).not.toContain('inventory lookup failed');
      expect(transport.mails[0]?.text).toContain(
        'left by an onError middleware that ran before errorMail() and answered the request',
      );
      expect(transport.mails[0]?.text).toContain('register errorMail() after it');
      expect(logs).toEqual([
        expect.objectContaining({
          level: 'WARN',
          message: expect.stringContaining('register errorMail() after it'),
        }),
      ]);
    });

    it('mails the original error of every later failure, and warns only once', async () => {
      const transport = recordingTransport();
      const { logs, log } = recordingLog();
      const handler = build(transport, log);

      for (const path of ['/checkout/1', '/checkout/2', '/checkout/3']) {
        await handler(httpApiEvent({ path }), lambdaContext());
      }

      const texts = transport.mails.map((m) => m.text);
      expect(texts).toHaveLength(3);
      expect(texts[1]).toContain('TypeError at /checkout/2\ninventory lookup failed (2)');
      expect(texts[2]).toContain('TypeError: inventory lookup failed (3)\n    at ');
      expect(logs.filter((record) => record.level === 'WARN')).toHaveLength(1);
    });
  },
);

describe("middy's timeoutEarlyInMillis", () => {
  useFakeTime();

  function slow(
    timeoutEarlyInMillis: number,
    transport: RecordingTransport,
    log: (record: LogRecord) => void,
  ) {
    return middy({ timeoutEarlyInMillis })
      .handler(() => new Promise(() => {}))
      .use(errorMail({ env: mailEnv({ ERROR_MAIL_TIMEOUT_WARNING_MS: '0' }), transport, log }));
  }

  it('mails the TimeoutError middy throws when it leaves more than the 300 ms margin', async () => {
    const transport = recordingTransport();
    const { logs, log } = recordingLog();

    // 900 ms left: middy gives up 500 ms in, leaving 400 ms for the mail.
    const pending = slow(
      400,
      transport,
      log,
    )(httpApiEvent({ path: '/slow' }), lambdaContext({ remainingMs: 900 })).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    const caught = await pending;

    expect(caught).toBeInstanceOf(Error);
    expect(logs).toEqual([]);
    expect(transport.mails.map((m) => m.subject)).toEqual([
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /slow',
    ]);
    expect(transport.mails[0]?.text).toContain(`Exception Value: ${(caught as Error).message}`);
  });

  it('logs instead of mailing when middy leaves less than the margin, and keeps the error', async () => {
    const transport = recordingTransport();
    const { logs, log } = recordingLog();

    // 400 ms left: middy gives up 350 ms in, leaving 50 ms.
    const pending = slow(
      50,
      transport,
      log,
    )(httpApiEvent({ path: '/slow' }), lambdaContext({ remainingMs: 400 })).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(350);
    const caught = await pending;

    expect(caught).toBeInstanceOf(Error);
    expect(transport.mails).toEqual([]);
    expect(logs[0]).toMatchObject({ level: 'ERROR', reason: 'no time left before the invocation deadline' });
  });
});

describe('@middy/http-router', () => {
  function routed(transport: RecordingTransport) {
    const routes = [
      {
        method: 'GET' as const,
        path: '/orders/{id}',
        handler: async () => ({ statusCode: 200, body: 'order' }),
      },
      {
        method: 'POST' as const,
        path: '/orders',
        handler: async () => {
          throw new RangeError('quantity out of range');
        },
      },
    ];
    return middy(httpRouterHandler(routes as never))
      .use(httpErrorHandler(quiet))
      .use(errorMail({ env: mailEnv(), transport })) as unknown as Handler;
  }

  it('mails ADMINS for an error thrown by a route handler', async () => {
    const transport = recordingTransport();

    const response = await routed(transport)(
      httpApiEvent({ method: 'POST', path: '/orders' }),
      lambdaContext(),
    );

    expect(response).toMatchObject({ statusCode: 500 });
    expect(transport.mails[0]?.text).toContain('RangeError at /orders\nquantity out of range');
  });

  it("mails MANAGERS for the router's 404 on an unknown route with an internal Referer", async () => {
    const transport = recordingTransport();

    const response = await routed(transport)(
      httpApiEvent({ path: '/nowhere', headers: { referer: 'https://api.example.com/orders/1' } }),
      lambdaContext(),
    );

    expect(response).toMatchObject({ statusCode: 404 });
    expect(transport.mails.map((m) => m.subject)).toEqual(['[shop] Broken INTERNAL link on api.example.com']);
  });

  it('sends nothing for a route that answers', async () => {
    const transport = recordingTransport();

    expect(await routed(transport)(httpApiEvent({ path: '/orders/1' }), lambdaContext())).toMatchObject({
      statusCode: 200,
    });
    expect(transport.mails).toEqual([]);
  });
});
