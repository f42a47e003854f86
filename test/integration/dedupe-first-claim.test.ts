import { describe, expect, it } from 'vitest';
import type { SendTime } from '../../src/index.js';
import { createDynamoDbDeduper } from '../../src/transports/dynamodb-deduper.js';
import { useLocalDynamoDb } from '../helpers/local-dynamodb.js';

const TABLE = 'error-mail-first-claim';
const dynamo = useLocalDynamoDb(TABLE);

const at128Mb = (leftMs: number): SendTime => ({
  leftMs: () => leftMs,
  untilDeadlineMs: () => undefined,
  cpuShare: 128 / 1769,
});

// This file's module graph is fresh (vitest runs each file in its own): its first claim is a container's.
describe("the DynamoDB deduper's first claim at the CPU share of 128 MB", () => {
  it('loads the client only when that fits, then claims through the real client', async () => {
    const deduper = createDynamoDbDeduper(TABLE);
    const signal = new AbortController().signal;
    const windowEnd = Date.now() + 300_000;

    const refused = await deduper.claim('f1', 0, windowEnd, signal, at128Mb(1000)).catch((e: unknown) => e);
    const itemsAfterRefusal = await dynamo.items();
    const claimed = await deduper.claim('f1', 0, windowEnd, signal, at128Mb(5000));

    expect(String(refused)).toBe(
      'NotInTimeError: loading the DynamoDB client was not started: it takes about 1590 ms at 7.2% of a vCPU, and 1000 ms of the send budget were left; a later send takes it',
    );
    expect(itemsAfterRefusal).toEqual([]);
    expect(claimed).toBe(true);
    expect(await dynamo.items()).toMatchObject([{ pk: { S: 'f1#0' } }]);
  });
});
