import { sensitiveNamePattern } from '../core/scrub/names.js';
import type { Rule, SettingTable } from './setting.js';
import { isAddress, isIpAddress } from './values.js';

const ADDRESS: Rule<string> = {
  test: isAddress,
  expected: 'an e-mail address such as ops@example.com or "Mary Ng" <mary@example.com>, without CR or LF',
};

/**
 * The mail backends that `EMAIL_BACKEND` selects.
 * @example
 * EMAIL_BACKENDS.includes('smtp'); // true
 */
export const EMAIL_BACKENDS = ['ses', 'smtp', 'console'] as const;

/**
 * The mail backends that `EMAIL_BACKEND` selects.
 * @example
 * loadConfig({ EMAIL_BACKEND: 'console' }).emailBackend; // 'console'
 */
export type EmailBackend = (typeof EMAIL_BACKENDS)[number];

/**
 * Every setting, keyed by its Config field, in the order the README and check-config list them.
 * Adding a setting is adding an entry here and its text in `setting-texts.ts`.
 * @example
 * SETTINGS.maxBytes.variable; // 'ERROR_MAIL_MAX_BYTES'
 */
export const SETTINGS = {
  /** `ADMINS`: who gets server-error mail. Empty: no error mail. */
  admins: {
    kind: 'list',
    variable: 'ADMINS',
    default: [],
    each: ADDRESS,
  },
  /** `MANAGERS`: who gets broken-link mail. Never falls back to `admins`. */
  managers: {
    kind: 'list',
    variable: 'MANAGERS',
    default: [],
    each: ADDRESS,
  },
  /** `SERVER_EMAIL`: the From address. */
  serverEmail: {
    kind: 'text',
    variable: 'SERVER_EMAIL',
    default: 'root@localhost',
    rule: ADDRESS,
  },
  /** `EMAIL_SUBJECT_PREFIX`: joined to every subject with no separator. */
  subjectPrefix: {
    kind: 'text',
    variable: 'EMAIL_SUBJECT_PREFIX',
    default: (env) => (env.AWS_LAMBDA_FUNCTION_NAME ? `[${env.AWS_LAMBDA_FUNCTION_NAME}] ` : '[Lambda] '),
    rule: {
      test: (prefix) => !/[\u0000-\u001f\u007f]/.test(prefix),
      expected: 'a prefix without control characters (no CR, LF or tab)',
    },
  },
  /** `DEBUG`: when true nothing is sent. */
  debug: {
    kind: 'bool',
    variable: 'DEBUG',
    default: false,
    // The `debug` package uses DEBUG for its namespaces (DEBUG=express:*): not ours to reject.
    lenient: (shown) => `DEBUG=${shown} is not a boolean, so DEBUG counts as false (error mail is on)`,
  },
  /** `SEND_BROKEN_LINK_EMAILS`: report 404s that have a Referer. */
  sendBrokenLinkEmails: {
    kind: 'bool',
    variable: 'SEND_BROKEN_LINK_EMAILS',
    default: false,
  },
  /** `IGNORABLE_404_STARTS`: path prefixes never reported. */
  ignorable404Starts: {
    kind: 'list',
    variable: 'IGNORABLE_404_STARTS',
    default: ['/cgi-bin/', '/_vti_bin', '/_vti_inf'],
  },
  /** `IGNORABLE_404_ENDS`: path suffixes never reported. */
  ignorable404Ends: {
    kind: 'list',
    variable: 'IGNORABLE_404_ENDS',
    default: ['mail.pl', 'mailform.pl', 'mail.cgi', 'mailform.cgi', 'favicon.ico', '.php'],
  },
  /** `IGNORABLE_404_URLS`: regexes searched in path + query. In code, a string is compiled as a regex. */
  ignorable404Urls: {
    kind: 'patterns',
    variable: 'IGNORABLE_404_URLS',
    compile: (source) => new RegExp(source),
    expected: 'each entry a valid regular expression',
  },
  /** `APPEND_SLASH`: Django's trailing-slash redirect rule of the 404 ignore list. */
  appendSlash: {
    kind: 'bool',
    variable: 'APPEND_SLASH',
    default: true,
  },
  /** `INTERNAL_IPS`: client IPs shown as `internal` in subjects. */
  internalIps: {
    kind: 'list',
    variable: 'INTERNAL_IPS',
    default: [],
    each: { test: isIpAddress, expected: 'each entry an IPv4 or IPv6 address, compared exactly (no ranges)' },
    checkedLast: true,
  },
  /** `EMAIL_BACKEND`. */
  emailBackend: {
    kind: 'oneOf',
    variable: 'EMAIL_BACKEND',
    values: EMAIL_BACKENDS,
    // As Django: setting EMAIL_HOST means mail goes through it.
    default: (env) => (env.EMAIL_HOST ? 'smtp' : 'ses'),
    checkedLast: true,
  },
  /** The `EMAIL_*` SMTP settings, used when `emailBackend` is `smtp`. */
  smtp: {
    /** `EMAIL_HOST`. */
    host: {
      kind: 'text',
      envOnly: true,
      variable: 'EMAIL_HOST',
      default: 'localhost',
      emptyIsUnset: true,
    },
    /** `EMAIL_PORT`. */
    port: {
      kind: 'integer',
      envOnly: true,
      variable: 'EMAIL_PORT',
      default: 25,
      range: [1, 65535],
    },
    /** `EMAIL_HOST_USER`: the SMTP login; empty: none. */
    user: {
      kind: 'text',
      envOnly: true,
      variable: 'EMAIL_HOST_USER',
      default: '',
      secret: true,
    },
    /** `EMAIL_HOST_PASSWORD`. */
    password: {
      kind: 'text',
      envOnly: true,
      variable: 'EMAIL_HOST_PASSWORD',
      default: '',
      secret: true,
    },
    /** `EMAIL_USE_TLS`: STARTTLS, required. */
    useTls: {
      kind: 'bool',
      envOnly: true,
      variable: 'EMAIL_USE_TLS',
      default: false,
    },
    /** `EMAIL_USE_SSL`: TLS from the start. */
    useSsl: {
      kind: 'bool',
      envOnly: true,
      variable: 'EMAIL_USE_SSL',
      default: false,
    },
    /** `EMAIL_TIMEOUT`, in seconds; `undefined` leaves the client's own timeout. */
    timeoutSeconds: {
      kind: 'seconds',
      envOnly: true,
      variable: 'EMAIL_TIMEOUT',
    },
  },
  /** `ERROR_MAIL_SENSITIVE_NAMES`: more names whose values are hidden, beside the built-in ones. In code, a string is a name searched in any case, a RegExp is tested. */
  sensitiveNames: {
    kind: 'patterns',
    variable: 'ERROR_MAIL_SENSITIVE_NAMES',
    compile: sensitiveNamePattern,
    expected: 'each entry a name, or a regular expression written /like-this/i',
  },
  /** `ERROR_MAIL_MAX_BYTES`: the most one mail may weigh, MIME encoding included. */
  maxBytes: {
    kind: 'integer',
    variable: 'ERROR_MAIL_MAX_BYTES',
    default: 256 * 1024,
    // At most SES v1's (SendRawEmail) 10 MB per message.
    range: [16 * 1024, 10 * 1024 * 1024],
  },
  /** `ERROR_MAIL_THROTTLE_SECONDS`: repeats of one fingerprint within this window are counted, not mailed; 0: off. */
  throttleSeconds: {
    kind: 'integer',
    variable: 'ERROR_MAIL_THROTTLE_SECONDS',
    default: 300,
    range: [0, 86_400],
  },
  /** `ERROR_MAIL_MAX_PER_MINUTE`: most mails per container per rolling minute; 0: no cap. */
  maxPerMinute: {
    kind: 'integer',
    variable: 'ERROR_MAIL_MAX_PER_MINUTE',
    default: 10,
    range: [0, 10_000],
  },
  /** `ERROR_MAIL_SEND_BUDGET_MS`: the longest a send may take, retries included. */
  sendBudgetMs: {
    kind: 'integer',
    variable: 'ERROR_MAIL_SEND_BUDGET_MS',
    default: 2000,
    range: [50, 900_000],
  },
  /** `ERROR_MAIL_TIMEOUT_WARNING_MS`: mail a possible timeout this long before the deadline; 0: off. */
  timeoutWarningMs: {
    kind: 'integer',
    variable: 'ERROR_MAIL_TIMEOUT_WARNING_MS',
    default: 500,
    range: [0, 900_000],
  },
  /**
   * `ERROR_MAIL_CAPTURE_LOGS`: show the failing invocation's log lines in the mail. Off by default
   * until its cost per log line is measured within 5% of the bare call (BENCHMARKS.md).
   */
  captureLogs: {
    kind: 'bool',
    variable: 'ERROR_MAIL_CAPTURE_LOGS',
    default: false,
  },
  /** `ERROR_MAIL_DEDUPE_TABLE`: a DynamoDB table that decides which container mails; undefined: per container. */
  dedupeTable: {
    kind: 'optionalText',
    variable: 'ERROR_MAIL_DEDUPE_TABLE',
    rule: {
      test: (name) => /^[A-Za-z0-9_.-]{3,255}$/.test(name),
      expected: 'a DynamoDB table name: 3 to 255 letters, digits, _, - or .',
    },
  },
} satisfies SettingTable;
