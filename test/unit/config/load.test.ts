import { describe, expect, it } from 'vitest';
import { isIpAddress } from '../../../src/config/load.js';
import { ConfigError, loadConfig } from '../../../src/index.js';

function problemsOf(env: Record<string, string>): ConfigError['problems'] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('loadConfig accepted an invalid environment');
}

describe('loadConfig', () => {
  it("uses Django's defaults when nothing is set", () => {
    const config = loadConfig({});

    expect(config.admins).toEqual([]);
    expect(config.managers).toEqual([]);
    expect(config.serverEmail).toBe('root@localhost');
    expect(config.subjectPrefix).toBe('[Lambda] ');
    expect(config.debug).toBe(false);
    expect(config.sendBrokenLinkEmails).toBe(false);
    expect(config.appendSlash).toBe(true);
    expect(config.ignorable404Starts).toEqual(['/cgi-bin/', '/_vti_bin', '/_vti_inf']);
    expect(config.ignorable404Ends).toEqual([
      'mail.pl',
      'mailform.pl',
      'mail.cgi',
      'mailform.cgi',
      'favicon.ico',
      '.php',
    ]);
    expect(config.ignorable404Urls).toEqual([]);
    expect(config.internalIps).toEqual([]);
    expect(config.emailBackend).toBe('ses');
  });

  it('takes the default subject prefix from the function name', () => {
    expect(loadConfig({ AWS_LAMBDA_FUNCTION_NAME: 'shop-prod-api' }).subjectPrefix).toBe('[shop-prod-api] ');
  });

  it('takes the task root the runtime names, where sources are read from, and none when it names none', () => {
    expect(loadConfig({ LAMBDA_TASK_ROOT: '/var/task' }).taskRoot).toBe('/var/task');
    expect(loadConfig({ LAMBDA_TASK_ROOT: '' }).taskRoot).toBeUndefined();
    expect(loadConfig({}).taskRoot).toBeUndefined();
  });

  it('reads lists as comma-separated strings, keeping commas inside quoted display names', () => {
    const config = loadConfig({ ADMINS: ' ops@example.com , "Ng, Mary" <mary@example.com>,' });

    expect(config.admins).toEqual(['ops@example.com', '"Ng, Mary" <mary@example.com>']);
  });

  it('reads lists as JSON arrays, so regexes may hold commas', () => {
    const config = loadConfig({ IGNORABLE_404_URLS: '["^/a{1,3}$", "\\\\.env$"]' });

    expect(config.ignorable404Urls).toHaveLength(2);
    expect(config.ignorable404Urls[0]?.test('/aaa')).toBe(true);
    expect(config.ignorable404Urls[0]?.test('/aaaa')).toBe(false);
    expect(config.ignorable404Urls[1]?.test('/.env')).toBe(true);
  });

  it('treats a variable set to an empty string as an empty list, not the default', () => {
    const config = loadConfig({ IGNORABLE_404_ENDS: '', IGNORABLE_404_STARTS: '' });

    expect(config.ignorable404Ends).toEqual([]);
    expect(config.ignorable404Starts).toEqual([]);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['On', true],
    ['false', false],
    ['0', false],
    ['NO', false],
    ['off', false],
  ])('reads the boolean %j as %s', (raw, expected) => {
    expect(loadConfig({ SEND_BROKEN_LINK_EMAILS: raw }).sendBrokenLinkEmails).toBe(expected);
  });

  it('counts a DEBUG that is not a boolean as false and notes it once, for the debug package', () => {
    const config = loadConfig({ DEBUG: 'express:*' });

    expect(config.debug).toBe(false);
    expect(config.notes).toEqual([expect.stringContaining('DEBUG="express:*" is not a boolean')]);
  });

  it('notes that SERVER_EMAIL is unset when mail is on', () => {
    expect(loadConfig({ ADMINS: 'ops@example.com' }).notes).toEqual([
      expect.stringContaining('SERVER_EMAIL is not set'),
    ]);
    expect(loadConfig({ ADMINS: 'ops@example.com', SERVER_EMAIL: 'e@example.com' }).notes).toEqual([]);
  });

  it('notes an SMTP login that would cross the network unencrypted, and never shows it', () => {
    const login = { EMAIL_HOST: 'smtp.example.com', EMAIL_HOST_USER: 'mailer', EMAIL_HOST_PASSWORD: 'pw' };

    expect(loadConfig(login).notes).toEqual([
      expect.stringContaining('the SMTP login crosses the network unencrypted'),
    ]);
    expect(loadConfig(login).notes.join()).not.toMatch(/mailer|pw/);
    expect(loadConfig({ ...login, EMAIL_USE_TLS: 'true' }).notes).toEqual([]);
    expect(loadConfig({ ...login, EMAIL_USE_SSL: 'true' }).notes).toEqual([]);
  });

  it('chooses the SMTP backend when EMAIL_HOST is set, as Django would', () => {
    const config = loadConfig({ EMAIL_HOST: 'smtp.example.com', EMAIL_PORT: '587', EMAIL_USE_TLS: 'yes' });

    expect(config.emailBackend).toBe('smtp');
    expect(config.smtp).toMatchObject({ host: 'smtp.example.com', port: 587, useTls: true, useSsl: false });
  });

  it('returns a frozen config with frozen lists', () => {
    const config = loadConfig({ ADMINS: 'ops@example.com' });

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.admins)).toBe(true);
    expect(() => (config.admins as string[]).push('x@example.com')).toThrow(TypeError);
  });

  it('lets explicit overrides win over the environment', () => {
    const config = loadConfig(
      { ADMINS: 'env@example.com', DEBUG: 'true' },
      { admins: ['code@example.com'], debug: false, ignorable404Urls: [/\.env$/g] },
    );

    expect(config.admins).toEqual(['code@example.com']);
    expect(config.debug).toBe(false);
    expect(config.ignorable404Urls[0]?.flags).toBe('');
  });

  it('checks overrides by the same rules as the environment', () => {
    expect(() => loadConfig({}, { admins: ['not an address'] })).toThrow(ConfigError);
  });

  it('shows the environment with sensitive names and AWS credentials hidden', () => {
    const config = loadConfig({
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE12',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG',
      AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEJr',
      STRIPE_API_KEY: 'sk_live_123',
      DATABASE_URL: 'postgres://shop:hunter2@db.internal:5432/shop',
      STAGE: 'prod',
    });
    const shown = Object.fromEntries(config.environment);

    expect(shown.AWS_ACCESS_KEY_ID).toBe('********************');
    expect(shown.AWS_SECRET_ACCESS_KEY).toBe('********************');
    expect(shown.AWS_SESSION_TOKEN).toBe('********************');
    expect(shown.STRIPE_API_KEY).toBe('********************');
    expect(shown.DATABASE_URL).toBe('postgres://shop:********************@db.internal:5432/shop');
    expect(shown.STAGE).toBe('prod');
  });
});

describe('ConfigError', () => {
  it('lists every bad variable at once, with its value and what is expected', () => {
    const problems = problemsOf({
      ADMINS: 'ops@',
      MANAGERS: 'web@example.com,nobody',
      SERVER_EMAIL: 'errors@example.com\r\nBcc: victim@example.com',
      DEBUG: 'maybe',
      SEND_BROKEN_LINK_EMAILS: 'sometimes',
      APPEND_SLASH: '2',
      IGNORABLE_404_URLS: '["(unclosed"]',
      INTERNAL_IPS: '10.0.0.0/8',
      EMAIL_BACKEND: 'sendgrid',
      EMAIL_PORT: '70000',
      EMAIL_TIMEOUT: '-1',
      EMAIL_SUBJECT_PREFIX: '[x]\n',
    });

    expect(problems.map((p) => p.variable)).toEqual([
      'SEND_BROKEN_LINK_EMAILS',
      'APPEND_SLASH',
      'EMAIL_PORT',
      'EMAIL_TIMEOUT',
      'ADMINS',
      'MANAGERS',
      'SERVER_EMAIL',
      'EMAIL_SUBJECT_PREFIX',
      'IGNORABLE_404_URLS',
      'INTERNAL_IPS',
      'EMAIL_BACKEND',
    ]);
    expect(problems.find((p) => p.variable === 'ADMINS')).toEqual({
      variable: 'ADMINS',
      value: '"ops@"',
      expected: expect.stringContaining('an e-mail address'),
    });
    expect(problems.find((p) => p.variable === 'MANAGERS')?.value).toBe('"nobody"');
    expect(problems.find((p) => p.variable === 'INTERNAL_IPS')?.expected).toContain('no ranges');
    expect(problems.find((p) => p.variable === 'EMAIL_BACKEND')?.expected).toBe(
      'one of "ses", "smtp", "console"',
    );
  });

  it('says in its message which variable is wrong, what it held and what was expected', () => {
    expect(() => loadConfig({ SEND_BROKEN_LINK_EMAILS: 'maybe' })).toThrow(
      'lambda-error-mail: 1 invalid setting:\n- `SEND_BROKEN_LINK_EMAILS`: true or false (also 1/0, yes/no, on/off); got "maybe"',
    );
  });

  it('has the literal name ConfigError', () => {
    expect(new ConfigError([]).name).toBe('ConfigError');
  });

  it('rejects a JSON list that is not an array of strings', () => {
    expect(problemsOf({ ADMINS: '[1, 2]' })[0]?.expected).toBe(
      'a comma-separated list, or a JSON array of strings',
    );
  });

  it('rejects EMAIL_USE_TLS and EMAIL_USE_SSL both on', () => {
    expect(problemsOf({ EMAIL_USE_TLS: 'true', EMAIL_USE_SSL: 'true' })[0]?.variable).toBe('EMAIL_USE_SSL');
  });

  it('never echoes the SMTP password', () => {
    // EMAIL_HOST_PASSWORD has no format to break; an SMTP port error next to it must not show it either.
    let message = '';
    try {
      loadConfig({ EMAIL_HOST_PASSWORD: 'hunter2', EMAIL_PORT: 'x' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('EMAIL_PORT');
    expect(message).not.toContain('hunter2');
  });
});

describe('isIpAddress', () => {
  it.each(['127.0.0.1', '0.0.0.0', '255.255.255.255', '::1', '2001:db8::8a2e:370:7334', '::ffff:192.0.2.1'])(
    'accepts %s',
    (ip) => {
      expect(isIpAddress(ip)).toBe(true);
    },
  );

  it.each([
    '256.1.1.1',
    '1.2.3',
    '01.2.3.4',
    '10.0.0.0/8',
    'localhost',
    '::g',
    '1:2:3:4:5:6:7:8:9',
    '',
    ' 1.2.3.4',
  ])('rejects %j', (ip) => {
    expect(isIpAddress(ip)).toBe(false);
  });
});

describe('ERROR_MAIL_ settings', () => {
  it('reads ERROR_MAIL_SENSITIVE_NAMES as names and /regexes/', () => {
    const config = loadConfig({ ERROR_MAIL_SENSITIVE_NAMES: 'ssn, /^x-tenant-/i' });

    expect(config.sensitiveNames.map((r) => r.test('customer_SSN'))).toEqual([true, false]);
    expect(config.sensitiveNames[1]?.test('X-Tenant-Id')).toBe(true);
  });

  it('hides variables named by ERROR_MAIL_SENSITIVE_NAMES in the environment section', () => {
    const config = loadConfig({ ERROR_MAIL_SENSITIVE_NAMES: 'ssn', CUSTOMER_SSN: '123-45-6789' });

    expect(Object.fromEntries(config.environment).CUSTOMER_SSN).toBe('********************');
  });

  it('defaults ERROR_MAIL_MAX_BYTES to 256 KB', () => {
    expect(loadConfig({}).maxBytes).toBe(262_144);
    expect(loadConfig({ ERROR_MAIL_MAX_BYTES: '1048576' }).maxBytes).toBe(1_048_576);
  });

  it.each([
    ['ERROR_MAIL_MAX_BYTES', 'big', '"big"', 'a whole number from 16384 to 10485760'],
    ['ERROR_MAIL_MAX_BYTES', '1000', '"1000"', 'a whole number from 16384 to 10485760'],
    ['ERROR_MAIL_MAX_BYTES', '20000000', '"20000000"', 'a whole number from 16384 to 10485760'],
    ['ERROR_MAIL_MAX_BYTES', '65536.5', '"65536.5"', 'a whole number from 16384 to 10485760'],
    [
      'ERROR_MAIL_SENSITIVE_NAMES',
      '["/(unclosed/"]',
      '"/(unclosed/"',
      'each entry a name, or a regular expression',
    ],
    ['ERROR_MAIL_SENSITIVE_NAMES', '[{"a":1}]', '"[{\\"a\\":1}]"', 'a comma-separated list, or a JSON array'],
  ])('rejects %s=%s, showing %s and saying what is expected', (variable, raw, shown, expected) => {
    const [problem] = problemsOf({ [variable]: raw });

    expect(problem?.variable).toBe(variable);
    expect(problem?.value).toBe(shown);
    expect(problem?.expected).toContain(expected);
  });

  it('rejects an explicit maxBytes outside the range too', () => {
    expect(() => loadConfig({}, { maxBytes: 100 })).toThrow(/`ERROR_MAIL_MAX_BYTES`: a whole number/);
  });
});

describe('every invalid value of every variable', () => {
  // [variable, value set, the value the error shows]: the offending entry of a list, else the whole value.
  it.each([
    ['ADMINS', 'ops@', '"ops@"'],
    ['ADMINS', 'ops@example.com\r\nBcc: x@evil.example', '"ops@example.com\\r\\nBcc: x@evil.example"'],
    ['ADMINS', 'Mary <mary@example.com', '"Mary <mary@example.com"'],
    ['ADMINS', '["ops@example.com", 1]', '"[\\"ops@example.com\\", 1]"'],
    ['MANAGERS', 'nobody', '"nobody"'],
    ['MANAGERS', '"Unclosed <web@example.com>', '"\\"Unclosed <web@example.com>"'],
    ['SERVER_EMAIL', 'errors', '"errors"'],
    ['SERVER_EMAIL', 'a@example.com, b@example.com', '"a@example.com, b@example.com"'],
    ['SERVER_EMAIL', 'errors@example.com\nX: y', '"errors@example.com\\nX: y"'],
    ['EMAIL_SUBJECT_PREFIX', '[x]\r\n', '"[x]\\r\\n"'],
    ['EMAIL_SUBJECT_PREFIX', '[x]\t', '"[x]\\t"'],
    ['SEND_BROKEN_LINK_EMAILS', 'sometimes', '"sometimes"'],
    ['APPEND_SLASH', '2', '"2"'],
    ['IGNORABLE_404_STARTS', '[1]', '"[1]"'],
    ['IGNORABLE_404_ENDS', '["a", 2]', '"[\\"a\\", 2]"'],
    ['IGNORABLE_404_URLS', '["(unclosed"]', '"(unclosed"'],
    ['IGNORABLE_404_URLS', '[not json', '"[not json"'],
    ['INTERNAL_IPS', '10.0.0.0/8', '"10.0.0.0/8"'],
    ['INTERNAL_IPS', 'localhost', '"localhost"'],
    ['EMAIL_BACKEND', 'sendgrid', '"sendgrid"'],
    ['EMAIL_PORT', '0', '"0"'],
    ['EMAIL_PORT', '25.5', '"25.5"'],
    ['EMAIL_PORT', 'smtp', '"smtp"'],
    ['EMAIL_USE_TLS', 'maybe', '"maybe"'],
    ['EMAIL_USE_SSL', 'maybe', '"maybe"'],
    ['EMAIL_TIMEOUT', '0', '"0"'],
    ['EMAIL_TIMEOUT', 'soon', '"soon"'],
    ['ERROR_MAIL_MAX_BYTES', '-1', '"-1"'],
    ['ERROR_MAIL_SENSITIVE_NAMES', '[1]', '"[1]"'],
    ['ERROR_MAIL_THROTTLE_SECONDS', '-5', '"-5"'],
    ['ERROR_MAIL_THROTTLE_SECONDS', '5m', '"5m"'],
    ['ERROR_MAIL_MAX_PER_MINUTE', 'ten', '"ten"'],
    ['ERROR_MAIL_SEND_BUDGET_MS', '10', '"10"'],
    ['ERROR_MAIL_SEND_BUDGET_MS', '2s', '"2s"'],
    ['ERROR_MAIL_TIMEOUT_WARNING_MS', '-1', '"-1"'],
    ['ERROR_MAIL_DEDUPE_TABLE', 'ab', '"ab"'],
    ['ERROR_MAIL_DEDUPE_TABLE', 'my table', '"my table"'],
  ])('names %s, shows the value %j as %s and says what is expected', (variable, raw, shown) => {
    const problems = problemsOf({ [variable]: raw });

    expect(problems).toHaveLength(1);
    expect(problems[0]?.variable).toBe(variable);
    expect(problems[0]?.value).toBe(shown);
    expect(problems[0]?.expected).toMatch(/^(a|an|one|each|true|at most) /);
  });
});

describe('delivery settings', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      throttleSeconds: 300,
      maxPerMinute: 10,
      sendBudgetMs: 2000,
      timeoutWarningMs: 500,
      dedupeTable: undefined,
    });
  });

  it('reads each from its variable', () => {
    expect(
      loadConfig({
        ERROR_MAIL_THROTTLE_SECONDS: '0',
        ERROR_MAIL_MAX_PER_MINUTE: '0',
        ERROR_MAIL_SEND_BUDGET_MS: '800',
        ERROR_MAIL_TIMEOUT_WARNING_MS: '0',
        ERROR_MAIL_DEDUPE_TABLE: 'shop-prod-error-mail',
      }),
    ).toMatchObject({
      throttleSeconds: 0,
      maxPerMinute: 0,
      sendBudgetMs: 800,
      timeoutWarningMs: 0,
      dedupeTable: 'shop-prod-error-mail',
    });
  });

  it('checks overrides given in code by the same ranges', () => {
    expect(() => loadConfig({}, { sendBudgetMs: 5 })).toThrow(
      /`ERROR_MAIL_SEND_BUDGET_MS`: a whole number from 50/,
    );
    expect(() => loadConfig({}, { maxPerMinute: 1.5 })).toThrow(/`ERROR_MAIL_MAX_PER_MINUTE`/);
  });
});
