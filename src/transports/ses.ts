import type { SESClient } from '@aws-sdk/client-ses';
import type { Mail } from '../core/mail.js';
import { bareAddresses, composeMime } from './compose.js';
import type { Transport } from './transport.js';

/**
 * Raised when SES refuses or fails a send; the SDK's error is the `cause`.
 * It reaches only the log line, never the caller.
 * @example
 * // reason: "SesSendError: SES SendRawEmail failed: MessageRejected: Email address is not verified..."
 */
export class SesSendError extends Error {
  override readonly name = 'SesSendError' as const;
  /** The SES error code (`MessageRejected`, `Throttling`...), when SES gave one. */
  readonly code: string | undefined;

  constructor(message: string, code: string | undefined, options: { cause: unknown }) {
    super(message, options);
    this.code = code;
  }
}

// One client per container, created on the first report.
let client: SESClient | undefined;
let commands: typeof import('@aws-sdk/client-ses') | undefined;

/**
 * Sends through Amazon SES `SendRawEmail`. Region, credentials and endpoint
 * come from the AWS SDK's own resolution (`AWS_REGION`, the Lambda role,
 * `AWS_ENDPOINT_URL_SES`).
 */
export function createSesTransport(): Transport {
  return {
    async send(mail: Mail, signal: AbortSignal): Promise<void> {
      commands ??= await import('@aws-sdk/client-ses');
      client ??= new commands.SESClient({});
      const raw = await composeMime(mail);
      try {
        await client.send(
          new commands.SendRawEmailCommand({
            RawMessage: { Data: raw },
            Source: bareAddresses([mail.from])[0],
            Destinations: bareAddresses(mail.to),
          }),
          { abortSignal: signal },
        );
      } catch (error) {
        const code = (error as { name?: unknown }).name;
        const codeText = typeof code === 'string' ? code : undefined;
        const hint =
          codeText === 'MessageRejected'
            ? ' (in the SES sandbox both SERVER_EMAIL and every recipient must be verified identities)'
            : '';
        throw new SesSendError(
          `SES SendRawEmail failed: ${codeText ?? 'error'}: ${(error as Error).message}${hint}`,
          codeText,
          { cause: error },
        );
      }
    },
  };
}
