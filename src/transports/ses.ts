import type { SESClient } from '@aws-sdk/client-ses';
import type { SendTime, Transport } from '../core/ports.js';
import type { Mail } from '../core/render/mail.js';
import { bareAddresses, composeMime } from './compose.js';
import {
  FIRST_USE_CPU_MS,
  firstUse,
  firstUseOnce,
  firstUseSteps,
  loadDependency,
  NotInTimeError,
} from './load-dependency.js';
import { budgetRetryStrategy, SES_ATTEMPTS } from './ses-retry.js';

// One client per container, created on the first report. Its waits between attempts are sized to the
// budget of the wrapper that made it; another wrapper given another budget in code shares them.
let client: SESClient | undefined;
let commands: typeof import('@aws-sdk/client-ses') | undefined;
// The client's first request in this container runs the SDK's code for the first time. Its time may
// hold SES's retries and their waits: it does not pace the steps after it.
const firstRequest = firstUseOnce(
  FIRST_USE_CPU_MS.firstSesRequest,
  "this container's first SES request",
  false,
);

/** Options of the SES transport. */
export interface SesTransportOptions {
  /**
   * The longest one attempt may take; the reporter's budget bounds all attempts together.
   * @default 2000
   */
  readonly requestTimeoutMs?: number;
  /**
   * The reporter's send budget (`ERROR_MAIL_SEND_BUDGET_MS`), which the waits between attempts are sized to.
   * @default 2000
   */
  readonly budgetMs?: number;
}

/**
 * Sends through Amazon SES `SendRawEmail`. Region, credentials and endpoint
 * come from the AWS SDK's own resolution (`AWS_REGION`, the Lambda role,
 * `AWS_ENDPOINT_URL_SES`). The SDK retries throttling, 5xx answers and network
 * errors with waits sized to the budget (`budgetRetryStrategy`); the abort signal
 * stops attempts and waits when the budget or the deadline runs out. The first send loads the SES
 * client and the composer, composes and makes its first request, each only when it fits in the `time`
 * left: none of them can be stopped once started (a send that stops there is kept and tried again).
 */
export function createSesTransport(options: SesTransportOptions = {}): Transport {
  const requestTimeout = options.requestTimeoutMs ?? 2000;
  const budgetMs = options.budgetMs ?? 2000;
  return {
    async send(mail: Mail, signal: AbortSignal, time?: SendTime): Promise<void> {
      // The first send loads the client, then composes, then sends, each only if it fits in what is left.
      commands ??= await firstUse(time, FIRST_USE_CPU_MS.sesClient, 'loading the SES client', () =>
        loadDependency('@aws-sdk/client-ses', () => import('@aws-sdk/client-ses')),
      );
      const sdk = commands;
      client ??= new sdk.SESClient({
        maxAttempts: SES_ATTEMPTS,
        retryStrategy: budgetRetryStrategy(budgetMs),
        requestHandler: { connectionTimeout: Math.min(1000, requestTimeout), requestTimeout },
      });
      const ses = client;
      const raw = await composeMime(mail, time);
      const request = async () => {
        await ses.send(
          new sdk.SendRawEmailCommand({
            RawMessage: { Data: raw },
            Source: bareAddresses([mail.from])[0],
            Destinations: bareAddresses(mail.to),
          }),
          { abortSignal: signal },
        );
      };
      try {
        await firstRequest(time, request);
      } catch (error) {
        if (error instanceof NotInTimeError) throw error;
        throw sesError(error, mail);
      }
    },
    firstUseSteps,
  };
}

/**
 * Raised when SES refuses or fails a send; the SDK's error is the `cause`. Internal: the reporter turns
 * it into the log line (`reason`, `code`), and no caller ever sees it.
 */
class SesSendError extends Error {
  override readonly name = 'SesSendError' as const;
  /** The SES error code (`MessageRejected`, `Throttling`...), when SES gave one. */
  readonly code: string | undefined;

  constructor(message: string, code: string | undefined, options: { cause: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Wraps an SDK error, saying which setting to fix when SES rejected an address. */
function sesError(error: unknown, mail: Mail): SesSendError {
  // A service error (it has $fault) names its SES code; a network error carries Node's (ECONNREFUSED...).
  const { name, code: nodeCode, $fault } = error as { name?: unknown; code?: unknown; $fault?: unknown };
  const code =
    $fault !== undefined && typeof name === 'string'
      ? name
      : typeof nodeCode === 'string'
        ? nodeCode
        : undefined;
  const message = String((error as { message?: unknown }).message ?? error);
  let hint = '';
  if (code === 'MessageRejected' && /not verified/i.test(message)) {
    const from = bareAddresses([mail.from])[0] ?? mail.from;
    hint = message.includes(from)
      ? ` (SERVER_EMAIL ${from} is not a verified SES identity in this region: verify it, or set SERVER_EMAIL to a verified address)`
      : ' (a recipient is not verified: in the SES sandbox every address in ADMINS and MANAGERS must be verified, or request production access)';
  } else if (code === 'MessageRejected') {
    hint = ' (check that SERVER_EMAIL is a verified SES identity in this region)';
  }
  return new SesSendError(`SES SendRawEmail failed: ${code ?? 'error'}: ${message}${hint}`, code, {
    cause: error,
  });
}
