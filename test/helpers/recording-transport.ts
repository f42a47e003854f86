import type { Mail, Transport } from '../../src/index.js';

/** A transport that keeps every mail in memory, for unit tests of the core. */
export function recordingTransport(): Transport & { mails: Mail[] } {
  const mails: Mail[] = [];
  return {
    mails,
    async send(mail) {
      mails.push(mail);
    },
  };
}

/** The environment most tests start from: mail on, everything else default. */
export function mailEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ADMINS: 'ops@example.com,"Ng, Mary" <mary@example.com>',
    MANAGERS: 'content@example.com',
    SERVER_EMAIL: 'errors@example.com',
    EMAIL_SUBJECT_PREFIX: '[shop] ',
    SEND_BROKEN_LINK_EMAILS: 'true',
    ...extra,
  };
}
