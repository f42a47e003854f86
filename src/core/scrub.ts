/**
 * Name-based scrubbing: a value whose name looks sensitive is replaced by
 * {@link CLEANSED_SUBSTITUTE}, and the name stays visible.
 */

/** Django's `cleansed_substitute`: exactly 20 asterisks. */
export const CLEANSED_SUBSTITUTE = '********************';

// Django's `hidden_settings` (searched, any case) plus the names our design adds.
const SENSITIVE_NAME = /API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|COOKIE|SESSION|CREDENTIAL|CSRF|JWT|BEARER/i;

// Hidden whatever the pattern says, so that a narrower pattern can never expose them.
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

/** True when a header, cookie, parameter or variable name must not show its value. */
export function isSensitiveName(name: string): boolean {
  return ALWAYS_HIDDEN.has(name.toLowerCase()) || SENSITIVE_NAME.test(name);
}

/** The value to show for `name`: the value itself, or the substitute. */
export function scrubValue(name: string, value: string): string {
  return isSensitiveName(name) ? CLEANSED_SUBSTITUTE : value;
}

// `scheme://user:password@host`: the password of a connection string or URL.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi;

/**
 * Hides secrets that can be recognised by their shape wherever they appear:
 * the password part of a `scheme://user:password@host` connection string.
 */
export function scrubText(text: string): string {
  return text.replace(URL_PASSWORD, `$1${CLEANSED_SUBSTITUTE}@`);
}

/**
 * Scrubs a raw query string (`a=1&token=x`) parameter by parameter, keeping
 * the original encoding of everything that is shown.
 */
export function scrubQueryString(query: string): string {
  if (query === '') return query;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      const name = safeDecode(pair.slice(0, eq).replace(/\+/g, ' '));
      return isSensitiveName(name) ? `${pair.slice(0, eq)}=${CLEANSED_SUBSTITUTE}` : pair;
    })
    .join('&');
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

/**
 * Scrubs a request body for display: JSON bodies key by key at any depth,
 * form bodies parameter by parameter, and every body by {@link scrubText}.
 */
export function scrubBody(text: string, contentType: string | undefined, complete: boolean): string {
  const type = (contentType ?? '').toLowerCase();
  if (complete && (type.includes('json') || /^\s*[{[]/.test(text))) {
    try {
      const parsed: unknown = JSON.parse(text);
      return scrubText(JSON.stringify(scrubJson(parsed, 0), null, 2));
    } catch {
      // Not JSON after all: shown as text below.
    }
  }
  if (type.includes('application/x-www-form-urlencoded')) return scrubText(scrubQueryString(text));
  return scrubText(text);
}

function scrubJson(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_JSON_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => scrubJson(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSensitiveName(key) ? CLEANSED_SUBSTITUTE : scrubJson(item, depth + 1);
  }
  return out;
}
