import { capChars } from '../core/report/limits.js';
import { type NameTest, sensitiveNameTest, shownValue } from '../core/scrub/names.js';
import { scrubText } from '../core/scrub/shapes.js';
import { ConfigError, type ConfigProblem } from './error.js';
import { type Env, INVALID, type SettingOverrides, type SettingValues } from './setting.js';
import { expectedOf, fallbackOf, finishSetting, isSecret, parseSetting } from './setting-kinds.js';
import { SETTING_LIST, type SettingEntry } from './setting-list.js';
import type { SETTINGS } from './settings.js';

export type { EmailBackend } from './settings.js';
// The unit tests of isIpAddress import it from here.
export { isIpAddress } from './values.js';

/**
 * SMTP settings, as Django names them (`EMAIL_HOST`, `EMAIL_PORT`...).
 * @example
 * loadConfig({ EMAIL_HOST: 'smtp.example.com', EMAIL_PORT: '587', EMAIL_USE_TLS: 'true' }).smtp;
 */
export interface SmtpConfig extends SettingValues<typeof SETTINGS.smtp> {}

/**
 * The validated, frozen settings of one container. Built by {@link loadConfig}; the fields that
 * come from one variable each are documented in the settings table.
 * @example
 * const { admins, debug } = loadConfig();
 */
export interface Config extends SettingValues<typeof SETTINGS> {
  /** The `EMAIL_*` SMTP settings, used when `emailBackend` is `smtp`. */
  readonly smtp: SmtpConfig;
  /** `AWS_LAMBDA_FUNCTION_NAME`, when the runtime set it. */
  readonly functionName: string | undefined;
  /** `AWS_REGION`, when set: used for the CloudWatch Logs link. */
  readonly region: string | undefined;
  /**
   * `AWS_LAMBDA_INITIALIZATION_TYPE` is `lambda-managed-instances`: invocations run side by side and
   * nothing stops one at its deadline.
   */
  readonly managedInstances: boolean;
  /** `LAMBDA_TASK_ROOT` (`/var/task`), when the runtime set it: sources are shown relative to it, and read only under it. */
  readonly taskRoot: string | undefined;
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
export interface ConfigOverrides extends SettingOverrides<typeof SETTINGS> {}

const MAX_ENVIRONMENT_VALUE = 1000;

// A backend's own settings (a nested table) are read after the others, and a few settings are
// checked last: problems are listed in the order they have always been.
const READ_ORDER: SettingEntry[] = [];
const CHECK_ORDER: SettingEntry[] = [];
for (const pass of [false, true]) {
  for (const entry of SETTING_LIST) {
    if ((entry.group !== undefined) === pass) READ_ORDER.push(entry);
    if ((entry.setting.checkedLast === true) === pass) CHECK_ORDER.push(entry);
  }
}

/**
 * Reads and validates every setting from an environment record (by default
 * `process.env`), applies `overrides`, and returns a frozen {@link Config}.
 *
 * @throws {ConfigError} listing every invalid variable, its value and what is expected.
 * @example
 * const config = loadConfig({ ADMINS: 'ops@example.com', SERVER_EMAIL: 'errors@example.com' });
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: ConfigOverrides = {},
): Config {
  const problems: ConfigProblem[] = [];
  const notes: string[] = [];
  const problem = ({ setting }: SettingEntry, received: string, expected: string) =>
    problems.push({
      variable: setting.variable,
      value: isSecret(setting) ? '(value hidden)' : JSON.stringify(received),
      expected,
    });

  // First each value as given, then each checked on its merged value, so that overrides are held to
  // the same rules as the environment.
  const given = new Map<SettingEntry, unknown>();
  for (const entry of READ_ORDER) {
    given.set(entry, fromCode(entry, overrides) ?? fromEnvironment(entry, env, notes, problem));
  }
  const checked = new Map<SettingEntry, unknown>();
  for (const entry of CHECK_ORDER) {
    checked.set(
      entry,
      finishSetting(entry.setting, given.get(entry), (received, expected) =>
        problem(entry, received, expected),
      ),
    );
  }
  const settings = assemble(checked);
  const { smtp } = settings;

  if (smtp.useTls && smtp.useSsl) {
    problems.push({
      variable: 'EMAIL_USE_SSL',
      value: '"true" while `EMAIL_USE_TLS` is "true"',
      expected: 'at most one of `EMAIL_USE_TLS` and `EMAIL_USE_SSL` set to true',
    });
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const mailing =
    settings.admins.length > 0 || (settings.sendBrokenLinkEmails && settings.managers.length > 0);
  if (mailing && !settings.debug && !env.SERVER_EMAIL && overrides.serverEmail === undefined) {
    notes.push(
      `SERVER_EMAIL is not set: mail is sent from "${settings.serverEmail}", which SES rejects; set it to a verified address`,
    );
  }

  if (settings.emailBackend === 'smtp' && smtp.user !== '' && !smtp.useTls && !smtp.useSsl) {
    notes.push(
      'EMAIL_HOST_USER is set but neither EMAIL_USE_TLS nor EMAIL_USE_SSL is true: the SMTP login crosses the network unencrypted',
    );
  }

  // Scrubbing every variable costs most of a cold start's settings work and is needed only by a report:
  // done on first use, from the variables as they were at cold start.
  const variables = { ...env };
  let environment: Config['environment'] | undefined;

  return Object.freeze({
    ...settings,
    functionName: nonEmpty(env.AWS_LAMBDA_FUNCTION_NAME),
    region: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION),
    managedInstances: env.AWS_LAMBDA_INITIALIZATION_TYPE === 'lambda-managed-instances',
    taskRoot: nonEmpty(env.LAMBDA_TASK_ROOT),
    get environment() {
      environment ??= snapshotEnvironment(variables, sensitiveNameTest(settings.sensitiveNames));
      return environment;
    },
    traceId: () => nonEmpty(env._X_AMZN_TRACE_ID),
    notes: Object.freeze(notes),
  });
}

/** The override of `entry` given in code, when it takes one. */
function fromCode({ key, group, setting }: SettingEntry, overrides: ConfigOverrides): unknown {
  if (group !== undefined || setting.envOnly === true) return undefined;
  return (overrides as Readonly<Record<string, unknown>>)[key];
}

/** The value of `entry`'s variable, or its default; a problem (and the default) when it cannot be read. */
function fromEnvironment(
  entry: SettingEntry,
  env: Env,
  notes: string[],
  problem: (entry: SettingEntry, received: string, expected: string) => void,
): unknown {
  const { setting } = entry;
  const raw = env[setting.variable];
  if (raw === undefined) return fallbackOf(setting, env);
  const parsed = parseSetting(setting, raw, (note) => notes.push(note));
  if (parsed !== INVALID) return parsed;
  problem(entry, raw, expectedOf(setting));
  return fallbackOf(setting, env);
}

/** The checked values in Config's shape and the table's order, lists and groups frozen. */
function assemble(checked: ReadonlyMap<SettingEntry, unknown>): SettingValues<typeof SETTINGS> {
  const settings: Record<string, unknown> = {};
  const groups = new Map<string, Record<string, unknown>>();
  for (const entry of SETTING_LIST) {
    const value = checked.get(entry);
    const frozen = Array.isArray(value) ? Object.freeze([...value]) : value;
    if (entry.group === undefined) {
      settings[entry.key] = frozen;
      continue;
    }
    let group = groups.get(entry.group);
    if (group === undefined) {
      group = {};
      groups.set(entry.group, group);
      settings[entry.group] = group;
    }
    group[entry.key] = frozen;
  }
  for (const group of groups.values()) Object.freeze(group);
  return settings as SettingValues<typeof SETTINGS>;
}

// Names, then shapes: the full scrubber (bodies, JSON) is the report path's, not the cold start's.
function snapshotEnvironment(env: Env, isSensitiveName: NameTest): readonly (readonly [string, string])[] {
  const entries: (readonly [string, string])[] = [];
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (value === undefined) continue;
    const shown = scrubText(shownValue(isSensitiveName, name, value));
    const capped = capChars(shown, MAX_ENVIRONMENT_VALUE);
    entries.push(Object.freeze([name, capped] as const));
  }
  return Object.freeze(entries);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
