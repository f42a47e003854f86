import type { Report } from '../core/report/types.js';
import { describeFailure } from './describe-failure.js';

/**
 * Sees every report before it is rendered and sent: return it (edited or not)
 * to send it, or `null`/`undefined`/`false` to send nothing. A hook that
 * throws sends nothing either, and the failure is logged. It runs within the
 * send's time budget.
 * @example
 * const beforeSend: BeforeSend = (report) => (report.kind === 'broken-link' && report.userAgent.includes('bot') ? null : report);
 */
export type BeforeSend = (
  report: Report,
) => Report | null | undefined | false | Promise<Report | null | undefined | false>;

/** The report `beforeSend` returned, or `undefined` when it dropped the mail. Rethrows as a labelled error. */
export async function callBeforeSend(hook: BeforeSend, report: Report): Promise<Report | undefined> {
  let edited: Report | null | undefined | false;
  try {
    edited = await hook(report);
  } catch (error) {
    throw new Error(`beforeSend threw, so nothing was sent: ${describeFailure(error)}`);
  }
  if (typeof edited !== 'object' || edited === null) return undefined;
  if (edited.kind !== 'server-error' && edited.kind !== 'broken-link') {
    throw new Error('beforeSend returned something that is not a report, so nothing was sent');
  }
  return edited;
}
