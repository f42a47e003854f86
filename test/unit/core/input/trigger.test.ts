import { readFileSync } from 'node:fs';
import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { errorMail, type Mail, withErrorMail } from '../../../../src/index.js';
import { lambdaContext } from '../../../helpers/context.js';
import {
  mailEnv,
  type RecordingTransport,
  recordingTransport,
} from '../../../helpers/recording-transport.js';

const sample = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../../events/${name}`, import.meta.url), 'utf8'));
const context = () => lambdaContext({ functionName: 'shop-prod-worker' });

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
const shapes: [string, (base: Handler, transport: RecordingTransport) => Handler][] = [
  ['withErrorMail', (base, transport) => withErrorMail(base, { env: mailEnv(), transport })],
  [
    'errorMail()',
    (base, transport) => middy(base).use(errorMail({ env: mailEnv(), transport })) as unknown as Handler,
  ],
];

// [sample, subject after the prefix, lines the event section holds]
const triggers: [string, string, string[]][] = [
  [
    'sqs.json',
    'ERROR: TypeError in shop-prod-worker (SQS orders-queue)',
    [
      'Trigger: SQS',
      'Source: orders-queue',
      'Records: 3',
      'Record ids: 059f36b4-87a3-44ab-83d2-6619718fb9a2, 059f36b4-87a3-44ab-83d2-6619728fb9a2, 059f36b4-87a3-44ab-83d2-6619738fb9a2',
    ],
  ],
  [
    'sns.json',
    'ERROR: TypeError in shop-prod-worker (SNS order-events)',
    [
      'Trigger: SNS',
      'Source: order-events',
      'Records: 1',
      'Record ids: 95df01b4-ee98-5cb9-9903-4c221d41eb5e',
    ],
  ],
  [
    'eventbridge.json',
    'ERROR: TypeError in shop-prod-worker (EventBridge shop-bus/order-placed-to-worker)',
    [
      'Trigger: EventBridge',
      'Source: shop-bus/order-placed-to-worker',
      'Record ids: 17793124-05d4-b198-2fde-7ededc63b103',
    ],
  ],
  [
    'eventbridge-schedule.json',
    'ERROR: TypeError in shop-prod-worker (EventBridge schedule nightly-report)',
    ['Trigger: EventBridge schedule', 'Source: nightly-report'],
  ],
  [
    's3.json',
    'ERROR: TypeError in shop-prod-worker (S3 shop-invoices)',
    ['Trigger: S3', 'Source: shop-invoices', 'Records: 1', 'Record ids: invoices/2026/11/o-101.pdf'],
  ],
  [
    'dynamodb-stream.json',
    'ERROR: TypeError in shop-prod-worker (DynamoDB Streams Orders)',
    ['Trigger: DynamoDB Streams', 'Source: Orders', 'Records: 2'],
  ],
  [
    'kinesis.json',
    'ERROR: TypeError in shop-prod-worker (Kinesis clickstream)',
    ['Trigger: Kinesis', 'Source: clickstream', 'Records: 2'],
  ],
  [
    'cognito-pre-signup.json',
    'ERROR: TypeError in shop-prod-worker (Cognito us-east-1_EXAMPLE PreSignUp_SignUp)',
    ['Trigger: Cognito', 'Source: us-east-1_EXAMPLE PreSignUp_SignUp', 'Record ids: ann'],
  ],
  ['direct.json', 'ERROR: TypeError in shop-prod-worker (Direct invocation)', ['Trigger: Direct invocation']],
];

function secretsShown(mail: Mail): string[] {
  const all = `${mail.text}${mail.html}`;
  return ['tok_visa_4242', 'sk_live_abc123'].filter((secret) => all.includes(secret));
}

describe.each(shapes)('non-HTTP triggers through %s', (_shape, wrap) => {
  it.each(triggers)('%s: mails ADMINS with the event summary', async (name, subject, lines) => {
    const transport = recordingTransport();
    const failure = new TypeError('cannot read properties of undefined');
    const handler = wrap(async () => {
      throw failure;
    }, transport);

    const caught = await handler(sample(name), context()).catch((e: unknown) => e);

    expect(caught).toBe(failure);
    expect(transport.mails.map((m) => m.subject)).toEqual([`[shop] ${subject}`]);
    const text = transport.mails[0]!.text;
    for (const line of lines) expect(text).toContain(`\n${line}\n`);
    expect(text).toMatch(/\n(First record|Event):\n\{\n/);
    expect(secretsShown(transport.mails[0]!)).toEqual([]);
  });

  it.each([
    ['sqs.json', '059f36b4-87a3-44ab-83d2-6619728fb9a2', 'SQS orders-queue', '1 of 3'],
    [
      'kinesis.json',
      'shardId-000000000006:49590338769546792155738021553025420113570620587000000002',
      'Kinesis clickstream',
      '1 of 2',
    ],
    ['dynamodb-stream.json', 'c4ca4238a0b923820dcc509a6f758492', 'DynamoDB Streams Orders', '1 of 2'],
  ])(
    '%s: mails one report listing the failed items of a partial batch response',
    async (name, failedId, from, count) => {
      const transport = recordingTransport();
      const result = { batchItemFailures: [{ itemIdentifier: failedId }] };
      const handler = wrap(async () => result, transport);

      expect(await handler(sample(name), context())).toBe(result);
      expect(transport.mails.map((m) => m.subject)).toEqual([
        `[shop] ERROR: ${count} records failed in shop-prod-worker (${from})`,
      ]);
      expect(transport.mails[0]?.text).toContain(`\nFailed items: ${failedId}\n`);
      expect(transport.mails[0]?.text).toContain(
        'Traceback: None (the handler returned the failed items without throwing)',
      );
    },
  );

  it('sends nothing for a batch response with no failures', async () => {
    const transport = recordingTransport();
    const handler = wrap(async () => ({ batchItemFailures: [] }), transport);

    await handler(sample('sqs.json'), context());

    expect(transport.mails).toEqual([]);
  });
});

describe('the X-Ray trace id', () => {
  it('is read from _X_AMZN_TRACE_ID at each report, as the runtime sets it per invocation', async () => {
    const transport = recordingTransport();
    const env: Record<string, string> = {
      ...mailEnv(),
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
    };
    const handler = withErrorMail(
      async (event: { n: number }) => {
        throw new Error(`run ${event.n}`);
      },
      { env, transport },
    );

    await handler({ n: 1 }, context()).catch(() => {});
    env._X_AMZN_TRACE_ID = 'Root=1-6759e988-00000000000000000000002;Sampled=0';
    await handler({ n: 2 }, { ...context(), functionName: 'shop-prod-worker-2' }).catch(() => {});

    expect(transport.mails[0]?.text).toContain(
      'X-Ray trace = Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
    );
    expect(transport.mails[1]?.text).toContain(
      'X-Ray trace = Root=1-6759e988-00000000000000000000002;Sampled=0',
    );
  });
});
