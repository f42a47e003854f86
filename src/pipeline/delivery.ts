import type { SkipReason } from '../core/decide/skip.js';
import type { Mail } from '../core/render/mail.js';

/**
 * What happened to one outcome: mailed, deliberately not mailed (and why), or a failed send.
 * @example
 * // { status: 'skipped', reason: { code: 'ignorable-404', rule: 'no Referer' } }
 */
export type Delivery =
  | { readonly status: 'sent'; readonly mail: Mail; readonly fingerprint: string }
  | { readonly status: 'skipped'; readonly reason: SkipReason; readonly fingerprint?: string }
  | {
      readonly status: 'failed';
      /** What went wrong, on one line, scrubbed: the log record's `reason`. */
      readonly reason: string;
      readonly mail: Mail;
      readonly fingerprint: string;
      /** The mail service's error code (`MessageRejected`, `Throttling`...), when it gave one. */
      readonly code?: string | undefined;
    };
