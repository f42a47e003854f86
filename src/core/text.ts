/**
 * Small text helpers shared by the report builder and the renderers.
 */

// C0 controls, DEL, C1 controls and the two Unicode line separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\\]/g;

/**
 * Escapes what must never appear raw in a mail header or a log line: CR and
 * LF become `\r` and `\n`, tab `\t`, other control characters `\xNN` (or
 * `\uNNNN`), and a backslash is doubled so the escapes stay unambiguous.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (ch) => {
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

/** Cuts `text` to `max` characters, saying how many characters were left out. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}... ${formatCount(text.length - max)} more characters not shown`;
}

/** Python-like `repr` of a string, as Django's report writes values: `'value'`. */
export function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\r/g, '\\r').replace(/\n/g, '\\n')}'`;
}
