import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeControl, unicodeEscape, unicodeEscapeLine } from '../../../src/core/text.js';

// Reads unicode_escape output back, to show that nothing is lost.
function readEscapes(text: string): string {
  return text.replace(/\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|[\\tnr])/g, (_, code: string) => {
    if (code === '\\') return '\\';
    if (code === 't') return '\t';
    if (code === 'n') return '\n';
    if (code === 'r') return '\r';
    return String.fromCodePoint(Number.parseInt(code.slice(1), 16));
  });
}

describe('unicodeEscape', () => {
  it("writes what Python's unicode_escape writes", () => {
    expect(unicodeEscape('/café')).toBe('/caf\\xe9');
    expect(unicodeEscape('/€/😀')).toBe('/\\u20ac/\\U0001f600');
    expect(unicodeEscape('a\\b "q" \'s\'')).toBe('a\\\\b "q" \'s\'');
    expect(unicodeEscape('\t\n\r\u001b\u007f\u0085')).toBe('\\t\\n\\r\\x1b\\x7f\\x85');
    expect(unicodeEscape('\u202eevil\u2066\u200b\ufeff')).toBe('\\u202eevil\\u2066\\u200b\\ufeff');
  });

  it('lets no control, bidi, invisible or other non-ASCII character through, and loses nothing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), (a, b) => {
        const escaped = unicodeEscape(a + b);

        expect(escaped).toMatch(/^[\u0020-\u007e]*$/);
        expect(readEscapes(escaped)).toBe(a + b);
      }),
    );
  });
});

describe('unicodeEscapeLine', () => {
  it('keeps a short line whole', () => {
    expect(unicodeEscapeLine('/caf\u00e9', 300)).toBe('/caf\\xe9');
  });

  it('cuts a long line between two escapes and ends it with an ellipsis', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 400 }),
        fc.integer({ min: 10, max: 300 }),
        (text, max) => {
          const full = unicodeEscape(text);

          const line = unicodeEscapeLine(text, max);

          if (full.length <= max) {
            expect(line).toBe(full);
          } else {
            const kept = line.slice(0, -1);
            expect(line.endsWith('\u2026')).toBe(true);
            expect(kept.length).toBeLessThanOrEqual(max);
            expect(kept.length).toBeGreaterThan(max - 10);
            expect(full.startsWith(kept)).toBe(true);
            expect(unicodeEscape(readEscapes(kept))).toBe(kept);
          }
        },
      ),
    );
  });
});

describe('escapeControl', () => {
  it('escapes controls, line separators, bidi and invisible characters, and leaves other text alone', () => {
    expect(escapeControl('café\r\n\u2028\u202e\u200f\ufeff\\')).toBe(
      'café\\r\\n\\u2028\\u202e\\u200f\\ufeff\\\\',
    );
    expect(escapeControl('a\\b\u0000', false)).toBe('a\\b\\x00');
  });
});
