import type { SmtpConfig } from '../config.js';
import type { Mail } from '../core/mail.js';
import { bareAddresses, composeMime } from './compose.js';
import type { Transport } from './transport.js';

/**
 * Sends over SMTP with Django's `EMAIL_*` settings. nodemailer's SMTP client
 * is loaded on the first send.
 */
export function createSmtpTransport(settings: SmtpConfig): Transport {
  let transporter: import('nodemailer').Transporter | undefined;
  return {
    async send(mail: Mail, signal: AbortSignal): Promise<void> {
      if (transporter === undefined) {
        const { default: nodemailer } = await import('nodemailer');
        const timeout = settings.timeoutSeconds === undefined ? undefined : settings.timeoutSeconds * 1000;
        transporter = nodemailer.createTransport({
          host: settings.host,
          port: settings.port,
          secure: settings.useSsl,
          requireTLS: settings.useTls,
          ignoreTLS: !settings.useTls && !settings.useSsl,
          ...(settings.user === '' ? {} : { auth: { user: settings.user, pass: settings.password } }),
          ...(timeout === undefined
            ? {}
            : { connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout }),
        });
      }
      const raw = await composeMime(mail);
      const sending = transporter.sendMail({
        envelope: { from: bareAddresses([mail.from])[0] ?? mail.from, to: bareAddresses(mail.to) },
        raw,
      });
      const onAbort = () => transporter?.close();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await sending;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}
