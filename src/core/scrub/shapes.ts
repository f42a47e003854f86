import { CLEANSED_SUBSTITUTE } from './names.js';

/**
 * Secrets recognised by their shape, in the order they are replaced:
 * - a JWT: `eyJ` (a base64url JSON header), then two more base64url segments;
 * - an HTTP `Bearer` or `Basic` credential: the scheme stays, the credential goes;
 * - an AWS access key id: `AKIA` or `ASIA` and 16 capitals or digits;
 * - the password of a `scheme://user:password@host` URL or connection string.
 */
const SHAPES: readonly (readonly [RegExp, string])[] = [
  // No word boundary before a token or key id: `token=eyJ...` and `keyAKIA...` are hidden alike. A
  // token starts where a base64url run starts: `eyJeyJeyJ...` is tried once, not at every `eyJ` (which
  // made text built of them take quadratic time).
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g, CLEANSED_SUBSTITUTE],
  [/\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/-]+=*/gi, `$1$2${CLEANSED_SUBSTITUTE}`],
  [/(?:AKIA|ASIA)[A-Z0-9]{16}/g, CLEANSED_SUBSTITUTE],
  // A scheme of at most 32 characters (RFC 3986 sets none; real ones are short): a long run of
  // `a.a.a.` is not tried as a scheme from each of its letters.
  [/\b([a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${CLEANSED_SUBSTITUTE}@`],
];

/** Replaces every secret recognised by its shape (see {@link SHAPES}), wherever it appears. */
export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SHAPES) out = out.replace(pattern, replacement);
  return out;
}
