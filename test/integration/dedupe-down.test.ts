import { beforeAll, describe, expect, it } from 'vitest';
import { type LogRecord, withErrorMail } from '../../src/index.js';
import { httpApiEvent, lambdaContext } from '../helpers/events.js';
import { closedPort } from '../helpers/faulty-ses.mjs';
import { mailEnv, recordingTransport } from '../helpers/recording-transport.js';

// Its own file: the DynamoDB client is made once per container, and this one points at a closed port.
beforeAll(async () => {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${await closedPort()}`;
});

describe('cross-container dedupe when DynamoDB is unreachable', () => {
  it('falls back to per-container flood control: each container mails, and says why in a log line', async () => {
    const base = async (_event: unknown) => {
      throw new RangeError('x');
    };
    const containers = [0, 1].map(() => {
      const transport = recordingTransport();
      const logs: LogRecord[] = [];
      const handler = withErrorMail(base, {
        env: mailEnv({ ERROR_MAIL_DEDUPE_TABLE: 'error-mail-dedupe' }),
        transport,
        log: (r) => logs.push(r),
      });
      return { transport, logs, handler };
    });

    for (const c of containers)
      await c.handler(httpApiEvent({ path: '/x' }), lambdaContext()).catch(() => {});

    for (const c of containers) {
      expect(c.transport.mails).toHaveLength(1);
      expect(c.logs).toEqual([
        expect.objectContaining({
          level: 'WARN',
          message: 'cross-container dedupe unavailable, mailing from this container',
          reason: expect.stringMatching(/ECONNREFUSED|connect/i),
        }),
      ]);
    }
  });
});
