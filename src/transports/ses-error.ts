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
