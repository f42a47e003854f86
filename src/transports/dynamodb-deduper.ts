import type { Deduper } from '../core/ports.js';

// One client per container, created on the first claim; the SDK module is loaded only then.
let client: import('@aws-sdk/client-dynamodb').DynamoDBClient | undefined;
let sdk: typeof import('@aws-sdk/client-dynamodb') | undefined;

// Items outlive their window by an hour, then DynamoDB's TTL deletes them.
const TTL_SLACK_SECONDS = 3600;

/**
 * Decides across containers which one mails a fingerprint in a window: a
 * conditional PutItem of `<fingerprint>#<window start>` succeeds for the
 * first container only. The table needs a string partition key `pk`; turn on
 * TTL on the attribute `expiresAt` to clear old items. Region, credentials and
 * endpoint come from the AWS SDK (`AWS_ENDPOINT_URL_DYNAMODB` for a local one).
 */
export function createDynamoDbDeduper(table: string): Deduper {
  return {
    async claim(fingerprint, windowStart, windowEnd, signal) {
      sdk ??= await import('@aws-sdk/client-dynamodb');
      client ??= new sdk.DynamoDBClient({ maxAttempts: 2 });
      try {
        await client.send(
          new sdk.PutItemCommand({
            TableName: table,
            Item: {
              pk: { S: `${fingerprint}#${windowStart}` },
              fingerprint: { S: fingerprint },
              expiresAt: { N: String(Math.ceil(windowEnd / 1000) + TTL_SLACK_SECONDS) },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
          { abortSignal: signal },
        );
        return true;
      } catch (error) {
        if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  };
}
