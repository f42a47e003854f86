import { fileURLToPath } from 'node:url';
import { type App, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';

/** The stages this app deploys, each with its own settings below. */
export type Stage = 'dev' | 'prod';

/** One map of settings per stage: dev sends nothing, prod mails the on-call list. */
export const MAIL_SETTINGS: Readonly<Record<Stage, Readonly<Record<string, string>>>> = {
  dev: { DEBUG: 'true', ADMINS: '' },
  prod: {
    ADMINS: 'oncall@example.com,lead@example.com',
    MANAGERS: 'web@example.com',
    SERVER_EMAIL: 'errors@example.com',
    SEND_BROKEN_LINK_EMAILS: 'true',
  },
};

/**
 * The stage named by `cdk deploy -c stage=NAME`; `dev` when none is named.
 *
 * @example
 * stageOf(new App({ context: { stage: 'prod' } })); // 'prod'
 */
export function stageOf(app: App): Stage {
  const stage: unknown = app.node.tryGetContext('stage') ?? 'dev';
  if (stage === 'dev' || stage === 'prod') return stage;
  throw new Error(
    `\`stage\` must be one of ${Object.keys(MAIL_SETTINGS).join(', ')}; got ${JSON.stringify(stage)}`,
  );
}

/** What {@link ErrorMailStack} needs beyond a stack's own properties. */
export interface ErrorMailStackProps extends StackProps {
  /** Picks the function's settings from {@link MAIL_SETTINGS}. */
  readonly stage: Stage;
}

/**
 * One function behind a function URL that mails through SES, with the table that keeps one mail per
 * error across containers.
 *
 * @example
 * new ErrorMailStack(app, 'ErrorMailProd', { stage: 'prod' });
 */
export class ErrorMailStack extends Stack {
  constructor(scope: Construct, id: string, props: ErrorMailStackProps) {
    super(scope, id, props);

    // Decides which container mails an error in a window; items expire by TTL, so it stays tiny.
    const dedupe = new Table(this, 'ErrorMailDedupeTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const fn = new NodejsFunction(this, 'AppFunction', {
      entry: fileURLToPath(new URL('./handler.ts', import.meta.url)),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      // 256 MB: the first error of a container reads the bundle's source map within the send budget.
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: {
        ...MAIL_SETTINGS[props.stage],
        EMAIL_SUBJECT_PREFIX: `[${this.stackName}] `,
        // One mail per error per window across all containers; dev keeps the per-container window.
        ...(props.stage === 'prod' ? { ERROR_MAIL_DEDUPE_TABLE: dedupe.tableName } : {}),
      },
      bundling: {
        // The map ships beside the bundle; the mail's traceback names handler.ts and its lines.
        sourceMap: true,
        target: 'node24',
        // The Lambda runtime ships AWS SDK v3.
        externalModules: ['@aws-sdk/*'],
      },
    });

    // All the library needs: SendRawEmail. Narrow the resource to your verified identity.
    fn.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendRawEmail'], resources: ['*'] }));
    // Cross-container dedupe: one conditional write per mail, and a conditional delete that gives
    // the window back when the mail could not be sent.
    dedupe.grant(fn, 'dynamodb:PutItem', 'dynamodb:DeleteItem');

    const url = fn.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
    new CfnOutput(this, 'Url', { value: url.url, description: 'GET /boom sends the first mail in prod.' });
  }
}
