import type { LogRecord, Mail, Transport } from '../../src/index.js';

/** A transport that keeps every mail it is handed in `mails`. */
export type RecordingTransport = Transport & { mails: Mail[] };

/** A transport that keeps every mail in memory, for unit tests of the core. */
export function recordingTransport(): RecordingTransport {
  const mails: Mail[] = [];
  return {
    mails,
    async send(mail) {
      mails.push(mail);
    },
  };
}

/** A transport that is down: it keeps each mail it is handed, then rejects with `Error(message)`. */
export function failingTransport(message = 'SES is down'): RecordingTransport {
  const mails: Mail[] = [];
  return {
    mails,
    async send(mail) {
      mails.push(mail);
      throw new Error(message);
    },
  };
}

/**
 * A transport whose send never settles; it keeps each mail and the abort signal it was handed.
 * `sending` settles when the first send starts, that is once the send's budget is counting.
 */
export function hangingTransport(): RecordingTransport & { signals: AbortSignal[]; sending: Promise<void> } {
  const mails: Mail[] = [];
  const signals: AbortSignal[] = [];
  let started: () => void = () => {};
  const sending = new Promise<void>((resolve) => {
    started = resolve;
  });
  return {
    mails,
    signals,
    sending,
    send(mail, signal) {
      mails.push(mail);
      signals.push(signal);
      started();
      return new Promise<void>(() => {});
    },
  };
}

/** A `log` option that keeps every record in `logs` instead of writing it. */
export function recordingLog(): { logs: LogRecord[]; log: (record: LogRecord) => void } {
  const logs: LogRecord[] = [];
  return {
    logs,
    log(record) {
      logs.push(record);
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
