/**
 * Scrubbing: a value whose name looks sensitive is replaced by
 * {@link CLEANSED_SUBSTITUTE} (the name stays visible), and text that looks
 * like a secret is replaced wherever it appears.
 */

/** Django's `cleansed_substitute`: exactly 20 asterisks. */
export const CLEANSED_SUBSTITUTE = '********************';

// Django's `hidden_settings` (searched, any case) plus the names our design adds.
const SENSITIVE_NAME = /API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|COOKIE|SESSION|CREDENTIAL|CSRF|JWT|BEARER/i;

// Hidden whatever the patterns say, so that no configuration can expose them.
const ALWAYS_HIDDEN = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-amz-security-token',
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
]);

// Session cookies whose names the pattern above misses: PHPSESSID, connect.sid, sid...
const SESSION_COOKIE = /sess|(?:^|[._-])sid$/i;

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

/** Replaces every secret recognised by its shape (see {@link SHAPES}). */
export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SHAPES) out = out.replace(pattern, replacement);
  return out;
}

/** decodeURIComponent that returns its input when the input is not valid percent-encoding. */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Query or form parameters as decoded name/value pairs (`+` is a space). */
export function parseParameters(text: string): (readonly [string, string])[] {
  if (text === '') return [];
  return text
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      const value = eq === -1 ? '' : pair.slice(eq + 1);
      return [safeDecode(name.replace(/\+/g, ' ')), safeDecode(value.replace(/\+/g, ' '))] as const;
    });
}

const MAX_JSON_DEPTH = 64;
// name=value pairs joined by &, with nothing else: a form, whatever its declared type.
const FORM_SHAPED = /^[^\s=&]+=[^\s&]*(?:&[^\s=&]+=[^\s&]*)*$/;
// A JSON member whose value is a scalar, for bodies cut at the cap and no longer parseable.
const JSON_MEMBER = /("(?:[^"\\]|\\.)*")(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)/g;

/**
 * Name-based scrubbing with the built-in names plus the user's
 * (`ERROR_MAIL_SENSITIVE_NAMES`). One is made per wrapped handler.
 */
export interface Scrubber {
  /** True when a header, parameter, field or variable name must not show its value. */
  isSensitiveName(name: string): boolean;
  /** The value to show for a header, parameter or variable: itself, or the substitute. */
  value(name: string, value: string): string;
  /** The value to show for a cookie: session cookies are hidden too. */
  cookie(name: string, value: string): string;
  /** A raw query string with sensitive values hidden, keeping the original encoding. */
  query(query: string): string;
  /** A request body for display: JSON key by key at any depth, form bodies field by field. */
  body(text: string, contentType: string | undefined, complete: boolean): string;
  /** Any value as indented JSON, sensitive members hidden, JSON held in strings scrubbed too. */
  json(value: unknown): string;
}

/** Creates a {@link Scrubber} that also hides the names `extra` matches. */
export function createScrubber(extra: readonly RegExp[] = []): Scrubber {
  const isSensitiveName = (name: string): boolean =>
    ALWAYS_HIDDEN.has(name.toLowerCase()) ||
    SENSITIVE_NAME.test(name) ||
    extra.some((pattern) => pattern.test(name));

  const query = (raw: string): string => {
    if (raw === '') return raw;
    return raw
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq === -1) return pair;
        const name = safeDecode(pair.slice(0, eq).replace(/\+/g, ' '));
        return isSensitiveName(name) ? `${pair.slice(0, eq)}=${CLEANSED_SUBSTITUTE}` : pair;
      })
      .join('&');
  };

  const scrubJson = (value: unknown, depth: number): unknown => {
    // A JSON document in a string (an SQS body, an SNS message) is scrubbed as JSON too.
    if (typeof value === 'string' && /^\s*[{[]/.test(value) && depth < MAX_JSON_DEPTH) {
      try {
        return JSON.stringify(scrubJson(JSON.parse(value), depth + 1));
      } catch {
        return value;
      }
    }
    if (typeof value !== 'object' || value === null) return value;
    if (depth >= MAX_JSON_DEPTH) return '[nested too deep]';
    if (Array.isArray(value)) return value.map((item) => scrubJson(item, depth + 1));
    // No prototype: a member named __proto__ stays a member instead of becoming the prototype.
    const out: Record<string, unknown> = Object.create(null);
    for (const [key, item] of Object.entries(value)) {
      out[key] = isSensitiveName(key) ? CLEANSED_SUBSTITUTE : scrubJson(item, depth + 1);
    }
    return out;
  };

  return {
    isSensitiveName,
    value: (name, value) => (isSensitiveName(name) ? CLEANSED_SUBSTITUTE : value),
    cookie: (name, value) =>
      isSensitiveName(name) || SESSION_COOKIE.test(name) ? CLEANSED_SUBSTITUTE : value,
    query,
    json(value) {
      const seen = new WeakSet<object>();
      try {
        // Cycles and BigInts are written as markers, not thrown.
        const plain = JSON.parse(
          JSON.stringify(value, (_key, item: unknown) => {
            if (typeof item === 'bigint') return `${item}n`;
            if (typeof item === 'object' && item !== null) {
              if (seen.has(item)) return '[circular]';
              seen.add(item);
            }
            return item;
          }) ?? 'null',
        );
        return JSON.stringify(scrubJson(plain, 0), null, 2);
      } catch {
        return '[not serialisable]';
      }
    },
    body(text, contentType, complete) {
      const type = (contentType ?? '').toLowerCase();
      const startsLikeJson = /^\s*[{[]/.test(text);
      const looksJson = type.includes('json') || startsLikeJson;
      if (looksJson && complete) {
        try {
          return JSON.stringify(scrubJson(JSON.parse(text), 0), null, 2);
        } catch {
          // Not JSON after all (or nested past the engine's limit): scrubbed as text below.
        }
      }
      // Clients often send forms without a content type: judge by the shape too, unless it looks like JSON.
      if (type.includes('application/x-www-form-urlencoded') || (!startsLikeJson && FORM_SHAPED.test(text))) {
        return query(text);
      }
      if (looksJson) {
        // A JSON body cut at the cap (or not quite JSON): hide the scalar values of sensitive members.
        return text.replace(JSON_MEMBER, (member, key: string, colon: string) => {
          let name: string;
          try {
            name = JSON.parse(key) as string;
          } catch {
            name = key.slice(1, -1);
          }
          return isSensitiveName(name) ? `${key}${colon}"${CLEANSED_SUBSTITUTE}"` : member;
        });
      }
      return text;
    },
  };
}

/** Parses `ERROR_MAIL_SENSITIVE_NAMES` entries: `/regex/flags`, or a name searched in any case. */
export function sensitiveNamePattern(entry: string): RegExp {
  const literal = /^\/(.+)\/([a-z]*)$/s.exec(entry);
  if (literal) {
    return new RegExp(literal[1] as string, (literal[2] as string).replace(/[gy]/g, ''));
  }
  return new RegExp(entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
}
