import { randomUUID } from 'node:crypto';
import type { Deduper, SendTime } from '../core/ports.js';
import { FIRST_USE_CPU_MS, firstUse, firstUseOnce, loadDependency } from './load-dependency.js';

// One client per container, created on the first claim; the SDK module is loaded only then.
let client: import('@aws-sdk/client-dynamodb').DynamoDBClient | undefined;
let sdk: typeof import('@aws-sdk/client-dynamodb') | undefined;
// The client's first request in this container runs the SDK's code for the first time. Its time may
// hold the SDK's retry: it does not pace the steps after it.
const firstRequest = firstUseOnce(
  FIRST_USE_CPU_MS.firstDynamoDbRequest,
  "this container's first DynamoDB request",
  false,
);

// Items outlive their window by an hour, then DynamoDB's TTL deletes them.
const TTL_SLACK_SECONDS = 3600;

/**
 * Decides across containers which one mails a fingerprint in a window: a
 * conditional PutItem of `<fingerprint>#<window start>` succeeds for the
 * first container only (and again for that container: the item names it in
 * `claimedBy`). When its mail cannot be sent, a conditional DeleteItem gives
 * the claim back, so another container may mail the error; the reporter asks
 * for it only when none of its sends of that window is in flight or delivered. The table needs a
 * string partition key `pk`; turn on TTL on the attribute `expiresAt` to clear
 * old items; the role needs `dynamodb:PutItem` and `dynamodb:DeleteItem`.
 * Region, credentials and endpoint come from the AWS SDK
 * (`AWS_ENDPOINT_URL_DYNAMODB` for a local one).
 */
export function createDynamoDbDeduper(table: string): Deduper {
  // Who this container is to the table: one deduper per wrapped handler, made on its first report.
  const owner = randomUUID();
  const load = async (time?: SendTime) => {
    sdk ??= await firstUse(time, FIRST_USE_CPU_MS.dynamoDbClient, 'loading the DynamoDB client', () =>
      loadDependency('@aws-sdk/client-dynamodb', () => import('@aws-sdk/client-dynamodb')),
    );
    client ??= new sdk.DynamoDBClient({ maxAttempts: 2 });
    return { sdk, client };
  };
  return {
    async claim(fingerprint, windowStart, windowEnd, signal, time) {
      const { sdk, client } = await load(time);
      const put = () =>
        client.send(
          new sdk.PutItemCommand({
            TableName: table,
            Item: {
              pk: { S: `${fingerprint}#${windowStart}` },
              fingerprint: { S: fingerprint },
              claimedBy: { S: owner },
              expiresAt: { N: String(Math.ceil(windowEnd / 1000) + TTL_SLACK_SECONDS) },
            },
            ConditionExpression: 'attribute_not_exists(pk) OR claimedBy = :owner',
            ExpressionAttributeValues: { ':owner': { S: owner } },
          }),
          { abortSignal: signal },
        );
      // Refused on its condition, the request itself ran: the claim is another container's.
      return firstRequest(time, () =>
        put().then(
          () => true,
          (error: unknown) => {
            if (conditionFailed(error)) return false;
            throw error;
          },
        ),
      );
    },
    async release(fingerprint, windowStart, signal) {
      const { sdk, client } = await load();
      try {
        await client.send(
          new sdk.DeleteItemCommand({
            TableName: table,
            Key: { pk: { S: `${fingerprint}#${windowStart}` } },
            ConditionExpression: 'claimedBy = :owner',
            ExpressionAttributeValues: { ':owner': { S: owner } },
          }),
          { abortSignal: signal },
        );
      } catch (error) {
        // Another container's claim, or none: nothing of ours to give back.
        if (!conditionFailed(error)) throw error;
      }
    },
  };
}

function conditionFailed(error: unknown): boolean {
  return (error as { name?: unknown }).name === 'ConditionalCheckFailedException';
}
