// biome-ignore-all lint/suspicious/noTemplateCurlyInString: serverless.yml variables are written as ${...} text
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const EVENT = fileURLToPath(new URL('../../events/http-api-500.json', import.meta.url));
// What a developer's shell holds and a function does not.
const SHELL = { HOME: '/home/dev', npm_config_cache: '/home/dev/.npm', SHELL_ONLY: 'from-the-shell' };

const scratch = mkdtempSync(join(tmpdir(), 'lem-stage-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder holding `serverless.yml` with `text`, in the scratch folder. */
function project(name: string, text: string): string {
  const dir = join(scratch, name);
  const made = mkdtempSync(`${dir}-`);
  writeFileSync(join(made, 'serverless.yml'), text);
  return made;
}

/** The variable names of the mail's Settings section, as printed by `preview`. */
function settingsNames(stdout: string): string[] {
  const section = stdout.split('Environment variables of the function (sensitive names hidden):\n')[1] ?? '';
  return section
    .split('\n\n')[0]
    ?.split('\n')
    .flatMap((line) => /^([A-Za-z_][A-Za-z0-9_]*) = /.exec(line)?.[1] ?? []) as string[];
}

describe('lambda-error-mail --stage', () => {
  it("previews the local stage of this repository's serverless.yml, listing only the stage's variables", async () => {
    const result = await runCli(['preview', EVENT, '--stage', 'local'], SHELL, { cwd: REPO });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^From: errors@example.com\nTo: ops@example.com, "Mary Ng" <mary@example.com>\n/,
    );
    expect(result.stdout).toContain(
      'Subject: [demo local] ERROR (EXTERNAL IP): Internal Server Error: /boom\n',
    );
    expect(settingsNames(result.stdout)).toEqual([
      'ADMINS',
      'AWS_ACCESS_KEY_ID',
      'AWS_ENDPOINT_URL_SES',
      'AWS_REGION',
      'AWS_SECRET_ACCESS_KEY',
      'EMAIL_SUBJECT_PREFIX',
      'ERROR_MAIL_CAPTURE_LOGS',
      'ERROR_MAIL_THROTTLE_SECONDS',
      'MANAGERS',
      'SEND_BROKEN_LINK_EMAILS',
      'SERVER_EMAIL',
    ]);
    expect(result.stdout).not.toMatch(/PATH|HOME|npm_config|SHELL_ONLY/);
    expect(result.stderr).toContain('Nothing was sent.');
    expect(result.stderr).not.toContain("this shell's variables");
  });

  it('checks the local stage, taking an ${env:...} from the shell when it is set and the default when not', async () => {
    const byDefault = await runCli(['check-config', '--stage', 'local'], SHELL, { cwd: REPO });
    const fromShell = await runCli(
      ['check-config', '--stage', 'local'],
      { ...SHELL, EMAIL_SUBJECT_PREFIX: '[mine] ', AWS_ENDPOINT_URL_SES: 'http://127.0.0.1:9999' },
      { cwd: REPO },
    );

    expect(byDefault.code).toBe(0);
    expect(byDefault.stdout).toContain('lambda-error-mail settings, read from serverless.yml, stage local:');
    expect(byDefault.stdout).toMatch(/\n {2}EMAIL_SUBJECT_PREFIX +"\[demo local\] "\n/);
    expect(byDefault.stdout).toContain(
      'in us-east-1, endpoint http://127.0.0.1:8005 (AWS_ENDPOINT_URL_SES).',
    );
    expect(byDefault.stdout).toContain('Broken links: mailed to 1 address in MANAGERS.');
    expect(fromShell.stdout).toMatch(/\n {2}EMAIL_SUBJECT_PREFIX +"\[mine\] "\n/);
    expect(fromShell.stdout).toContain('endpoint http://127.0.0.1:9999 (AWS_ENDPOINT_URL_SES)');
  });

  it('checks the prod stage, its table name built from ${self:service} and ${sls:stage}', async () => {
    const result = await runCli(['check-config', '--stage', 'prod'], SHELL, { cwd: REPO });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\n {2}ERROR_MAIL_DEDUPE_TABLE +lambda-error-mail-demo-prod-error-mail\n/);
    expect(result.stdout).toMatch(/\n {2}ADMINS +oncall@example.com, lead@example.com\n/);
  });

  it.each([
    ['${ssm:/shop/admins}', 'reads a parameter in AWS Systems Manager, which this command cannot resolve'],
    [
      '${cf:shop-prod.AdminsOutput}',
      'reads a CloudFormation stack output, which this command cannot resolve',
    ],
    ['${file(./admins.yml):list}', 'reads another file, which this command cannot resolve'],
    ['${env:LEM_NOT_SET}', 'has no value and no fallback'],
  ])('refuses %s in one line naming it and its file:line, exit 2', async (expression, why) => {
    const dir = project(
      'refuse',
      `service: shop\nprovider:\n  name: aws\n  environment:\n    SERVER_EMAIL: errors@example.com\n    ADMINS: ${expression}\n`,
    );

    const check = await runCli(['check-config', '--stage', 'prod'], SHELL, { cwd: dir });
    const shown = await runCli(['preview', EVENT, '--stage', 'prod'], SHELL, { cwd: dir });

    for (const [result, command] of [
      [check, 'check-config'],
      [shown, 'preview'],
    ] as const) {
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `lambda-error-mail ${command}: serverless.yml:6: \`${expression}\` ${why}\n`,
      );
    }
  });

  it('refuses a stage with no settings map, and a folder with no serverless.yml', async () => {
    const unknown = await runCli(['check-config', '--stage', 'staging'], SHELL, { cwd: REPO });
    const none = await runCli(['check-config', '--stage', 'prod'], SHELL, { cwd: scratch });

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^lambda-error-mail check-config: serverless\.yml:\d+: `\$\{self:custom\.mail\.\$\{sls:stage\}\}`: serverless\.yml has no `custom\.mail\.staging`\n$/,
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      '`--stage` reads serverless.yml in the working directory, and there is none',
    );
  });
});

describe('lambda-error-mail --env-file', () => {
  it("previews with the file's variables only, and checks them", async () => {
    const file = join(scratch, 'stage.env');
    writeFileSync(
      file,
      [
        '# the staging function',
        'export ADMINS="ops@example.com, \\"Ng, Mary\\" <mary@example.com>"',
        "SERVER_EMAIL='errors@example.com'",
        'EMAIL_SUBJECT_PREFIX=[staging]  # trailing comment',
        '',
      ].join('\n'),
    );

    const shown = await runCli(['preview', EVENT, '--env-file', file], SHELL);
    const check = await runCli(['check-config', '--env-file', file], SHELL);

    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(
      /^From: errors@example.com\nTo: ops@example.com, "Ng, Mary" <mary@example.com>\n/,
    );
    expect(shown.stdout).toContain('Subject: [staging]ERROR (EXTERNAL IP)');
    expect(settingsNames(shown.stdout)).toEqual(['ADMINS', 'EMAIL_SUBJECT_PREFIX', 'SERVER_EMAIL']);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`lambda-error-mail settings, read from ${file}:`);
    expect(check.stdout).toMatch(/\n {2}MANAGERS +.*\(default\)\n/);
  });

  it('refuses a line it does not read with its file:line, and --env-file with --stage', async () => {
    const file = join(scratch, 'bad.env');
    writeFileSync(file, 'ADMINS=ops@example.com\nSERVER_EMAIL="errors@example.com\n');

    const bad = await runCli(['check-config', '--env-file', file], SHELL);
    const both = await runCli(['check-config', '--env-file', file, '--stage', 'local'], SHELL, { cwd: REPO });

    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `lambda-error-mail check-config: ${file}:2: the quote does not close on its line (values over several lines are not read)\n`,
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('`--stage` and `--env-file` each give the whole environment; give one');
  });
});

describe('lambda-error-mail preview without --stage or --env-file', () => {
  it("lists the shell's variables and says so on standard error", async () => {
    const result = await runCli(['preview', EVENT], {
      ...SHELL,
      ADMINS: 'ops@example.com',
      SERVER_EMAIL: 'errors@example.com',
    });

    expect(result.code).toBe(0);
    expect(settingsNames(result.stdout)).toContain('SHELL_ONLY');
    expect(result.stderr).toContain(
      "Settings lists this shell's variables; `--stage NAME` or `--env-file FILE` lists only the function's.",
    );
  });
});
