import type { SettingTexts } from './setting.js';
import type { SETTINGS } from './settings.js';

/**
 * What each setting of {@link SETTINGS} says in the README's table and in check-config, keyed as
 * SETTINGS is: the compiler refuses a setting without its text, and a text without its setting.
 * Kept apart from SETTINGS because the cold-start module never shows a setting: parsing these
 * strings there cost about 0.2 ms of every cold start. The fields are described at `SettingText`.
 * @example
 * SETTING_TEXTS.smtp.port.meaning; // 'the SMTP port'
 */
export const SETTING_TEXTS = {
  admins: {
    meaning: 'who gets server-error mail',
    empty: '(empty: no error mail)',
    defaultDoc: 'empty: no error mail',
  },
  managers: {
    meaning: 'who gets broken-link mail (no fallback to `ADMINS`)',
    empty: '(empty: no broken-link mail)',
    defaultDoc: 'empty: no 404 mail',
  },
  serverEmail: {
    meaning: 'the From address',
    defaultDoc:
      '`root@localhost` (a warning is logged at cold start when mail is on and this is unset: SES rejects it)',
  },
  subjectPrefix: {
    show: (prefix) => JSON.stringify(prefix),
    meaning: 'joined to every subject with no separator',
    defaultDoc: '`[<AWS_LAMBDA_FUNCTION_NAME>] `, else `[Lambda] `',
  },
  debug: {
    meaning:
      'true: send nothing. A value that is not a boolean (`DEBUG=express:*`, for the `debug` package) counts as false and is noted at cold start',
  },
  sendBrokenLinkEmails: {
    meaning: 'true: report 404s that have a Referer',
  },
  ignorable404Starts: {
    empty: '(empty)',
    meaning: 'path prefixes never reported',
  },
  ignorable404Ends: {
    empty: '(empty)',
    meaning: 'path suffixes never reported',
  },
  ignorable404Urls: {
    empty: '(empty)',
    meaning: 'regexes, searched in path + query',
  },
  appendSlash: {
    meaning: 'the trailing-slash redirect rule of the 404 ignore list',
  },
  internalIps: {
    empty: '(empty)',
    meaning: 'client IPs shown as `internal` instead of `EXTERNAL`, compared exactly',
  },
  emailBackend: {
    meaning: '`ses`, `smtp` or `console` (one JSON line per mail on standard output, nothing sent)',
    defaultDoc: '`ses`; `smtp` when `EMAIL_HOST` is set',
  },
  smtp: {
    host: {
      meaning: 'the SMTP server, as in Django; setting it makes `smtp` the default backend',
    },
    port: {
      meaning: 'the SMTP port',
    },
    user: {
      meaning: 'the SMTP login (never shown)',
      defaultDoc: 'none',
    },
    password: {
      meaning: 'the SMTP password (never shown)',
      defaultDoc: 'none',
    },
    useTls: {
      meaning: 'true: STARTTLS, refusing a server without it; the certificate is verified',
    },
    useSsl: {
      meaning:
        'true: TLS from the start; the certificate is verified. At most one of `EMAIL_USE_TLS` and `EMAIL_USE_SSL` is true',
    },
    timeoutSeconds: {
      meaning:
        'in seconds: how long the SMTP client waits to connect, for the greeting, and on an idle connection',
    },
  },
  sensitiveNames: {
    empty: '(built-in names only)',
    meaning:
      'more names whose values are hidden: a plain entry is searched in any case, `/regex/flags` is a regular expression',
  },
  maxBytes: {
    meaning: 'the most one mail may weigh, MIME encoding included',
    defaultDoc: '262144 (256 KB)',
  },
  throttleSeconds: {
    meaning:
      'repeats of one error (same class, first application frame and route; for 404s, path and Referer host) within this window are counted, not mailed; the next mail says how many; 0 turns it off',
  },
  maxPerMinute: {
    meaning: 'most mails per container per rolling minute, all errors together; 0: no cap',
  },
  sendBudgetMs: {
    meaning: 'the longest a send may take, retries included (never past the deadline minus 300 ms either)',
  },
  timeoutWarningMs: {
    meaning:
      'mail ADMINS a "possible timeout" this long before the deadline when the invocation is still running; 0 turns it off',
  },
  captureLogs: {
    meaning:
      'show in a server-error mail the last log lines of the failing invocation (console, standard output and error), scrubbed and capped; false: capture nothing',
  },
  dedupeTable: {
    absent: '(none: flood control per container)',
    meaning:
      'a DynamoDB table (string key `pk`, TTL on `expiresAt`) that decides which container mails an error in a window',
    defaultDoc: 'none: per container',
  },
} satisfies SettingTexts<typeof SETTINGS>;
