import { showSetting } from '../config/describe-setting.js';
import { type Config, loadConfig } from '../config/load.js';
import { SETTING_LIST } from '../config/setting-list.js';
import { classify, type Verdict } from '../core/decide/classify.js';
import { skipMessage } from '../core/decide/skip.js';
import { wouldMail } from '../core/decide/would-mail.js';
import { scrubText } from '../core/scrub/shapes.js';
import { escapeControl } from '../core/text.js';
import { FUNCTION_ENV_HELP, FUNCTION_ENV_OPTIONS, functionEnv } from './function-env.js';
import { type CliIo, EXIT } from './io.js';
import { parse } from './parse.js';

export const CHECK_CONFIG_HELP = `Usage: lambda-error-mail check-config [--stage NAME | --env-file FILE]

Reads the settings from the environment as a Lambda function would, checks
every one, and prints the effective values: "(default)" marks a variable that
is not set, and the SMTP user and password are masked. Warnings follow.

Options:
${FUNCTION_ENV_HELP}
  -h, --help                     show this help

Exit codes: 0 the settings are valid; 2 one or more are invalid (each one is
listed with what was expected), or the stage or env file cannot be read (the
file and line are named).`;

/**
 * `lambda-error-mail check-config`: validates the environment (or a stage's, or a file's) and prints
 * the effective settings.
 */
export async function checkConfig(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(args, FUNCTION_ENV_OPTIONS);
  if (values.help) {
    io.out(CHECK_CONFIG_HELP);
    return EXIT.ok;
  }
  const { env, from } = await functionEnv(values, io);
  const config = loadConfig(env);
  const rows = settingRows(config, env);
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  const lines = [
    `lambda-error-mail settings, read from ${from}:`,
    '',
    ...rows.map(([name, value]) => `  ${name.padEnd(width)}${value}`),
    '',
    `Mail goes out through ${describeBackend(config, env)}.`,
    `Server errors: ${verdictLine(config, SERVER_ERROR)}.`,
    `Broken links: ${verdictLine(config, BROKEN_LINK)}.`,
  ];
  if (config.notes.length > 0) lines.push('', 'Warnings:', ...config.notes.map((note) => `  - ${note}`));
  for (const line of lines) io.out(scrubText(escapeControl(line, false)));
  return EXIT.ok;
}

/**
 * One row per setting, in the table's order: its variable and effective value, "(default)" when the
 * variable is not set. A backend's own settings are listed only when it is the backend.
 */
function settingRows(config: Config, env: CliIo['env']): [variable: string, shown: string][] {
  const rows: [string, string][] = [];
  for (const entry of SETTING_LIST) {
    const { key, group, setting } = entry;
    if (group !== undefined && group !== config.emailBackend) continue;
    const holder = (group === undefined ? config : config[group as keyof Config]) as Record<string, unknown>;
    const shown = showSetting(entry, holder[key]);
    rows.push([setting.variable, env[setting.variable] === undefined ? `${shown} (default)` : shown]);
  }
  return rows;
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

// A thrown error and a returned 404: what the two lists are for.
const SERVER_ERROR = classify({ kind: 'threw', error: new Error('check-config') });
const BROKEN_LINK = classify({ kind: 'returned', result: { statusCode: 404 } });

/** Whether a verdict is mailed under these settings, in words, from the same rule the reporter follows. */
function verdictLine(config: Config, verdict: Verdict): string {
  const decision = wouldMail(config, verdict);
  if (!decision.mail) return `not mailed (${skipMessage(decision.reason)})`;
  const to = decision.to === 'ADMINS' ? config.admins : config.managers;
  return `mailed to ${to.length} address${to.length === 1 ? '' : 'es'} in ${decision.to}`;
}
