import type { Config } from '../config.js';
import { renderServerErrorHtml } from './render-html.js';
import { renderBrokenLinkText, renderServerErrorText } from './render-text.js';
import type { Report } from './report.js';

/**
 * One message, ready for a transport: one To list, everyone sees everyone (as Django sends it).
 * @example
 * const transport: Transport = { async send(mail) { await myMailer.send(mail.to, mail.subject, mail.text) } };
 */
export interface Mail {
  readonly from: string;
  readonly to: readonly string[];
  /** Never holds CR or LF: built from escaped parts only. */
  readonly subject: string;
  readonly text: string;
  /** The HTML alternative; server-error mail has one, broken-link mail does not. */
  readonly html: string | undefined;
}

/** Turns a report into the mail that goes to ADMINS or MANAGERS. */
export function renderMail(config: Config, report: Report): Mail {
  if (report.kind === 'broken-link') {
    return {
      from: config.serverEmail,
      to: config.managers,
      subject: report.subject,
      text: renderBrokenLinkText(report),
      html: undefined,
    };
  }
  return {
    from: config.serverEmail,
    to: config.admins,
    subject: report.subject,
    text: renderServerErrorText(report),
    html: renderServerErrorHtml(report),
  };
}
