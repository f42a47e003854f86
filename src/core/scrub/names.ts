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

/** True when a header, parameter, field or variable name must not show its value. */
export type NameTest = (name: string) => boolean;

/** The built-in sensitive names plus the ones `extra` matches (`ERROR_MAIL_SENSITIVE_NAMES`). */
export function sensitiveNameTest(extra: readonly RegExp[]): NameTest {
  return (name) =>
    ALWAYS_HIDDEN.has(name.toLowerCase()) ||
    SENSITIVE_NAME.test(name) ||
    extra.some((pattern) => pattern.test(name));
}

/**
 * The value to show for a header, parameter or variable: itself, or the substitute when its name is sensitive.
 * @example
 * shownValue(sensitiveNameTest([]), 'API_KEY', 'abc'); // '********************'
 */
export function shownValue(isSensitiveName: NameTest, name: string, value: string): string {
  return isSensitiveName(name) ? CLEANSED_SUBSTITUTE : value;
}

/** True for a cookie whose value is hidden: a sensitive name, or a session cookie's. */
export function isSessionCookie(name: string): boolean {
  return SESSION_COOKIE.test(name);
}

/** Parses `ERROR_MAIL_SENSITIVE_NAMES` entries: `/regex/flags`, or a name searched in any case. */
export function sensitiveNamePattern(entry: string): RegExp {
  const literal = /^\/(.+)\/([a-z]*)$/s.exec(entry);
  if (literal) {
    return new RegExp(literal[1] as string, (literal[2] as string).replace(/[gy]/g, ''));
  }
  return new RegExp(entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
}
