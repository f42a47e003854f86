import { capChars } from '../core/report/limits.js';
import { sensitiveNamePattern } from '../core/scrub/names.js';
import { createScrubber, type Scrubber } from '../core/scrub/scrubber.js';
import { scrubText } from '../core/scrub/shapes.js';
import { ConfigError, type ConfigProblem } from './error.js';
import { isAddress, isIpAddress, parseBoolean, parseList } from './values.js';

// The unit tests of isIpAddress import it from here.
export { isIpAddress } from './values.js';

/**
 * The mail backends that `EMAIL_BACKEND` selects.
 * @example
 * loadConfig({ EMAIL_BACKEND: 'console' }).emailBackend; // 'console'
 */
export type EmailBackend = 'ses' | 'smtp' | 'console';

/**
 * SMTP settings, as Django names them (`EMAIL_HOST`, `EMAIL_PORT`...).
 * @example
 * loadConfig({ EMAIL_HOST: 'smtp.example.com', EMAIL_PORT: '587', EMAIL_USE_TLS: 'true' }).smtp;
 */
export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly useTls: boolean;
  readonly useSsl: boolean;
  /** Seconds; `undefined` leaves the client's own timeout. */
  readonly timeoutSeconds: number | undefined;
}

/**
 * The validated, frozen settings of one container. Built by {@link loadConfig}.
 * @example
 * const { admins, debug } = loadConfig();
 */
export interface Config {
  /** `ADMINS`: who gets server-error mail. Empty: no error mail. */
  readonly admins: readonly string[];
  /** `MANAGERS`: who gets broken-link mail. Never falls back to `admins`. */
  readonly managers: readonly string[];
  /** `SERVER_EMAIL`: the From address. */
  readonly serverEmail: string;
  /** `EMAIL_SUBJECT_PREFIX`: joined to every subject with no separator. */
  readonly subjectPrefix: string;
  /** `DEBUG`: when true nothing is sent. */
  readonly debug: boolean;
  /** `SEND_BROKEN_LINK_EMAILS`: report 404s that have a Referer. */
  readonly sendBrokenLinkEmails: boolean;
  /** `IGNORABLE_404_STARTS`: path prefixes never reported. */
  readonly ignorable404Starts: readonly string[];
  /** `IGNORABLE_404_ENDS`: path suffixes never reported. */
  readonly ignorable404Ends: readonly string[];
  /** `IGNORABLE_404_URLS`: regexes searched in path + query. */
  readonly ignorable404Urls: readonly RegExp[];
  /** `APPEND_SLASH`: Django's trailing-slash redirect rule of the 404 ignore list. */
  readonly appendSlash: boolean;
  /** `INTERNAL_IPS`: client IPs shown as `internal` in subjects. */
  readonly internalIps: readonly string[];
  /** `ERROR_MAIL_SENSITIVE_NAMES`: more names whose values are hidden, beside the built-in ones. */
  readonly sensitiveNames: readonly RegExp[];
  /** `ERROR_MAIL_MAX_BYTES`: the most one mail may weigh, MIME encoding included. */
  readonly maxBytes: number;
  /** `ERROR_MAIL_THROTTLE_SECONDS`: repeats of one fingerprint within this window are counted, not mailed; 0: off. */
  readonly throttleSeconds: number;
  /** `ERROR_MAIL_MAX_PER_MINUTE`: most mails per container per rolling minute; 0: no cap. */
  readonly maxPerMinute: number;
  /** `ERROR_MAIL_SEND_BUDGET_MS`: the longest a send may take, retries included. */
  readonly sendBudgetMs: number;
  /** `ERROR_MAIL_TIMEOUT_WARNING_MS`: mail a possible timeout this long before the deadline; 0: off. */
  readonly timeoutWarningMs: number;
  /** `ERROR_MAIL_DEDUPE_TABLE`: a DynamoDB table that decides which container mails; undefined: per container. */
  readonly dedupeTable: string | undefined;
  /** `EMAIL_BACKEND`. */
  readonly emailBackend: EmailBackend;
  /** The `EMAIL_*` SMTP settings, used when `emailBackend` is `smtp`. */
  readonly smtp: SmtpConfig;
  /** `AWS_LAMBDA_FUNCTION_NAME`, when the runtime set it. */
  readonly functionName: string | undefined;
  /** `AWS_REGION`, when set: used for the CloudWatch Logs link. */
  readonly region: string | undefined;
  /** The environment at cold start as shown in the report's settings section, sorted, scrubbed (on first read). */
  readonly environment: readonly (readonly [name: string, value: string])[];
  /** Reads `_X_AMZN_TRACE_ID`, which the runtime sets anew for every invocation. */
  readonly traceId: () => string | undefined;
  /** Things worth one line in the cold-start log (a non-boolean `DEBUG`, a default `SERVER_EMAIL`). */
  readonly notes: readonly string[];
}

/**
 * Settings given in code. Each one overrides the environment variable named
 * beside it; the merged result is validated like the environment.
 * @example
 * loadConfig(process.env, { debug: false, ignorable404Urls: [/\.env$/] });
 */
export interface ConfigOverrides {
  /** Overrides `ADMINS`. */
  readonly admins?: readonly string[];
  /** Overrides `MANAGERS`. */
  readonly managers?: readonly string[];
  /** Overrides `SERVER_EMAIL`. */
  readonly serverEmail?: string;
  /** Overrides `EMAIL_SUBJECT_PREFIX`. */
  readonly subjectPrefix?: string;
  /** Overrides `DEBUG`. */
  readonly debug?: boolean;
  /** Overrides `SEND_BROKEN_LINK_EMAILS`. */
  readonly sendBrokenLinkEmails?: boolean;
  /** Overrides `IGNORABLE_404_STARTS`. */
  readonly ignorable404Starts?: readonly string[];
  /** Overrides `IGNORABLE_404_ENDS`. */
  readonly ignorable404Ends?: readonly string[];
  /** Overrides `IGNORABLE_404_URLS`; strings are compiled as regexes. */
  readonly ignorable404Urls?: readonly (string | RegExp)[];
  /** Overrides `APPEND_SLASH`. */
  readonly appendSlash?: boolean;
  /** Overrides `INTERNAL_IPS`. */
  readonly internalIps?: readonly string[];
  /** Overrides `ERROR_MAIL_SENSITIVE_NAMES`; a string is a name searched in any case, a RegExp is tested. */
  readonly sensitiveNames?: readonly (string | RegExp)[];
  /** Overrides `ERROR_MAIL_MAX_BYTES`. */
  readonly maxBytes?: number;
  /** Overrides `ERROR_MAIL_THROTTLE_SECONDS`. */
  readonly throttleSeconds?: number;
  /** Overrides `ERROR_MAIL_MAX_PER_MINUTE`. */
  readonly maxPerMinute?: number;
  /** Overrides `ERROR_MAIL_SEND_BUDGET_MS`. */
  readonly sendBudgetMs?: number;
  /** Overrides `ERROR_MAIL_TIMEOUT_WARNING_MS`. */
  readonly timeoutWarningMs?: number;
  /** Overrides `ERROR_MAIL_DEDUPE_TABLE`. */
  readonly dedupeTable?: string;
  /** Overrides `EMAIL_BACKEND`. */
  readonly emailBackend?: EmailBackend;
}

const DEFAULT_IGNORABLE_404_STARTS = ['/cgi-bin/', '/_vti_bin', '/_vti_inf'];
const DEFAULT_IGNORABLE_404_ENDS = [
  'mail.pl',
  'mailform.pl',
  'mail.cgi',
  'mailform.cgi',
  'favicon.ico',
  '.php',
];
const DEFAULT_SERVER_EMAIL = 'root@localhost';
const BACKENDS: readonly EmailBackend[] = ['ses', 'smtp', 'console'];
/** Default of `ERROR_MAIL_MAX_BYTES`: far below SES's 10 MB, small enough for any inbox. */
export const DEFAULT_MAX_BYTES = 256 * 1024;
const MIN_MAX_BYTES = 16 * 1024;
// SES v1 (SendRawEmail) accepts at most 10 MB per message.
const SES_MAX_BYTES = 10 * 1024 * 1024;
// Values of these variables are never echoed back, not even in a ConfigError.
const SECRET_VARIABLES = new Set(['EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD']);
const MAX_ENVIRONMENT_VALUE = 1000;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates every setting from an environment record (by default
 * `process.env`), applies `overrides`, and returns a frozen {@link Config}.
 *
 * @throws {ConfigError} listing every invalid variable, its value and what is expected.
 * @example
 * const config = loadConfig({ ADMINS: 'ops@example.com', SERVER_EMAIL: 'errors@example.com' });
 */
export function loadConfig(env: Env = process.env, overrides: ConfigOverrides = {}): Config {
  const problems: ConfigProblem[] = [];
  const notes: string[] = [];
  const reader = new EnvReader(env, problems);

  const admins = overrides.admins ?? reader.list('ADMINS', []);
  const managers = overrides.managers ?? reader.list('MANAGERS', []);
  const serverEmail = overrides.serverEmail ?? reader.string('SERVER_EMAIL', DEFAULT_SERVER_EMAIL);
  const functionName = nonEmpty(env.AWS_LAMBDA_FUNCTION_NAME);
  const subjectPrefix =
    overrides.subjectPrefix ??
    reader.string('EMAIL_SUBJECT_PREFIX', functionName ? `[${functionName}] ` : '[Lambda] ');
  const debug = overrides.debug ?? readDebug(env, notes);
  const sendBrokenLinkEmails =
    overrides.sendBrokenLinkEmails ?? reader.bool('SEND_BROKEN_LINK_EMAILS', false);
  const ignorable404Starts =
    overrides.ignorable404Starts ?? reader.list('IGNORABLE_404_STARTS', DEFAULT_IGNORABLE_404_STARTS);
  const ignorable404Ends =
    overrides.ignorable404Ends ?? reader.list('IGNORABLE_404_ENDS', DEFAULT_IGNORABLE_404_ENDS);
  const ignorable404UrlSources = overrides.ignorable404Urls ?? reader.list('IGNORABLE_404_URLS', []);
  const appendSlash = overrides.appendSlash ?? reader.bool('APPEND_SLASH', true);
  const internalIps = overrides.internalIps ?? reader.list('INTERNAL_IPS', []);
  const sensitiveNameSources = overrides.sensitiveNames ?? reader.list('ERROR_MAIL_SENSITIVE_NAMES', []);
  const maxBytes =
    overrides.maxBytes ??
    reader.integer('ERROR_MAIL_MAX_BYTES', DEFAULT_MAX_BYTES, MIN_MAX_BYTES, SES_MAX_BYTES);
  const throttleSeconds =
    overrides.throttleSeconds ?? reader.integer('ERROR_MAIL_THROTTLE_SECONDS', 300, 0, 86_400);
  const maxPerMinute = overrides.maxPerMinute ?? reader.integer('ERROR_MAIL_MAX_PER_MINUTE', 10, 0, 10_000);
  const sendBudgetMs =
    overrides.sendBudgetMs ?? reader.integer('ERROR_MAIL_SEND_BUDGET_MS', 2000, 50, 900_000);
  const dedupeTable = nonEmpty(overrides.dedupeTable ?? reader.string('ERROR_MAIL_DEDUPE_TABLE', ''));
  const timeoutWarningMs =
    overrides.timeoutWarningMs ?? reader.integer('ERROR_MAIL_TIMEOUT_WARNING_MS', 500, 0, 900_000);
  const emailHost = reader.string('EMAIL_HOST', '');
  const emailBackend =
    overrides.emailBackend ??
    (reader.string('EMAIL_BACKEND', emailHost === '' ? 'ses' : 'smtp') as EmailBackend);

  const smtp: SmtpConfig = {
    host: emailHost === '' ? 'localhost' : emailHost,
    port: reader.integer('EMAIL_PORT', 25, 1, 65535),
    user: reader.string('EMAIL_HOST_USER', ''),
    password: reader.string('EMAIL_HOST_PASSWORD', ''),
    useTls: reader.bool('EMAIL_USE_TLS', false),
    useSsl: reader.bool('EMAIL_USE_SSL', false),
    timeoutSeconds: reader.positiveNumber('EMAIL_TIMEOUT'),
  };

  // Checks on the merged values, so that overrides are held to the same rules.
  checkAddresses('ADMINS', admins, problems);
  checkAddresses('MANAGERS', managers, problems);
  checkAddresses('SERVER_EMAIL', [serverEmail], problems);
  if (/[\u0000-\u001f\u007f]/.test(subjectPrefix)) {
    problems.push({
      variable: 'EMAIL_SUBJECT_PREFIX',
      value: show(subjectPrefix),
      expected: 'a prefix without control characters (no CR, LF or tab)',
    });
  }
  const ignorable404Urls = compileRegexes(
    'IGNORABLE_404_URLS',
    ignorable404UrlSources,
    (source) => new RegExp(source),
    'each entry a valid regular expression',
    problems,
  );
  const sensitiveNames = compileRegexes(
    'ERROR_MAIL_SENSITIVE_NAMES',
    sensitiveNameSources,
    sensitiveNamePattern,
    'each entry a name, or a regular expression written /like-this/i',
    problems,
  );
  checkRange('ERROR_MAIL_MAX_BYTES', maxBytes, MIN_MAX_BYTES, SES_MAX_BYTES, problems);
  checkRange('ERROR_MAIL_THROTTLE_SECONDS', throttleSeconds, 0, 86_400, problems);
  checkRange('ERROR_MAIL_MAX_PER_MINUTE', maxPerMinute, 0, 10_000, problems);
  checkRange('ERROR_MAIL_SEND_BUDGET_MS', sendBudgetMs, 50, 900_000, problems);
  checkRange('ERROR_MAIL_TIMEOUT_WARNING_MS', timeoutWarningMs, 0, 900_000, problems);
  if (dedupeTable !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(dedupeTable)) {
    problems.push({
      variable: 'ERROR_MAIL_DEDUPE_TABLE',
      value: show(dedupeTable),
      expected: 'a DynamoDB table name: 3 to 255 letters, digits, _, - or .',
    });
  }
  for (const ip of internalIps) {
    if (!isIpAddress(ip)) {
      problems.push({
        variable: 'INTERNAL_IPS',
        value: show(ip),
        expected: 'each entry an IPv4 or IPv6 address, compared exactly (no ranges)',
      });
    }
  }
  if (!BACKENDS.includes(emailBackend)) {
    problems.push({
      variable: 'EMAIL_BACKEND',
      value: show(emailBackend),
      expected: `one of ${BACKENDS.map((b) => `"${b}"`).join(', ')}`,
    });
  }
  if (smtp.useTls && smtp.useSsl) {
    problems.push({
      variable: 'EMAIL_USE_SSL',
      value: '"true" while `EMAIL_USE_TLS` is "true"',
      expected: 'at most one of `EMAIL_USE_TLS` and `EMAIL_USE_SSL` set to true',
    });
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const mailing = admins.length > 0 || (sendBrokenLinkEmails && managers.length > 0);
  if (mailing && !debug && nonEmpty(env.SERVER_EMAIL) === undefined && overrides.serverEmail === undefined) {
    notes.push(
      `SERVER_EMAIL is not set: mail is sent from "${DEFAULT_SERVER_EMAIL}", which SES rejects; set it to a verified address`,
    );
  }

  if (emailBackend === 'smtp' && smtp.user !== '' && !smtp.useTls && !smtp.useSsl) {
    notes.push(
      'EMAIL_HOST_USER is set but neither EMAIL_USE_TLS nor EMAIL_USE_SSL is true: the SMTP login crosses the network unencrypted',
    );
  }

  // Scrubbing every variable costs most of a cold start's settings work and is needed only by a report:
  // done on first use, from the variables as they were at cold start.
  const variables = { ...env };
  let environment: Config['environment'] | undefined;

  return Object.freeze({
    admins: Object.freeze([...admins]),
    managers: Object.freeze([...managers]),
    serverEmail,
    subjectPrefix,
    debug,
    sendBrokenLinkEmails,
    ignorable404Starts: Object.freeze([...ignorable404Starts]),
    ignorable404Ends: Object.freeze([...ignorable404Ends]),
    ignorable404Urls: Object.freeze(ignorable404Urls),
    appendSlash,
    internalIps: Object.freeze([...internalIps]),
    sensitiveNames: Object.freeze(sensitiveNames),
    maxBytes,
    throttleSeconds,
    maxPerMinute,
    sendBudgetMs,
    timeoutWarningMs,
    dedupeTable,
    emailBackend,
    smtp: Object.freeze(smtp),
    functionName,
    region: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION),
    get environment() {
      environment ??= snapshotEnvironment(variables, createScrubber(sensitiveNames));
      return environment;
    },
    traceId: () => nonEmpty(env._X_AMZN_TRACE_ID),
    notes: Object.freeze(notes),
  });
}

/** Reads typed values from the environment, recording a problem for each invalid one. */
class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: ConfigProblem[],
  ) {}

  string(name: string, fallback: string): string {
    const raw = this.env[name];
    return raw === undefined ? fallback : raw;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.env[name];
    if (raw === undefined) return fallback;
    const parsed = parseBoolean(raw);
    if (parsed === undefined) {
      this.problem(name, raw, 'true or false (also 1/0, yes/no, on/off)');
      return fallback;
    }
    return parsed;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw.trim());
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problem(name, raw, `a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  positiveNumber(name: string): number | undefined {
    const raw = this.env[name];
    if (raw === undefined || raw.trim() === '') return undefined;
    const value = Number(raw.trim());
    if (!Number.isFinite(value) || value <= 0) {
      this.problem(name, raw, 'a number of seconds greater than 0');
      return undefined;
    }
    return value;
  }

  list(name: string, fallback: readonly string[]): readonly string[] {
    const raw = this.env[name];
    if (raw === undefined) return fallback;
    const parsed = parseList(raw);
    if (parsed === undefined) {
      this.problem(name, raw, 'a comma-separated list, or a JSON array of strings');
      return [];
    }
    return parsed;
  }

  private problem(variable: string, value: string, expected: string): void {
    this.problems.push({
      variable,
      value: SECRET_VARIABLES.has(variable) ? '(value hidden)' : show(value),
      expected,
    });
  }
}

function checkAddresses(variable: string, values: readonly string[], problems: ConfigProblem[]): void {
  for (const value of values) {
    if (!isAddress(value)) {
      problems.push({
        variable,
        value: show(value),
        expected:
          'an e-mail address such as ops@example.com or "Mary Ng" <mary@example.com>, without CR or LF',
      });
    }
  }
}

/** Records a problem when an override given in code is not a whole number in range (the reader checks the environment). */
function checkRange(
  variable: string,
  value: number,
  min: number,
  max: number,
  problems: ConfigProblem[],
): void {
  if (Number.isInteger(value) && value >= min && value <= max) return;
  if (problems.some((p) => p.variable === variable)) return;
  problems.push({ variable, value: show(String(value)), expected: `a whole number from ${min} to ${max}` });
}

/**
 * Compiles a list setting of patterns: a RegExp given in code is kept (without the `g` and `y`
 * flags, which would make `test` stateful), a string goes through `parse`. Each entry that does not
 * compile is a problem of `variable`.
 */
function compileRegexes(
  variable: string,
  sources: readonly (string | RegExp)[],
  parse: (source: string) => RegExp,
  expected: string,
  problems: ConfigProblem[],
): RegExp[] {
  const compiled: RegExp[] = [];
  for (const source of sources) {
    if (source instanceof RegExp) {
      compiled.push(new RegExp(source.source, source.flags.replace(/[gy]/g, '')));
      continue;
    }
    try {
      compiled.push(parse(source));
    } catch (error) {
      problems.push({ variable, value: show(source), expected: `${expected} (${(error as Error).message})` });
    }
  }
  return compiled;
}

function readDebug(env: Env, notes: string[]): boolean {
  const raw = env.DEBUG;
  if (raw === undefined) return false;
  const parsed = parseBoolean(raw);
  if (parsed === undefined) {
    // The `debug` package uses DEBUG for its namespaces (DEBUG=express:*): not ours to reject.
    notes.push(`DEBUG=${show(raw)} is not a boolean, so DEBUG counts as false (error mail is on)`);
    return false;
  }
  return parsed;
}

function snapshotEnvironment(env: Env, scrubber: Scrubber): readonly (readonly [string, string])[] {
  const entries: (readonly [string, string])[] = [];
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (value === undefined) continue;
    const shown = scrubText(scrubber.value(name, value));
    const capped = capChars(shown, MAX_ENVIRONMENT_VALUE);
    entries.push(Object.freeze([name, capped] as const));
  }
  return Object.freeze(entries);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function show(value: string): string {
  return JSON.stringify(value);
}
