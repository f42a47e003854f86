import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { checkConfig } from '../../../src/cli/check-config.js';
import { showSetting } from '../../../src/config/describe-setting.js';
import { ConfigError } from '../../../src/config/error.js';
import { expectedOf, isSecret, rangeOf } from '../../../src/config/setting-kinds.js';
import { SETTING_LIST } from '../../../src/config/setting-list.js';
import {
  readSettingsTable,
  renderSettingsTable,
  settingsTableRows,
} from '../../../src/config/settings-doc.js';
import { type Config, type ConfigOverrides, loadConfig, type SmtpConfig } from '../../../src/index.js';

const README = new URL('../../../README.md', import.meta.url);

/** The variables check-config lists for `env`, in order. */
async function listedBy(env: Record<string, string>): Promise<string[]> {
  const lines: string[] = [];
  await checkConfig([], {
    env,
    out: (line) => lines.push(line),
    err: (line) => lines.push(line),
    readText: async () => '',
    writeFile: async () => {},
  });
  return lines.flatMap((line) => /^ {2}([A-Z0-9_]+) {2,}/.exec(line)?.[1] ?? []);
}

function problemsOf(env: Record<string, string>, overrides: ConfigOverrides = {}): ConfigError['problems'] {
  try {
    loadConfig(env, overrides);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('the settings table', () => {
  it('has one entry for each variable of the design, each once', () => {
    const variables = SETTING_LIST.map(({ setting }) => setting.variable);

    expect(variables).toEqual([
      'ADMINS',
      'MANAGERS',
      'SERVER_EMAIL',
      'EMAIL_SUBJECT_PREFIX',
      'DEBUG',
      'SEND_BROKEN_LINK_EMAILS',
      'IGNORABLE_404_STARTS',
      'IGNORABLE_404_ENDS',
      'IGNORABLE_404_URLS',
      'APPEND_SLASH',
      'INTERNAL_IPS',
      'EMAIL_BACKEND',
      'EMAIL_HOST',
      'EMAIL_PORT',
      'EMAIL_HOST_USER',
      'EMAIL_HOST_PASSWORD',
      'EMAIL_USE_TLS',
      'EMAIL_USE_SSL',
      'EMAIL_TIMEOUT',
      'ERROR_MAIL_SENSITIVE_NAMES',
      'ERROR_MAIL_MAX_BYTES',
      'ERROR_MAIL_THROTTLE_SECONDS',
      'ERROR_MAIL_MAX_PER_MINUTE',
      'ERROR_MAIL_SEND_BUDGET_MS',
      'ERROR_MAIL_TIMEOUT_WARNING_MS',
      'ERROR_MAIL_CAPTURE_LOGS',
      'ERROR_MAIL_DEDUPE_TABLE',
    ]);
  });

  it("agrees with README's settings table", () => {
    const readme = readFileSync(README, 'utf8');

    expect(
      readSettingsTable(readme),
      "README.md's settings table differs from src/config/settings.ts: run `npm run docs:settings`",
    ).toEqual(settingsTableRows());
  });

  it('renders a table that reads back as the same rows', () => {
    const table = renderSettingsTable();

    expect(readSettingsTable(`## Settings\n\n${table}`)).toEqual(settingsTableRows());
  });

  it('is listed by check-config in table order, the SMTP rows only when the backend is smtp', async () => {
    const all = SETTING_LIST.map(({ setting }) => setting.variable);
    const withoutSmtp = SETTING_LIST.filter(({ group }) => group === undefined).map(
      ({ setting }) => setting.variable,
    );

    expect(await listedBy({ EMAIL_HOST: 'smtp.example.com' })).toEqual(all);
    expect(await listedBy({})).toEqual(withoutSmtp);
  });

  it('never shows a secret setting, neither in check-config nor in a ConfigError', async () => {
    const secrets = SETTING_LIST.filter(({ setting }) => isSecret(setting));
    const env = Object.fromEntries(
      secrets.map(({ setting }) => [setting.variable, `${setting.variable}-value`]),
    );
    const lines: string[] = [];
    await checkConfig([], {
      env: { ...env, EMAIL_HOST: 'smtp.example.com', EMAIL_USE_TLS: 'true' },
      out: (line) => lines.push(line),
      err: (line) => lines.push(line),
      readText: async () => '',
      writeFile: async () => {},
    });

    expect(secrets.map(({ setting }) => setting.variable)).toEqual([
      'EMAIL_HOST_USER',
      'EMAIL_HOST_PASSWORD',
    ]);
    expect(lines.join('\n')).not.toMatch(/EMAIL_HOST_(USER|PASSWORD)-value/);
    for (const entry of secrets) {
      expect(showSetting(entry, `${entry.setting.variable}-value`)).not.toContain('-value');
    }
  });

  it('holds the environment and an override in code to the same range', () => {
    const ranged = SETTING_LIST.filter(({ setting }) => rangeOf(setting) !== undefined);

    expect(ranged.length).toBeGreaterThan(0);
    for (const { key, setting, group } of ranged) {
      const [, max] = rangeOf(setting) ?? [0, 0];
      const fromEnv = problemsOf({ [setting.variable]: String(max + 1) });

      expect(fromEnv).toEqual([
        { variable: setting.variable, value: `"${max + 1}"`, expected: expectedOf(setting) },
      ]);
      if (group === undefined && setting.envOnly !== true) {
        expect(problemsOf({}, { [key]: max + 1 } as ConfigOverrides)).toEqual(fromEnv);
      }
    }
  });
});

describe('ConfigOverrides', () => {
  // Typed as Required<ConfigOverrides>: it compiles only with every key ConfigOverrides accepts.
  const samples: Required<ConfigOverrides> = {
    admins: ['code@example.com'],
    managers: ['web@example.com'],
    serverEmail: 'errors@example.com',
    subjectPrefix: '[code] ',
    debug: true,
    sendBrokenLinkEmails: true,
    ignorable404Starts: ['/wp-'],
    ignorable404Ends: ['.bak'],
    ignorable404Urls: [/\.env$/],
    appendSlash: false,
    internalIps: ['10.0.0.1'],
    emailBackend: 'console',
    sensitiveNames: [/^x-tenant$/i],
    maxBytes: 65_536,
    throttleSeconds: 60,
    maxPerMinute: 3,
    sendBudgetMs: 900,
    timeoutWarningMs: 250,
    captureLogs: true,
    dedupeTable: 'shop-prod-error-mail',
  };

  it('takes every overridable setting of the table, and loadConfig applies each', () => {
    const overridable = SETTING_LIST.filter(({ setting }) => setting.envOnly !== true);

    expect(overridable.map(({ key }) => key).sort()).toEqual(Object.keys(samples).sort());
    for (const { key } of overridable) {
      const sample = samples[key as keyof ConfigOverrides];
      const config = loadConfig({}, { [key]: sample } as ConfigOverrides);

      expect(String(config[key as keyof Config]), key).toBe(String(sample));
      expect(String(loadConfig({})[key as keyof Config]), key).not.toBe(String(sample));
    }
  });

  it('keeps the SMTP settings to the environment', () => {
    expect(
      SETTING_LIST.filter(({ group }) => group === 'smtp').every(({ setting }) => !setting.envOnly !== true),
    ).toBe(true);
  });

  it('accepts exactly what it accepted before the table, and Config keeps its shape', () => {
    interface Before {
      readonly admins?: readonly string[];
      readonly managers?: readonly string[];
      readonly serverEmail?: string;
      readonly subjectPrefix?: string;
      readonly debug?: boolean;
      readonly sendBrokenLinkEmails?: boolean;
      readonly ignorable404Starts?: readonly string[];
      readonly ignorable404Ends?: readonly string[];
      readonly ignorable404Urls?: readonly (string | RegExp)[];
      readonly appendSlash?: boolean;
      readonly internalIps?: readonly string[];
      readonly sensitiveNames?: readonly (string | RegExp)[];
      readonly maxBytes?: number;
      readonly throttleSeconds?: number;
      readonly maxPerMinute?: number;
      readonly sendBudgetMs?: number;
      readonly timeoutWarningMs?: number;
      readonly captureLogs?: boolean;
      readonly dedupeTable?: string;
      readonly emailBackend?: 'ses' | 'smtp' | 'console';
    }
    interface SmtpBefore {
      readonly host: string;
      readonly port: number;
      readonly user: string;
      readonly password: string;
      readonly useTls: boolean;
      readonly useSsl: boolean;
      readonly timeoutSeconds: number | undefined;
    }
    type Settings = { readonly [K in keyof Before]-?: Exclude<Before[K], undefined> };
    interface ConfigBefore extends Omit<Settings, 'ignorable404Urls' | 'sensitiveNames' | 'dedupeTable'> {
      readonly ignorable404Urls: readonly RegExp[];
      readonly sensitiveNames: readonly RegExp[];
      readonly dedupeTable: string | undefined;
      readonly smtp: SmtpBefore;
      readonly functionName: string | undefined;
      readonly region: string | undefined;
      readonly managedInstances: boolean;
      readonly taskRoot: string | undefined;
      readonly environment: readonly (readonly [name: string, value: string])[];
      readonly traceId: () => string | undefined;
      readonly notes: readonly string[];
    }

    expectTypeOf<ConfigOverrides>().toEqualTypeOf<Before>();
    expectTypeOf<SmtpConfig>().toEqualTypeOf<SmtpBefore>();
    expectTypeOf<Config>().toEqualTypeOf<ConfigBefore>();
  });
});
