import { expect } from 'vitest';
import { type Mail, withErrorMail } from '../../src/index.js';
import { lambdaContext } from './events.js';
import { mailEnv, recordingTransport } from './recording-transport.js';

/**
 * The one mail ADMINS get when a handler fed `event` throws, through the real wrapper and rendering;
 * checks that the caller got the same error back and that exactly one mail went out.
 */
export async function mailOfThrow(event: unknown): Promise<Mail> {
  const transport = recordingTransport();
  const failure = new Error('handler failed');
  const handler = withErrorMail(
    async (_event: unknown) => {
      throw failure;
    },
    { env: mailEnv(), transport, log: () => {} },
  );

  const caught = await handler(event, lambdaContext()).catch((e: unknown) => e);

  expect(caught).toBe(failure);
  expect(transport.mails).toHaveLength(1);
  return transport.mails[0] as Mail;
}
