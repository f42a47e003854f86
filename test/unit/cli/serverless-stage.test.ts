// biome-ignore-all lint/suspicious/noTemplateCurlyInString: serverless.yml variables are written as ${...} text
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../helpers/fast-check.js';
import { FunctionEnvError, stageEnvironment } from '../../../src/cli/serverless-stage.js';

const SERVERLESS_YML = readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8');

const resolve = (text: string, stage = 'dev', shell: Record<string, string> = {}) =>
  stageEnvironment({ text, file: 'serverless.yml', stage, shell });

/** The one-line message `text` is refused with. */
function refusal(text: string, stage = 'dev', shell: Record<string, string> = {}): string {
  try {
    resolve(text, stage, shell);
  } catch (error) {
    expect(error).toBeInstanceOf(FunctionEnvError);
    return (error as Error).message;
  }
  throw new Error('not refused');
}

describe('stageEnvironment', () => {
  it("resolves this repository's local stage, its ${env:...} defaults and the shell's values", () => {
    const fromDefaults = resolve(SERVERLESS_YML, 'local');
    const fromShell = resolve(SERVERLESS_YML, 'local', { AWS_ENDPOINT_URL_SES: 'http://127.0.0.1:9999' });

    expect(fromDefaults).toEqual({
      ADMINS: 'ops@example.com,"Mary Ng" <mary@example.com>',
      MANAGERS: 'content@example.com',
      SERVER_EMAIL: 'errors@example.com',
      SEND_BROKEN_LINK_EMAILS: 'true',
      ERROR_MAIL_CAPTURE_LOGS: 'true',
      ERROR_MAIL_THROTTLE_SECONDS: '0',
      EMAIL_SUBJECT_PREFIX: '[demo local] ',
      AWS_ENDPOINT_URL_SES: 'http://127.0.0.1:8005',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
    });
    expect(fromShell.AWS_ENDPOINT_URL_SES).toBe('http://127.0.0.1:9999');
  });

  it("resolves the prod stage's ${self:...} chain through ${self:service} and ${sls:stage}", () => {
    const env = resolve(SERVERLESS_YML, 'prod');

    expect(env.ERROR_MAIL_DEDUPE_TABLE).toBe('lambda-error-mail-demo-prod-error-mail');
    expect(env.ADMINS).toBe('oncall@example.com,lead@example.com');
  });

  it('resolves ${opt:...} to the stage or its fallback, fallbacks in order, and leaves out a null value', () => {
    const env = resolve(
      [
        'provider:',
        "  region: ${opt:region, 'eu-west-1'}",
        '  environment:',
        "    STAGE: ${opt:stage, 'local'}",
        '    CHAIN: ${env:NOPE, ${env:ALSO_NOPE}, "third"}',
        '    NUMBER: ${env:NOPE, 7}',
        '    INSIDE: x-${sls:stage}-${self:provider.region}',
        '    GONE: null',
      ].join('\n'),
      'qa',
    );

    expect(env).toEqual({
      STAGE: 'qa',
      CHAIN: 'third',
      NUMBER: '7',
      INSIDE: 'x-qa-eu-west-1',
      AWS_REGION: 'eu-west-1',
    });
  });

  const cannot = ', which this command cannot resolve';
  it.each([
    [
      '    A: ${ssm:/shop/admins}',
      `\`\${ssm:/shop/admins}\` reads a parameter in AWS Systems Manager${cannot}`,
    ],
    ['    A: ${cf:shop.Output}', `\`\${cf:shop.Output}\` reads a CloudFormation stack output${cannot}`],
    ['    A: ${file(./mail.yml):admins}', `\`\${file(./mail.yml):admins}\` reads another file${cannot}`],
    ['    A: ${aws:accountId}', `\`\${aws:accountId}\` reads the AWS account${cannot}`],
    ['    A: ${sls:instanceId}', `\`\${sls:instanceId}\` reads the framework${cannot}`],
    ['    A: ${env:MISSING}', '`${env:MISSING}` has no value and no fallback'],
    ['    A: ${self:custom.nothing}', '`${self:custom.nothing}`: serverless.yml has no `custom.nothing`'],
    ['    A: !Ref Thing', '`provider.environment.A` uses the tag !Ref, which this reader does not resolve'],
  ])('refuses %j with its file:line', (line, message) => {
    const text = `provider:\n  environment:\n${line}\n`;

    expect(refusal(text)).toBe(`serverless.yml:3: ${message}`);
  });

  it('refuses a stage that has no map, naming the expression and its line', () => {
    expect(refusal(SERVERLESS_YML, 'staging')).toMatch(
      /^serverless\.yml:\d+: `\$\{self:custom\.mail\.\$\{sls:stage\}\}`: serverless\.yml has no `custom\.mail\.staging`$/,
    );
  });

  it('takes any value of the shell as it is, alone or inside a text, never resolving it again', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (value) => {
        const env = resolve('provider:\n  environment:\n    A: ${env:V}\n    B: pre-${env:V}-post\n', 'dev', {
          V: value,
        });

        expect(env.A).toBe(value);
        expect(env.B).toBe(`pre-${value}-post`);
      }),
    );
  });
});
