/**
 * Small text helpers shared by the report builder and the renderers.
 */

// C0 controls, DEL, C1 controls, the two Unicode line separators, the bidi and invisible format
// characters that can make a subject read other than it is, and the backslash itself.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\\]/g;
const CONTROL_ONLY = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Escapes what must never appear raw in a mail header or a log line: CR and
 * LF become `\r` and `\n`, tab `\t`, other control, bidi and invisible
 * characters `\xNN` or `\uNNNN` (as Python's `unicode_escape` writes them),
 * and a backslash is doubled so the escapes stay unambiguous. With
 * `backslash` false the backslash is left alone, for text that is escaped
 * already. Other text, non-ASCII included, stays as it is.
 */
export function escapeControl(text: string, backslash = true): string {
  return text.replace(backslash ? CONTROL : CONTROL_ONLY, escapeOne);
}

// Printable ASCII but the backslash: what unicode_escape writes as it is.
const PLAIN_ASCII = /^[\u0020-\u005b\u005d-\u007e]*$/;

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, '0');
}

function escapeOne(ch: string): string {
  switch (ch) {
    case '\t':
      return '\\t';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\\':
      return '\\\\';
  }
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || (code >= 0x7f && code <= 0xff)) return `\\x${hex(code, 2)}`;
  if (code <= 0xffff) return `\\u${hex(code, 4)}`;
  return `\\U${hex(code, 8)}`;
}

/**
 * Python's `text.encode('unicode_escape').decode('ascii')`, as Django's `log_response` escapes the
 * path in the log line and the subject (CVE-2025-48432): printable ASCII stays, a backslash is
 * doubled, tab, LF and CR become `\t`, `\n`, `\r`, everything else `\xNN`, `\uNNNN` or
 * `\UNNNNNNNN`. No control, bidi, invisible or other non-ASCII character survives.
 * @example
 * unicodeEscape('/café/€/😀/a\\b'); // '/caf\\xe9/\\u20ac/\\U0001f600/a\\\\b'
 */
export function unicodeEscape(text: string): string {
  if (PLAIN_ASCII.test(text)) return text;
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    out += code >= 0x20 && code < 0x7f && ch !== '\\' ? ch : escapeOne(ch);
  }
  return out;
}

/**
 * {@link unicodeEscape}, kept to `max` characters for a subject: a longer result is cut between two
 * escapes, never inside one, and ends with an ellipsis.
 * @example
 * unicodeEscapeLine('/caf\u00e9'.repeat(100), 300); // 300 characters or a few less, then '\u2026'
 */
export function unicodeEscapeLine(text: string, max: number): string {
  const escaped = unicodeEscape(text);
  if (escaped.length <= max) return escaped;
  let kept = '';
  for (const ch of text) {
    const piece = unicodeEscape(ch);
    if (kept.length + piece.length > max) break;
    kept += piece;
  }
  return `${kept}\u2026`;
}

/** `5242880` -> `5,242,880`, whatever the locale of the container. */
export function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A label for a cut body: `... 5,242,880 more bytes not shown`. */
export function omittedBytesLabel(bytes: number): string {
  return `... ${formatCount(bytes)} more bytes not shown`;
}

/** Python-like `repr` of a string, as Django's report writes values: `'value'`. */
export function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\r/g, '\\r').replace(/\n/g, '\\n')}'`;
}
