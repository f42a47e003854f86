import type { Config } from '../../config/load.js';
import { cutBytes } from '../input/request.js';
import { DEFAULT_LIMITS, type Limits, scaleLimits } from '../report/limits.js';
import type { Report } from '../report/types.js';
import { formatCount } from '../text.js';
import { type Mail, renderMail } from './mail.js';

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

/** The extra headers a fitted mail carries (threading), and what the report learns from flood control. */
export interface FitExtras {
  readonly headers: Pick<Mail, 'messageId' | 'references'>;
  readonly patch: Pick<Report, 'repeats' | 'mailsBefore'>;
}

/**
 * Builds the report and renders it; while the mail is over `ERROR_MAIL_MAX_BYTES`, rebuilds it with
 * every cap halved, down to 1/64 of the defaults. What is still over is cut later by
 * {@link enforceMaxBytes}, after a `beforeSend` hook had its say.
 * @example
 * const { report, mail } = fitReport(config, (limits) => buildBrokenLinkReport({ ...inputs, limits }, request), extras);
 */
export function fitReport(
  config: Config,
  build: (limits: Limits) => Report,
  extras: FitExtras,
): { readonly report: Report; readonly mail: Mail } {
  let report: Report = { ...build(DEFAULT_LIMITS), ...extras.patch };
  let mail: Mail = { ...renderMail(config, report), ...extras.headers };
  for (let factor = 0.5; estimateMimeBytes(mail) > config.maxBytes && factor >= 1 / 64; factor /= 2) {
    report = { ...build(scaleLimits(DEFAULT_LIMITS, factor)), ...extras.patch };
    mail = { ...renderMail(config, report), ...extras.headers };
  }
  return { report, mail };
}
