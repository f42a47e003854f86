import type { Config } from '../../config/load.js';
import type { Verdict } from './classify.js';
import type { SkipReason } from './skip.js';

/** Whether a verdict is mailed: to which list, or why not. */
export type MailDecision =
  | { readonly mail: true; readonly to: 'ADMINS' | 'MANAGERS' }
  | { readonly mail: false; readonly reason: SkipReason };

/** The settings that decide whether a verdict is mailed. */
export type MailSettings = Pick<
  Config,
  | 'debug'
  | 'admins'
  | 'managers'
  | 'sendBrokenLinkEmails'
  | 'appendSlash'
  | 'ignorable404Urls'
  | 'ignorable404Starts'
  | 'ignorable404Ends'
>;

const TO_ADMINS: MailDecision = Object.freeze({ mail: true, to: 'ADMINS' });
const TO_MANAGERS: MailDecision = Object.freeze({ mail: true, to: 'MANAGERS' });

/**
 * Would an outcome of this verdict be mailed under these settings, before any request is read: the
 * rules of `DEBUG`, `ADMINS`, `MANAGERS` and `SEND_BROKEN_LINK_EMAILS`. A broken link that passes them
 * is still held to the 404 ignore rules, which {@link wouldMail} applies to the request. Kept apart
 * from those rules so that the timeout watch, built at every cold start, loads only these.
 * @example
 * mailBySettings(config, { kind: 'server-error', ... }); // { mail: true, to: 'ADMINS' }
 */
export function mailBySettings(config: MailSettings, verdict: Verdict): MailDecision {
  if (config.debug) return skip({ code: 'debug' });
  if (verdict.kind === 'none') return skip({ code: 'not-an-error' });
  if (verdict.kind === 'server-error') {
    return config.admins.length === 0 ? skip({ code: 'no-admins' }) : TO_ADMINS;
  }
  if (!config.sendBrokenLinkEmails) return skip({ code: 'broken-links-off' });
  if (config.managers.length === 0) return skip({ code: 'no-managers' });
  return TO_MANAGERS;
}

/**
 * A decision not to mail, for `reason`.
 * @example
 * skip({ code: 'debug' }); // { mail: false, reason: { code: 'debug' } }
 */
export function skip(reason: SkipReason): MailDecision {
  return { mail: false, reason };
}
