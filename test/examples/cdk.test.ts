import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../dist/index.js';
import { ErrorMailStack, stageOf } from '../../examples/cdk/stack.js';
import { previewBundledThrow } from '../helpers/cli.js';

// The CDK example synthesized as `cdk synth` does it (NodejsFunction runs esbuild here, no Docker),
// without an AWS account: the settings each stage gets, the permissions, the table, and the bundle.
const HANDLER = fileURLToPath(new URL('../../examples/cdk/handler.ts', import.meta.url));
const CDK_JSON = fileURLToPath(new URL('../../examples/cdk/cdk.json', import.meta.url));
const EVENT = fileURLToPath(new URL('../../events/function-url-500.json', import.meta.url));

interface LambdaProperties {
  Runtime: string;
  Handler: string;
  Code: { S3Key: string };
  Environment: { Variables: Record<string, string | { Ref: string }> };
}

let outdir: string;
let templates: Record<'dev' | 'prod', Template>;

beforeAll(() => {
  outdir = realpathSync(mkdtempSync(join(tmpdir(), 'lem-cdk-')));
  const { context } = JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context: Record<string, unknown> };
  // cdk.json's context turns the template checks' findings into errors that stop the synth. Only prod's
  // function is bundled, as `cdk deploy ErrorMail-prod` bundles only the stack it deploys.
  const app = new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': ['ErrorMail-prod'] } });
  const dev = new ErrorMailStack(app, 'ErrorMail-dev', { stage: 'dev' });
  const prod = new ErrorMailStack(app, 'ErrorMail-prod', { stage: 'prod' });
  app.synth();
  templates = { dev: Template.fromStack(dev), prod: Template.fromStack(prod) };
}, 60_000);

afterAll(() => {
  if (outdir !== undefined) rmSync(outdir, { recursive: true, force: true });
});

/** The app's one function, as the stage's template holds it. */
function appFunction(stage: 'dev' | 'prod'): LambdaProperties {
  const functions = Object.values(templates[stage].findResources('AWS::Lambda::Function'));
  expect(functions).toHaveLength(1);
  return functions[0]?.Properties as LambdaProperties;
}

/** The environment a stage's function starts with; the table's `Ref` becomes a name as CloudFormation gives it. */
function stageEnvironment(stage: 'dev' | 'prod'): Record<string, string> {
  return Object.fromEntries(
    Object.entries(appFunction(stage).Environment.Variables).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : `ErrorMail-${stage}-${value.Ref}-1X2Y3Z4W5V6U`,
    ]),
  );
}

/** The logical id of the stage's dedupe table. */
function tableId(stage: 'dev' | 'prod'): string {
  const [id] = Object.keys(templates[stage].findResources('AWS::DynamoDB::Table'));
  return id ?? '';
}

describe('examples/cdk', () => {
  it('synthesizes with the template checks of cdk synth made errors by cdk.json, and they find nothing', () => {
    const { context } = JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context: Record<string, unknown> };
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: unknown[] }[];
    };

    expect(context['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
    expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
  });

  it('sends nothing from dev and mails the on-call list from prod, with settings loadConfig accepts', () => {
    const dev = loadConfig(stageEnvironment('dev'));
    const prod = loadConfig(stageEnvironment('prod'));

    expect(dev.debug).toBe(true);
    expect(dev.dedupeTable).toBeUndefined();
    expect(prod.debug).toBe(false);
    expect(prod.admins.map(String)).toEqual(['oncall@example.com', 'lead@example.com']);
    expect(prod.managers.map(String)).toEqual(['web@example.com']);
    expect(prod.serverEmail).toBe('errors@example.com');
    expect(prod.sendBrokenLinkEmails).toBe(true);
    expect(prod.subjectPrefix).toBe('[ErrorMail-prod] ');
    expect(appFunction('prod').Environment.Variables.ERROR_MAIL_DEDUPE_TABLE).toEqual({
      Ref: tableId('prod'),
    });
  });

  it('runs on Node 24 with the source map beside the bundle and named in it, Node left to its default', () => {
    const fn = appFunction('prod');
    const asset = join(outdir, `asset.${fn.Code.S3Key.replace(/\.zip$/, '')}`);

    expect(fn.Runtime).toBe('nodejs24.x');
    expect(fn.Handler).toBe('index.handler');
    // The library reads the map on the first error; `--enable-source-maps` would read it at every cold start.
    expect(fn.Environment.Variables.NODE_OPTIONS).toBeUndefined();
    expect(readFileSync(join(asset, 'index.js'), 'utf8')).toMatch(/\/\/# sourceMappingURL=index\.js\.map\n$/);
    expect(JSON.parse(readFileSync(join(asset, 'index.js.map'), 'utf8')).sources).toContainEqual(
      expect.stringMatching(/examples\/cdk\/handler\.ts$/),
    );
  });

  it('grants SendRawEmail and the two dedupe writes on the table, and nothing else', () => {
    const policies = Object.values(templates.prod.findResources('AWS::IAM::Policy'));

    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.PolicyDocument.Statement).toEqual([
      { Action: 'ses:SendRawEmail', Effect: 'Allow', Resource: '*' },
      {
        Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
        Effect: 'Allow',
        Resource: [{ 'Fn::GetAtt': [tableId('prod'), 'Arn'] }],
      },
    ]);
  });

  it('keys the dedupe table by `pk` and lets items expire by `expiresAt`', () => {
    templates.prod.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    templates.prod.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: Match.anyValue(),
    });
  });

  it('takes the stage from `-c stage=NAME`, dev by default, and refuses a stage it has no settings for', () => {
    expect(stageOf(new App({ outdir }))).toBe('dev');
    expect(stageOf(new App({ outdir, context: { stage: 'prod' } }))).toBe('prod');
    expect(() => stageOf(new App({ outdir, context: { stage: 'staging' } }))).toThrow(
      '`stage` must be one of dev, prod; got "staging"',
    );
  });

  it("shows the prod stage's mail with the traceback in handler.ts, not in the bundle", async () => {
    const asset = join(outdir, `asset.${appFunction('prod').Code.S3Key.replace(/\.zip$/, '')}`);

    const { result, sourceLine, sourceText } = await previewBundledThrow({
      bundle: join(asset, 'index.js'),
      source: HANDLER,
      event: EVENT,
      env: stageEnvironment('prod'),
    });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`at <preview> \\(.*examples/cdk/handler\\.ts:${sourceLine}:\\d+\\)`),
    );
    expect(result.stdout).toContain(`        ${sourceText}\n`);
    expect(result.stdout).not.toContain('index.js:');
  });
});
