import type { Config } from '../../config/load.js';
import type { Report } from '../report/types.js';
import { scrubText } from '../scrub/shapes.js';
import { escapeControl } from '../text.js';
import { renderServerErrorHtml } from './html.js';
import { renderBrokenLinkText, renderServerErrorText } from './text.js';

/**
 * One message, ready for a transport: one To list, everyone sees everyone (as Django sends it).
 * @example
 * const transport: Transport = { async send(mail) { await myMailer.send(mail.to, mail.subject, mail.text) } };
 */
export interface Mail {
  readonly from: string;
  readonly to: readonly string[];
  /** Never holds a control character: built from escaped parts only. */
  readonly subject: string;
  readonly text: string;
  /** The HTML alternative; server-error mail has one, broken-link mail does not. */
  readonly html: string | undefined;
  /** `Message-ID`, unique per mail; the transport makes one when absent. */
  readonly messageId?: string | undefined;
  /** Sent as `References` and `In-Reply-To`: one id per fingerprint, so mail clients thread repeats. */
  readonly references?: string | undefined;
}

/**
 * The subject a report's mail carries: escaped again and scrubbed by shape, whatever the report holds.
 * @example
 * mailSubject(report); // '[shop] ERROR (EXTERNAL IP): Internal Server Error: /orders'
 */
export function mailSubject(report: Report): string {
  return scrubText(escapeControl(report.subject, false));
}

/**
 * Turns a report into the mail that goes to ADMINS or MANAGERS. Whatever the
 * report holds (a `beforeSend` hook may have edited it), the subject is
 * escaped again and every part goes through the shape-based scrubbing.
 */
export function renderMail(config: Config, report: Report): Mail {
  const broken = report.kind === 'broken-link';
  return {
    from: config.serverEmail,
    to: broken ? config.managers : config.admins,
    subject: mailSubject(report),
    text: scrubText(broken ? renderBrokenLinkText(report) : renderServerErrorText(report)),
    html: broken ? undefined : scrubText(renderServerErrorHtml(report)),
  };
}
