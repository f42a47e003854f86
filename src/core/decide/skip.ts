import type { Ignorable404Rule } from './ignorable-404.js';

// The message of each reason that needs no detail: the one place these texts are written.
const MESSAGES = {
  debug: 'DEBUG is true',
  'not-an-error': 'not an error',
  'no-admins': 'ADMINS is empty',
  'no-managers': 'MANAGERS is empty',
  'broken-links-off': 'SEND_BROKEN_LINK_EMAILS is false',
  'not-http': 'not an HTTP request',
  'already-reported': 'already reported for this invocation',
  throttled: 'throttled',
  'rate-limited': 'rate limited',
  'mailed-elsewhere': 'mailed by another container',
  'dropped-by-before-send': 'dropped by beforeSend',
} as const;

/** A reason that needs no detail. */
export type PlainSkipCode = keyof typeof MESSAGES;

/**
 * Why an outcome was not mailed, on purpose: a closed set. Only two carry a detail: the 404 ignore
 * rule that matched, and the description of a failure of the reporter itself (which keeps the
 * invocation's outcome and is logged).
 * @example
 * const reason: SkipReason = { code: 'ignorable-404', rule: 'no Referer' };
 */
export type SkipReason =
  | { readonly code: PlainSkipCode }
  | { readonly code: 'ignorable-404'; readonly rule: Ignorable404Rule }
  | { readonly code: 'reporter-failed'; readonly error: string };

/**
 * The reason as one line for a log record, the preview command or check-config.
 * @example
 * skipMessage({ code: 'ignorable-404', rule: 'no Referer' }); // 'ignorable 404: no Referer'
 */
export function skipMessage(reason: SkipReason): string {
  switch (reason.code) {
    case 'ignorable-404':
      return `ignorable 404: ${reason.rule}`;
    case 'reporter-failed':
      return reason.error;
    default:
      return MESSAGES[reason.code];
  }
}
