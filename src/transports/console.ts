import type { Mail } from '../core/mail.js';
import { composeMime } from './compose.js';
import type { Transport } from './transport.js';

/**
 * Writes each mail as raw MIME to standard output, as Django's console
 * backend does. For local runs; nothing leaves the machine.
 */
export function createConsoleTransport(
  write: (text: string) => void = (t) => process.stdout.write(t),
): Transport {
  return {
    async send(mail: Mail): Promise<void> {
      const raw = await composeMime(mail);
      write(`${raw.toString('utf8')}\n${'-'.repeat(79)}\n`);
    },
  };
}
