/**
 * Small text helpers shared by the report builder and the renderers.
 */

// C0 controls, DEL, C1 controls, the two Unicode line separators, and the backslash itself.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\\]/g;
const CONTROL_ONLY = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Escapes what must never appear raw in a mail header or a log line: CR and
 * LF become `\r` and `\n`, tab `\t` (as Python's `unicode_escape` writes
 * them for Django), other control characters `\xNN` (or `\uNNNN`), and a
 * backslash is doubled so the escapes stay unambiguous. With `backslash`
 * false the backslash is left alone, for text that is escaped already.
 */
export function escapeControl(text: string, backslash = true): string {
  return text.replace(backslash ? CONTROL : CONTROL_ONLY, (ch) => {
    switch (ch) {
      case '\r':
        return '\\r';
      case '\n':
        return '\\n';
      case '\t':
        return '\\t';
      case '\\':
        return '\\\\';
      default: {
        const code = ch.charCodeAt(0);
        return code <= 0xff
          ? `\\x${code.toString(16).padStart(2, '0')}`
          : `\\u${code.toString(16).padStart(4, '0')}`;
      }
    }
  });
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
