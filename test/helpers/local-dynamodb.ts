import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';

type Dynalite = (options: { createTableMs: number }) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

/** A real DynamoDB implementation (dynalite), in memory, on 127.0.0.1 and a free port, with one table. */
export async function startLocalDynamoDb(table: string) {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint: url, region: 'us-east-1' });
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return {
    url,
    async items() {
      return (await client.send(new ScanCommand({ TableName: table }))).Items ?? [];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        server.close(() => resolve());
      }),
  };
}

type LocalDynamoDb = Awaited<ReturnType<typeof startLocalDynamoDb>>;

/**
 * Starts a local DynamoDB with `table` before this file's tests and stops it after them, pointing the
 * SDK's own variable at it (the library's DynamoDB client finds it with no code of ours); `items()`
 * reads the table.
 */
export function useLocalDynamoDb(table: string): Pick<LocalDynamoDb, 'items'> {
  let dynamo: LocalDynamoDb | undefined;
  beforeAll(async () => {
    dynamo = await startLocalDynamoDb(table);
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.url;
  });
  afterAll(async () => {
    await dynamo?.stop();
  });
  return {
    items: async () => {
      if (dynamo === undefined) throw new Error('the local DynamoDB has not started');
      return dynamo.items();
    },
  };
}
