import type { Config } from '../../config/load.js';
import { cutBytes } from '../input/request.js';
import type { Report } from '../report/server-error.js';
import { scrubText } from '../scrub/shapes.js';
import { escapeControl, formatCount } from '../text.js';
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
 * Turns a report into the mail that goes to ADMINS or MANAGERS. Whatever the
 * report holds (a `beforeSend` hook may have edited it), the subject is
 * escaped again and every part goes through the shape-based scrubbing.
 */
export function renderMail(config: Config, report: Report): Mail {
  const broken = report.kind === 'broken-link';
  return {
    from: config.serverEmail,
    to: broken ? config.managers : config.admins,
    subject: scrubText(escapeControl(report.subject, false)),
    text: scrubText(broken ? renderBrokenLinkText(report) : renderServerErrorText(report)),
    html: broken ? undefined : scrubText(renderServerErrorHtml(report)),
  };
}

// The transports encode both parts in base64: 57 bytes become a 76-character line and CRLF.
const BASE64_LINE_BYTES = 57;
const BASE64_LINE_CHARS = 78;
// Top-level headers, MIME boundaries and part headers, generously counted.
const MIME_OVERHEAD = 2048;

function base64Size(bytes: number): number {
  return Math.ceil(bytes / BASE64_LINE_BYTES) * BASE64_LINE_CHARS;
}

/** An upper bound of the size of the composed MIME message, in bytes. */
export function estimateMimeBytes(mail: Mail): number {
  // Non-ASCII header text is sent as base64 encoded-words, about 4/3 of its bytes plus markers.
  const headers =
    Buffer.byteLength(mail.subject) * 2 + mail.to.reduce((n, a) => n + Buffer.byteLength(a) * 2, 0);
  const html = mail.html === undefined ? 0 : base64Size(Buffer.byteLength(mail.html));
  return (
    MIME_OVERHEAD +
    headers +
    Buffer.byteLength(mail.from) * 2 +
    base64Size(Buffer.byteLength(mail.text)) +
    html
  );
}

/**
 * The last resort when a mail is still over `maxBytes` after the report was
 * shrunk (or a `beforeSend` hook made it bigger): leave out the HTML part,
 * then cut the text, saying so in the text.
 */
export function enforceMaxBytes(mail: Mail, maxBytes: number): Mail {
  if (estimateMimeBytes(mail) <= maxBytes) return mail;
  const note =
    `\n(The HTML part was left out and this text may be cut: the report was over ERROR_MAIL_MAX_BYTES,` +
    ` ${formatCount(maxBytes)} bytes.)\n`;
  const withoutHtml: Mail = { ...mail, html: undefined, text: mail.text + note };
  if (estimateMimeBytes(withoutHtml) <= maxBytes) return withoutHtml;
  const spare = maxBytes - estimateMimeBytes({ ...withoutHtml, text: '' });
  const textBytes = Math.floor(spare / BASE64_LINE_CHARS) * BASE64_LINE_BYTES - Buffer.byteLength(note) - 64;
  const kept = cutBytes(mail.text, Math.max(0, textBytes));
  const omitted = Buffer.byteLength(mail.text) - Buffer.byteLength(kept);
  return { ...withoutHtml, text: `${kept}\n... ${formatCount(omitted)} more bytes not shown${note}` };
}
