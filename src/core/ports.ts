import type { Mail } from './render/mail.js';

/**
 * Sends one mail. Implementations must stop work when `signal` aborts and
 * reject with an error that says why the mail was not sent.
 *
 * @example
 * const transport: Transport = { async send(mail) { console.log(mail.subject) } };
 */
export interface Transport {
  send(mail: Mail, signal: AbortSignal): Promise<void>;
}
