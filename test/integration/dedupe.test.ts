import { describe, expect, it } from 'vitest';
import { type LogRecord, withErrorMail } from '../../src/index.js';
import { httpApiEvent, lambdaContext } from '../helpers/events.js';
import { useLocalDynamoDb } from '../helpers/local-dynamodb.js';
import { failingTransport, mailEnv, recordingTransport } from '../helpers/recording-transport.js';

const TABLE = 'error-mail-dedupe';
const dynamo = useLocalDynamoDb(TABLE);

// One handler, deployed in several containers: each wrap is a container with its own flood state.
const base = async (_event: unknown) => {
  throw new TypeError('inventory service unavailable');
};

function container(throttleSeconds = '300', transport = recordingTransport()) {
  const logs: LogRecord[] = [];
  const handler = withErrorMail(base, {
    env: mailEnv({ ERROR_MAIL_DEDUPE_TABLE: TABLE, ERROR_MAIL_THROTTLE_SECONDS: throttleSeconds }),
    transport,
    log: (r) => logs.push(r),
  });
  const call = (path: string) => handler(httpApiEvent({ path }), lambdaContext()).catch((e: unknown) => e);
  return { transport, logs, call };
}

describe('cross-container dedupe with ERROR_MAIL_DEDUPE_TABLE', () => {
  it('lets one container of three mail an error in a window, and the callers all get their error', async () => {
    const containers = [container(), container(), container()];

    const caught = await Promise.all(containers.map((c) => c.call('/checkout')));

    expect(caught.every((e) => e instanceof TypeError)).toBe(true);
    expect(containers.map((c) => c.transport.mails.length).sort()).toEqual([0, 0, 1]);
    const items = await dynamo.items();
    expect(items).toHaveLength(1);
    expect(Number(items[0]?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000);
  });

  it('never lets different errors suppress each other', async () => {
    const a = container();
    const b = container();

    await a.call('/cart');
    await b.call('/wishlist');

    expect(a.transport.mails).toHaveLength(1);
    expect(b.transport.mails).toHaveLength(1);
  });

  it('gives the window back when the claiming container cannot send, so another one mails the error', async () => {
    const down = container('300', failingTransport('SES is down'));
    const up = container();

    await down.call('/payments');
    const afterFailure = await dynamo.items();
    await up.call('/payments');
    // The container that failed sends its kept report with its next invocation: the window is taken.
    await down.call('/elsewhere');

    expect(afterFailure.filter((item) => item.pk?.S?.startsWith(String(down.logs[0]?.fingerprint)))).toEqual(
      [],
    );
    expect(up.transport.mails).toHaveLength(1);
    expect(down.transport.mails.map((mail) => mail.subject)).toEqual([
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /payments',
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /elsewhere',
    ]);
    expect(down.logs).toMatchObject([
      { message: 'error mail not sent', retry: 'with the next invocation of this container' },
      { message: 'kept error mail dropped', why: 'another container mailed this error in its window' },
      { message: 'error mail not sent' },
    ]);
  });

  it('lets a container mail again in the next window', async () => {
    const a = container('1');
    const b = container('1');
    // Start just after a window boundary, so both first calls fall in the same one-second window.
    await new Promise((resolve) => setTimeout(resolve, 1010 - (Date.now() % 1000)));

    await a.call('/search');
    await b.call('/search');
    // Windows are whole seconds here: wait into the next one.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await b.call('/search');

    expect(a.transport.mails.length + b.transport.mails.length).toBe(2);
    expect(b.transport.mails).toHaveLength(1);
  });
});
