import { type Config, loadConfig } from '../config/load.js';
import { CLEANSED_SUBSTITUTE } from '../core/scrub/names.js';
import { scrubText } from '../core/scrub/shapes.js';
import { escapeControl } from '../core/text.js';
import { type CliIo, EXIT } from './io.js';
import { parse } from './parse.js';

export const CHECK_CONFIG_HELP = `Usage: lambda-error-mail check-config

Reads the settings from the environment as a Lambda function would, checks
every one, and prints the effective values: "(default)" marks a variable that
is not set, and the SMTP user and password are masked. Warnings follow.

Exit codes: 0 the settings are valid; 2 one or more are invalid (each one is
listed with what was expected).`;

/** `lambda-error-mail check-config`: validates the environment and prints the effective settings. */
export function checkConfig(args: readonly string[], io: CliIo): number {
  const { values } = parse(args, {});
  if (values.help) {
    io.out(CHECK_CONFIG_HELP);
    return EXIT.ok;
  }
  const config = loadConfig(io.env);
  const env = io.env;
  const rows: [string, string][] = [];
  const add = (name: string, value: string) =>
    rows.push([name, env[name] === undefined ? `${value} (default)` : value]);
  const list = (items: readonly (string | RegExp)[], empty: string) =>
    items.length === 0 ? empty : items.map(String).join(', ');

  add('ADMINS', list(config.admins, '(empty: no error mail)'));
  add('MANAGERS', list(config.managers, '(empty: no broken-link mail)'));
  add('SERVER_EMAIL', config.serverEmail);
  add('EMAIL_SUBJECT_PREFIX', JSON.stringify(config.subjectPrefix));
  add('DEBUG', String(config.debug));
  add('SEND_BROKEN_LINK_EMAILS', String(config.sendBrokenLinkEmails));
  add('IGNORABLE_404_STARTS', list(config.ignorable404Starts, '(empty)'));
  add('IGNORABLE_404_ENDS', list(config.ignorable404Ends, '(empty)'));
  add('IGNORABLE_404_URLS', list(config.ignorable404Urls, '(empty)'));
  add('APPEND_SLASH', String(config.appendSlash));
  add('INTERNAL_IPS', list(config.internalIps, '(empty)'));
  add('EMAIL_BACKEND', config.emailBackend);
  if (config.emailBackend === 'smtp') {
    const { smtp } = config;
    add('EMAIL_HOST', smtp.host);
    add('EMAIL_PORT', String(smtp.port));
    add('EMAIL_HOST_USER', smtp.user === '' ? '(not set)' : CLEANSED_SUBSTITUTE);
    add('EMAIL_HOST_PASSWORD', smtp.password === '' ? '(not set)' : CLEANSED_SUBSTITUTE);
    add('EMAIL_USE_TLS', String(smtp.useTls));
    add('EMAIL_USE_SSL', String(smtp.useSsl));
    add('EMAIL_TIMEOUT', smtp.timeoutSeconds === undefined ? '(none)' : `${smtp.timeoutSeconds} s`);
  }
  add('ERROR_MAIL_SENSITIVE_NAMES', list(config.sensitiveNames, '(built-in names only)'));
  add('ERROR_MAIL_MAX_BYTES', String(config.maxBytes));
  add('ERROR_MAIL_THROTTLE_SECONDS', String(config.throttleSeconds));
  add('ERROR_MAIL_MAX_PER_MINUTE', String(config.maxPerMinute));
  add('ERROR_MAIL_SEND_BUDGET_MS', String(config.sendBudgetMs));
  add('ERROR_MAIL_TIMEOUT_WARNING_MS', String(config.timeoutWarningMs));
  add('ERROR_MAIL_DEDUPE_TABLE', config.dedupeTable ?? '(none: flood control per container)');

  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  const lines = [
    'lambda-error-mail settings, read from the environment:',
    '',
    ...rows.map(([name, value]) => `  ${name.padEnd(width)}${value}`),
    '',
    `Mail goes out through ${describeBackend(config, env)}.`,
    `Server errors: ${serverErrorVerdict(config)}.`,
    `Broken links: ${brokenLinkVerdict(config)}.`,
  ];
  if (config.notes.length > 0) lines.push('', 'Warnings:', ...config.notes.map((note) => `  - ${note}`));
  for (const line of lines) io.out(scrubText(escapeControl(line, false)));
  return EXIT.ok;
}

/** Where mail goes, in words: the backend and what decides its endpoint. */
export function describeBackend(config: Config, env: CliIo['env']): string {
  switch (config.emailBackend) {
    case 'console':
      return 'standard output (EMAIL_BACKEND=console): nothing is sent';
    case 'smtp': {
      const { smtp } = config;
      const security = smtp.useSsl ? 'TLS' : smtp.useTls ? 'STARTTLS' : 'no encryption';
      const auth = smtp.user === '' ? 'no login' : 'a login';
      return `SMTP ${smtp.host}:${smtp.port} (${security}, ${auth})`;
    }
    default: {
      const region = config.region;
      const endpoint = env.AWS_ENDPOINT_URL_SES
        ? `, endpoint ${env.AWS_ENDPOINT_URL_SES} (AWS_ENDPOINT_URL_SES)`
        : env.AWS_ENDPOINT_URL
          ? `, endpoint ${env.AWS_ENDPOINT_URL} (AWS_ENDPOINT_URL)`
          : '';
      return `Amazon SES (SendRawEmail) in ${region ? region : 'the region the AWS SDK resolves (AWS_REGION is not set)'}${endpoint}`;
    }
  }
}

function serverErrorVerdict(config: Config): string {
  if (config.debug) return 'not mailed (DEBUG is true)';
  if (config.admins.length === 0) return 'not mailed (ADMINS is empty)';
  return `mailed to ${config.admins.length} address${config.admins.length === 1 ? '' : 'es'} in ADMINS`;
}

function brokenLinkVerdict(config: Config): string {
  if (config.debug) return 'not mailed (DEBUG is true)';
  if (!config.sendBrokenLinkEmails) return 'not mailed (SEND_BROKEN_LINK_EMAILS is false)';
  if (config.managers.length === 0) return 'not mailed (MANAGERS is empty)';
  return `mailed to ${config.managers.length} address${config.managers.length === 1 ? '' : 'es'} in MANAGERS`;
}
