import { PassThrough } from 'node:stream';
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { withErrorMail } from '../../../src/index.js';
import { lambdaContext } from '../../helpers/context.js';
import { httpApiEvent } from '../../helpers/events.js';
import { useFakeTime } from '../../helpers/fake-time.js';
import { mailEnv, recordingTransport } from '../../helpers/recording-transport.js';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

useFakeTime();

describe('callback-style handlers', () => {
  it('mails and rejects with the error passed to the callback', async () => {
    const transport = recordingTransport();
    const failure = new Error('callback failure');
    const handler = withErrorMail(
      (_event: unknown, _context: unknown, callback: (error?: unknown, result?: unknown) => void) => {
        setTimeout(() => callback(failure), 5);
      },
      { env: mailEnv(), transport },
    );

    // Expected before the clock moves, so that the rejection is never unhandled.
    const rejected = expect(handler(httpApiEvent({ path: '/cb' }), lambdaContext())).rejects.toBe(failure);
    await vi.advanceTimersByTimeAsync(5);

    await rejected;
    expect(transport.mails.map((m) => m.subject)).toEqual([
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /cb',
    ]);
  });

  it('mails and rejects with an error thrown before the callback is called', async () => {
    const transport = recordingTransport();
    const failure = new TypeError('thrown in a callback handler');
    const handler = withErrorMail(
      (_event: unknown, _context: unknown, _callback: (error?: unknown, result?: unknown) => void) => {
        throw failure;
      },
      { env: mailEnv(), transport },
    );

    await expect(handler(httpApiEvent({ path: '/cb-throw' }), lambdaContext())).rejects.toBe(failure);
    expect(transport.mails).toHaveLength(1);
  });

  it('resolves with the result passed to the callback, the same object', async () => {
    const transport = recordingTransport();
    const result = { statusCode: 200, body: 'ok' };
    type Result = typeof result;
    const handler = withErrorMail(
      (_event: unknown, _context: unknown, callback: (error?: unknown, value?: Result) => void) => {
        callback(null, result);
      },
      { env: mailEnv(), transport },
    );

    expect(await handler(httpApiEvent(), lambdaContext())).toBe(result);
    expect(handler.length).toBe(2);
    expect(transport.mails).toEqual([]);
  });

  it('mails a 503 passed to the callback', async () => {
    const transport = recordingTransport();
    const handler = withErrorMail(
      (_event: unknown, _context: unknown, callback: (error?: unknown, result?: unknown) => void) => {
        callback(undefined, { statusCode: 503 });
      },
      { env: mailEnv(), transport },
    );

    await handler(httpApiEvent({ path: '/cb-503' }), lambdaContext());

    expect(transport.mails.map((m) => m.subject)).toEqual([
      '[shop] ERROR (EXTERNAL IP): Service Unavailable: /cb-503',
    ]);
  });

  it('takes an async handler that declares a callback it never calls', async () => {
    const transport = recordingTransport();
    const handler = withErrorMail(
      async (_event: unknown, _context: unknown, _callback: (error?: unknown, result?: string) => void) =>
        'done',
      { env: mailEnv(), transport },
    );

    expect(await handler(httpApiEvent(), lambdaContext())).toBe('done');
  });
});

describe('handlers that are not async functions', () => {
  it('returns a promise of the very object a synchronous handler returns', async () => {
    const transport = recordingTransport();
    const result = { statusCode: 200 };
    const handler = withErrorMail((_event: unknown, _context: Context) => result, {
      env: mailEnv(),
      transport,
    });

    const returned = handler(httpApiEvent(), lambdaContext());

    expect(returned).toBeInstanceOf(Promise);
    await expect(returned).resolves.toBe(result);
    expect(transport.mails).toEqual([]);
  });

  it('turns a synchronous throw into a rejection with the same error, after mailing it', async () => {
    const transport = recordingTransport();
    const error = new RangeError('thrown before any await');
    const handler = withErrorMail(
      (_event: unknown, _context: Context): { statusCode: number } => {
        throw error;
      },
      { env: mailEnv(), transport },
    );

    // Calling it must not throw: the runtime and middy expect a promise.
    const returned = handler(httpApiEvent({ path: '/sync' }), lambdaContext());

    await expect(returned).rejects.toBe(error);
    expect(transport.mails.map((m) => m.subject)).toEqual([
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /sync',
    ]);
  });

  it('adopts a thenable that is not a native promise', async () => {
    const transport = recordingTransport();
    const result = { statusCode: 503 };
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise is what this test is about
    const thenable = { then: (resolve: (value: unknown) => void) => resolve(result) };
    const handler = withErrorMail(
      (_event: unknown, _context: Context) => thenable as unknown as typeof result,
      {
        env: mailEnv(),
        transport,
      },
    );

    await expect(handler(httpApiEvent({ path: '/thenable' }), lambdaContext())).resolves.toBe(result);
    expect(transport.mails.map((m) => m.subject)).toEqual([
      '[shop] ERROR (EXTERNAL IP): Service Unavailable: /thenable',
    ]);
  });
});

function streamified<T extends (...args: never[]) => unknown>(handler: T, highWaterMark?: number): T {
  const marked = handler as unknown as Record<symbol, unknown>;
  marked[STREAMING] = 'response';
  if (highWaterMark !== undefined) marked[HIGH_WATER_MARK] = highWaterMark;
  return handler;
}

describe('response-streaming handlers', () => {
  it('keeps the streaming marker and the highWaterMark the runtime reads', () => {
    const handler = withErrorMail(
      streamified(async (_event: unknown, _stream: PassThrough, _context: Context) => undefined, 4096),
      { env: mailEnv(), transport: recordingTransport() },
    ) as unknown as Record<symbol, unknown>;

    expect(handler[STREAMING]).toBe('response');
    expect(handler[HIGH_WATER_MARK]).toBe(4096);
  });

  it('passes event, stream and context through, and sends nothing when streaming succeeds', async () => {
    const transport = recordingTransport();
    const stream = new PassThrough();
    const context = lambdaContext();
    const seen: unknown[] = [];
    const handler = withErrorMail(
      streamified(async (event: unknown, responseStream: PassThrough, ctx: Context) => {
        seen.push(event, responseStream, ctx);
        responseStream.end('chunk');
      }),
      { env: mailEnv(), transport },
    );
    const event = httpApiEvent({ path: '/stream' });

    await handler(event, stream, context);

    expect(seen).toEqual([event, stream, context]);
    expect(transport.mails).toEqual([]);
  });

  it('sends a report kept from a failed send with the next invocation, before it returns', async () => {
    const mails: string[] = [];
    let down = true;
    const transport = {
      async send(mail: { subject: string; text: string }) {
        if (down) throw new Error('SES is down');
        mails.push(mail.text);
      },
    };
    const handler = withErrorMail(
      streamified(async (event: { rawPath: string }, responseStream: PassThrough, _context: Context) => {
        if (event.rawPath === '/fails') throw new Error('stream handler failed');
        responseStream.end('chunk');
      }),
      { env: mailEnv(), transport, log: () => {} },
    );

    await handler(httpApiEvent({ path: '/fails' }), new PassThrough(), lambdaContext()).catch(() => {});
    down = false;
    await handler(httpApiEvent({ path: '/fine' }), new PassThrough(), lambdaContext());

    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/^Internal Server Error: \/fails\n\nSent late: /);
  });

  it('mails and rethrows an error thrown by the handler', async () => {
    const transport = recordingTransport();
    const failure = new Error('stream handler failed');
    const handler = withErrorMail(
      streamified(async (_event: unknown, _stream: PassThrough, _context: Context) => {
        throw failure;
      }),
      { env: mailEnv(), transport },
    );

    await expect(handler(httpApiEvent({ path: '/stream' }), new PassThrough(), lambdaContext())).rejects.toBe(
      failure,
    );
    expect(transport.mails.map((m) => m.subject)).toEqual([
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /stream',
    ]);
  });

  it('mails an error emitted on the response stream, and leaves the stream error to its own listeners', async () => {
    const transport = recordingTransport();
    const streamFailure = new Error('upstream closed mid-response');
    const stream = new PassThrough();
    const handled: unknown[] = [];
    stream.on('error', (error) => handled.push(error));
    const handler = withErrorMail(
      streamified(async (_event: unknown, responseStream: PassThrough, _context: Context) => {
        responseStream.destroy(streamFailure);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }),
      { env: mailEnv(), transport },
    );

    const returned = handler(httpApiEvent({ path: '/stream-error' }), stream, lambdaContext());
    await vi.advanceTimersByTimeAsync(10);
    await returned;

    expect(handled).toEqual([streamFailure]);
    expect(transport.mails).toHaveLength(1);
    expect(transport.mails[0]?.text).toContain('Error at /stream-error\nupstream closed mid-response');
  });
});
