import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LogRecord, withErrorMail } from '../../src/index.js';
import { httpApiEvent, lambdaContext } from '../helpers/events.js';
import { startLocalDynamoDb } from '../helpers/local-dynamodb.js';
import { mailEnv, recordingTransport } from '../helpers/recording-transport.js';

const TABLE = 'error-mail-dedupe';
let dynamo: Awaited<ReturnType<typeof startLocalDynamoDb>>;
beforeAll(async () => {
  dynamo = await startLocalDynamoDb(TABLE);
  // The SDK's own variable: the library's DynamoDB client finds dynalite with no code of ours.
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.url;
});
afterAll(async () => {
  await dynamo.stop();
});

// One handler, deployed in several containers: each wrap is a container with its own flood state.
const base = async (_event: unknown) => {
  throw new TypeError('inventory service unavailable');
};

function container(throttleSeconds = '300') {
  const transport = recordingTransport();
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
