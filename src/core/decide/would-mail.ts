import type { RequestInfo } from '../input/request.js';
import type { Verdict } from './classify.js';
import { ignorable404Reason } from './ignorable-404.js';
import { type MailDecision, type MailSettings, mailBySettings, skip } from './mail-settings.js';

export type { MailDecision, MailSettings } from './mail-settings.js';

/**
 * Would an outcome of this verdict be mailed, and if not, why: the one place that answers it, for
 * the pipeline and check-config. With `scope`, the answer is for one invocation, whose HTTP request
 * (undefined for any other event) the 404 ignore rules read; without it, for the settings alone
 * ({@link mailBySettings}), as check-config asks.
 * @example
 * wouldMail(config, classify(outcome), { request: readRequest(event) });
 */
export function wouldMail(
  config: MailSettings,
  verdict: Verdict,
  scope?: { readonly request: RequestInfo | undefined },
): MailDecision {
  const bySettings = mailBySettings(config, verdict);
  if (!bySettings.mail || bySettings.to === 'ADMINS' || scope === undefined) return bySettings;
  if (scope.request === undefined) return skip({ code: 'not-http' });
  const rule = ignorable404Reason(config, scope.request);
  return rule === undefined ? bySettings : skip({ code: 'ignorable-404', rule });
}
