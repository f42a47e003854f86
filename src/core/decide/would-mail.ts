import type { Config } from '../../config/load.js';
import type { RequestInfo } from '../input/request.js';
import type { Verdict } from './classify.js';
import { ignorable404Reason } from './ignorable-404.js';
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
 * Would an outcome of this verdict be mailed, and if not, why: the one place that answers it, for
 * the pipeline, the timeout watch and check-config. With `scope`, the answer is for one invocation,
 * whose HTTP request (undefined for any other event) the 404 ignore rules read; without it, for the
 * settings alone, as check-config asks.
 * @example
 * wouldMail(config, classify(outcome), { request: readRequest(event) });
 */
export function wouldMail(
  config: MailSettings,
  verdict: Verdict,
  scope?: { readonly request: RequestInfo | undefined },
): MailDecision {
  if (config.debug) return skip({ code: 'debug' });
  if (verdict.kind === 'none') return skip({ code: 'not-an-error' });
  if (verdict.kind === 'server-error') {
    return config.admins.length === 0 ? skip({ code: 'no-admins' }) : TO_ADMINS;
  }
  if (!config.sendBrokenLinkEmails) return skip({ code: 'broken-links-off' });
  if (config.managers.length === 0) return skip({ code: 'no-managers' });
  if (scope === undefined) return TO_MANAGERS;
  if (scope.request === undefined) return skip({ code: 'not-http' });
  const rule = ignorable404Reason(config, scope.request);
  return rule === undefined ? TO_MANAGERS : skip({ code: 'ignorable-404', rule });
}

function skip(reason: SkipReason): MailDecision {
  return { mail: false, reason };
}
