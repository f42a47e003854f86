import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../dist/index.js';
import { previewBundledThrow } from '../helpers/cli.js';
import { cloudFormationTags, type Deferred, resolveValue } from '../helpers/cloudformation.js';

// The SAM example is checked as `sam build` and `sam deploy` would take it: cfn-lint (with the SAM
// transform) for the template, the settings each stage gets, and esbuild run with the template's own
// build properties.
const EXAMPLE = fileURLToPath(new URL('../../examples/sam/', import.meta.url));
const TEMPLATE_PATH = join(EXAMPLE, 'template.yaml');
const EVENT = fileURLToPath(new URL('../../events/http-api-500.json', import.meta.url));

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

interface SamTemplate {
  Parameters: { Stage: { AllowedValues: string[]; Default: string } };
  Globals: { Function: { Runtime: string; Environment: { Variables: Record<string, unknown> } } };
  Resources: Record<
    string,
    { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
}

const template = parse(readFileSync(TEMPLATE_PATH, 'utf8'), {
  customTags: cloudFormationTags,
}) as SamTemplate;
const fn = template.Resources.AppFunction!;
const table = template.Resources.ErrorMailDedupeTable!;

/** CloudFormation's name for a resource it names itself, as its `Ref` gives it at deploy time. */
const physicalName = (logicalId: string) => `example-stack-${logicalId}-1X2Y3Z4W5V6U`;

/** The environment a stage's function starts with, as CloudFormation would fill it in. */
function stageEnvironment(stage: string): Record<string, string> {
  const variables = resolveValue(template, template.Globals.Function.Environment.Variables, { Stage: stage });
  return Object.fromEntries(
    Object.entries(variables as Record<string, string | Deferred>).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      if (value.Ref !== undefined) return [name, physicalName(value.Ref)];
      throw new Error(`\`${name}\` is not a string or a resource's \`Ref\`: ${JSON.stringify(value)}`);
    }),
  );
}

let out: string;

beforeAll(async () => {
  out = realpathSync(mkdtempSync(join(tmpdir(), 'lem-sam-')));
  const properties = fn.Metadata?.BuildProperties as {
    EntryPoints: string[];
    Target: string;
    Minify: boolean;
    Sourcemap: boolean;
    External: string[];
  };
  // `sam build`'s esbuild: bundled, for Node, CommonJS unless told otherwise.
  await build({
    entryPoints: properties.EntryPoints.map((entry) => join(EXAMPLE, entry)),
    outdir: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: properties.Target,
    minify: properties.Minify,
    sourcemap: properties.Sourcemap,
    external: properties.External,
    logLevel: 'error',
  });
}, 60_000);

afterAll(() => {
  if (out !== undefined) rmSync(out, { recursive: true, force: true });
});

describe('examples/sam/template.yaml', () => {
  it('passes cfn-lint with the SAM transform', () => {
    const lint = spawnSync('cfn-lint', ['--format', 'parseable', TEMPLATE_PATH], { encoding: 'utf8' });

    expect(lint.error, 'cfn-lint is not installed: `pip install cfn-lint`').toBeUndefined();
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });

  it('sends nothing from dev and mails the on-call list from prod, with settings loadConfig accepts', () => {
    const dev = loadConfig(stageEnvironment('dev'));
    const prod = loadConfig(stageEnvironment('prod'));

    expect(template.Parameters.Stage.AllowedValues).toEqual(['dev', 'prod']);
    expect(dev.debug).toBe(true);
    expect(dev.dedupeTable).toBeUndefined();
    expect(prod.debug).toBe(false);
    expect(prod.admins.map(String)).toEqual(['oncall@example.com', 'lead@example.com']);
    expect(prod.managers.map(String)).toEqual(['web@example.com']);
    expect(prod.serverEmail).toBe('errors@example.com');
    expect(prod.sendBrokenLinkEmails).toBe(true);
    expect(prod.subjectPrefix).toBe('[example-stack] ');
    expect(prod.dedupeTable).toBe(physicalName('ErrorMailDedupeTable'));
  });

  it('grants SendRawEmail and the two dedupe writes on the table, and nothing else', () => {
    const policies = fn.Properties.Policies as { Statement: Statement[] }[];

    expect(policies.flatMap((policy) => policy.Statement)).toEqual([
      { Effect: 'Allow', Action: 'ses:SendRawEmail', Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
        Resource: { 'Fn::GetAtt': ['ErrorMailDedupeTable', 'Arn'] },
      },
    ]);
  });

  it('keys the dedupe table by `pk` and lets items expire by `expiresAt`', () => {
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.Properties.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });

  it('runs on Node 24, built by esbuild with a source map', () => {
    expect(template.Globals.Function.Runtime).toBe('nodejs24.x');
    expect(fn.Metadata?.BuildMethod).toBe('esbuild');
    expect(fn.Properties.Handler).toBe('handler.handler');
    expect(readFileSync(join(out, 'handler.js'), 'utf8')).toMatch(
      /\/\/# sourceMappingURL=handler\.js\.map\n$/,
    );
  });

  it("shows the prod stage's mail with the traceback in handler.ts, not in the bundle", async () => {
    const { result, sourceLine, sourceText } = await previewBundledThrow({
      bundle: join(out, 'handler.js'),
      source: join(EXAMPLE, 'handler.ts'),
      event: EVENT,
      env: stageEnvironment('prod'),
    });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`at <preview> \\(.*examples/sam/handler\\.ts:${sourceLine}:\\d+\\)`),
    );
    expect(result.stdout).toContain(`        ${sourceText}\n`);
    expect(result.stdout).not.toContain('handler.js:');
  });
});
