import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { withErrorMail } from '../../src/index.js';
import { lambdaContext } from '../helpers/events.js';
import { mailsMarked } from '../helpers/local-ses.js';
import { mailEnv } from '../helpers/recording-transport.js';

const sesUrl = inject('sesUrl');

describe('non-HTTP triggers through the real SES client', () => {
  it.each([
    ['sqs.json', 'ERROR: TypeError in shop-prod-worker (SQS orders-queue)'],
    ['sns.json', 'ERROR: TypeError in shop-prod-worker (SNS order-events)'],
    [
      'eventbridge.json',
      'ERROR: TypeError in shop-prod-worker (EventBridge shop-bus/order-placed-to-worker)',
    ],
    [
      'eventbridge-schedule.json',
      'ERROR: TypeError in shop-prod-worker (EventBridge schedule nightly-report)',
    ],
    ['s3.json', 'ERROR: TypeError in shop-prod-worker (S3 shop-invoices)'],
    ['dynamodb-stream.json', 'ERROR: TypeError in shop-prod-worker (DynamoDB Streams Orders)'],
    ['kinesis.json', 'ERROR: TypeError in shop-prod-worker (Kinesis clickstream)'],
    [
      'cognito-pre-signup.json',
      'ERROR: TypeError in shop-prod-worker (Cognito us-east-1_EXAMPLE PreSignUp_SignUp)',
    ],
    ['direct.json', 'ERROR: TypeError in shop-prod-worker (Direct invocation)'],
  ])('%s arrives with the subject %j', async (name, subject) => {
    const marker = randomUUID();
    const event: unknown = JSON.parse(readFileSync(new URL(`../../events/${name}`, import.meta.url), 'utf8'));
    const handler = withErrorMail(
      async (_event: unknown) => {
        throw new TypeError('cannot read properties of undefined');
      },
      { env: mailEnv({ EMAIL_SUBJECT_PREFIX: `[${marker}] ` }) },
    );

    await handler(event, lambdaContext({ functionName: 'shop-prod-worker' })).catch(() => {});

    const mails = await mailsMarked(sesUrl, marker);
    expect(mails.map((m) => m.subject)).toEqual([`[${marker}] ${subject}`]);
    expect(mails[0]?.body.text).toContain('Event information:');
  });
});
