import { withoutCapture } from '../adapters/log-capture.js';
import type { Transport } from '../core/ports.js';
import type { Mail } from '../core/render/mail.js';

/**
 * Writes each mail to standard output as one JSON line (`from`, `to`,
 * `subject`, `text`, `html`, `messageId`, `references`) instead of sending
 * it: one log event per mail in CloudWatch, one line to `jq` locally.
 * Selected by `EMAIL_BACKEND=console`; nothing leaves the machine.
 *
 * @example
 * // EMAIL_BACKEND=console node handler.js | jq -r .text
 */
export function createConsoleTransport(
  write: (line: string) => void = (line) => withoutCapture(() => process.stdout.write(line)),
): Transport {
  return {
    async send(mail: Mail): Promise<void> {
      const record = {
        level: 'INFO',
        message: 'error mail (EMAIL_BACKEND=console: printed, not sent)',
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        references: mail.references,
      };
      write(`${JSON.stringify(record)}\n`);
    },
  };
}
