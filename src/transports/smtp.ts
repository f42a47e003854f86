import type { SmtpConfig } from '../config/load.js';
import type { SendTime, Transport } from '../core/ports.js';
import type { Mail } from '../core/render/mail.js';
import { bareAddresses, composeMime } from './compose.js';
import { FIRST_USE_CPU_MS, firstUse, firstUseSteps, loadDependency } from './load-dependency.js';

/**
 * Sends over SMTP with Django's `EMAIL_*` settings, one connection per mail:
 * `EMAIL_USE_TLS` requires STARTTLS, `EMAIL_USE_SSL` speaks TLS from the
 * start, and the server's certificate is verified. Only nodemailer's SMTP
 * connection is loaded, on the first send: a bundled function carries it
 * instead of all of nodemailer's transports.
 */
export function createSmtpTransport(settings: SmtpConfig): Transport {
  let SmtpConnection: typeof import('nodemailer/lib/smtp-connection')['default'] | undefined;
  const timeout = settings.timeoutSeconds === undefined ? undefined : settings.timeoutSeconds * 1000;
  return {
    async send(mail: Mail, signal: AbortSignal, time?: SendTime): Promise<void> {
      // The first send loads the connection, then composes, each only if it fits in what is left.
      SmtpConnection ??= (
        await firstUse(time, FIRST_USE_CPU_MS.smtpConnection, "loading nodemailer's SMTP connection", () =>
          loadDependency('nodemailer/lib/smtp-connection', () => import('nodemailer/lib/smtp-connection')),
        )
      ).default;
      const raw = await composeMime(mail, time);
      const connection = new SmtpConnection({
        host: settings.host,
        port: settings.port,
        secure: settings.useSsl,
        requireTLS: settings.useTls,
        // As Django: without EMAIL_USE_TLS or EMAIL_USE_SSL, no TLS at all.
        ignoreTLS: !settings.useTls && !settings.useSsl,
        ...(timeout === undefined
          ? {}
          : { connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout }),
      });
      const envelope = { from: bareAddresses([mail.from])[0] ?? mail.from, to: bareAddresses(mail.to) };
      const onAbort = () => connection.close();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await new Promise<void>((resolve, reject) => {
          let settled = false;
          const finish = (error?: Error | null) => {
            if (settled) return;
            settled = true;
            if (error) reject(error);
            else resolve();
          };
          // Kept for the connection's life: an 'error' with no listener would crash the process.
          connection.on('error', finish);
          connection.once('end', () =>
            finish(new Error('the SMTP server closed the connection before the mail was sent')),
          );
          const deliver = () =>
            connection.send(envelope, raw, (error) => {
              if (error) return finish(error);
              connection.quit();
              finish();
            });
          connection.connect((error) => {
            if (error) return finish(error);
            if (settings.user === '') return deliver();
            connection.login({ user: settings.user, pass: settings.password }, (loginError) =>
              loginError ? finish(loginError) : deliver(),
            );
          });
        });
      } finally {
        signal.removeEventListener('abort', onAbort);
        // Always, not only on abort: after a refused login or any other error the
        // connection would stay open until the server's idle timeout, and keep the
        // process alive with it. After a send, QUIT has been written and goes out
        // before the socket ends. Closing an ended or closed connection does nothing.
        connection.close();
      }
    },
    firstUseSteps,
  };
}
