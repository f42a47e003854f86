import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../helpers/fast-check.js';
import { type LogRecord, withErrorMail } from '../../../src/index.js';
import { lambdaContext } from '../../helpers/context.js';
import { httpApiEvent } from '../../helpers/events.js';
import { failingTransport, mailEnv, recordingTransport } from '../../helpers/recording-transport.js';

// Thrown values a handler can produce, from plain values to objects built to break a reporter.
function hostileThrown(): fc.Arbitrary<unknown> {
  const throwingGetters = fc
    .constantFrom('name', 'message', 'stack', 'cause', 'statusCode', 'status')
    .map((key) => {
      const error = new Error('getter');
      Object.defineProperty(error, key, {
        get() {
          throw new Error(`${key} getter throws`);
        },
      });
      return error;
    });
  const throwingToString = fc.constant({
    toString() {
      throw new Error('toString throws');
    },
  });
  const circularCause = fc.string().map((message) => {
    const a = new Error(message);
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    return b;
  });
  const proxy = fc.constant(
    new Proxy(new Error('proxy'), {
      get() {
        throw new Error('proxy get');
      },
      ownKeys() {
        throw new Error('proxy ownKeys');
      },
    }),
  );
  const frozen = fc.string().map((m) => Object.freeze(new TypeError(m)));
  const aggregate = fc.integer({ min: 1000, max: 5000 }).map(
    (n) =>
      new AggregateError(
        Array.from({ length: n }, (_, i) => new Error(`member ${i}`)),
        `${n} failed`,
      ),
  );
  const noStack = fc.string().map((m) => {
    const error = new Error(m);
    // Some errors arrive without a stack (from another realm, or deliberately stripped).
    delete (error as { stack?: string }).stack;
    return error;
  });
  return fc.oneof(
    fc.anything(),
    fc.string(),
    fc.constant(null),
    fc.constant(undefined),
    fc.constant(Symbol('thrown')),
    fc.constant(Object.create(null)),
    throwingGetters,
    throwingToString,
    circularCause,
    proxy,
    frozen,
    noStack,
    aggregate,
  );
}

/** Whether a thrown value carries a 4xx `statusCode` (or else `status`), read as a user would. */
function carries4xx(thrown: unknown): boolean {
  for (const key of ['statusCode', 'status']) {
    let value: unknown;
    try {
      value = (thrown as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    if (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599) {
      return value >= 400 && value < 500;
    }
  }
  return false;
}

describe('hostile outcomes', () => {
  it('rethrows exactly what the handler threw and mails ADMINS once, whatever was thrown', async () => {
    await fc.assert(
      fc.asyncProperty(hostileThrown(), async (thrown) => {
        const transport = recordingTransport();
        const handler = withErrorMail(
          async () => {
            throw thrown;
          },
          { env: mailEnv(), transport, log: () => {} },
        );

        let caught: unknown = 'nothing thrown';
        try {
          await handler(httpApiEvent({ path: '/x' }), lambdaContext());
        } catch (error) {
          caught = error;
        }

        expect(caught).toBe(thrown);
        // A thrown 4xx is not a server error (a 404 without a Referer is an ignorable broken link);
        // anything else mails ADMINS once.
        expect(transport.mails).toHaveLength(carries4xx(thrown) ? 0 : 1);
        for (const mail of transport.mails) {
          expect(mail.subject).not.toMatch(/[\r\n]/);
          expect(mail.to).toEqual(['ops@example.com', '"Ng, Mary" <mary@example.com>']);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('returns exactly what the handler returned, whatever it returned', async () => {
    const throwingStatus = {
      get statusCode(): number {
        throw new Error('statusCode getter throws');
      },
    };
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), fc.constant(throwingStatus)), async (result) => {
        const handler = withErrorMail(async () => result, {
          env: mailEnv(),
          transport: recordingTransport(),
          log: () => {},
        });

        expect(await handler(httpApiEvent(), lambdaContext())).toBe(result);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the original error when the logger itself throws while a send fails', async () => {
    const failure = new Error('original');
    const handler = withErrorMail(
      async () => {
        throw failure;
      },
      {
        env: mailEnv(),
        transport: failingTransport('send failed'),
        log: (_record: LogRecord) => {
          throw new Error('logger failed');
        },
      },
    );

    await expect(handler(httpApiEvent(), lambdaContext())).rejects.toBe(failure);
  });
});
