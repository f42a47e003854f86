import { CLEANSED_SUBSTITUTE } from './names.js';

/**
 * Secrets recognised by their shape, in the order they are replaced:
 * - a JWT: `eyJ` (a base64url JSON header), then two more base64url segments;
 * - an HTTP `Bearer` or `Basic` credential: the scheme stays, the credential goes;
 * - an AWS access key id: `AKIA` or `ASIA` and 16 capitals or digits;
 * - the password of a `scheme://user:password@host` URL or connection string.
 */
const SHAPES: readonly (readonly [RegExp, string])[] = [
  // No word boundary before a token or key id: `token=eyJ...` and `keyAKIA...` are hidden alike.
  [/eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g, CLEANSED_SUBSTITUTE],
  [/\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/-]+=*/gi, `$1$2${CLEANSED_SUBSTITUTE}`],
  [/(?:AKIA|ASIA)[A-Z0-9]{16}/g, CLEANSED_SUBSTITUTE],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${CLEANSED_SUBSTITUTE}@`],
];

/** Replaces every secret recognised by its shape (see {@link SHAPES}), wherever it appears. */
export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SHAPES) out = out.replace(pattern, replacement);
  return out;
}
