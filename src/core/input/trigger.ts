import { readDurableEnvelope } from './durable.js';
import type { NameValue } from './request.js';
import { readProperty, readString } from './safe.js';

/** The kinds of non-HTTP invocation a report can name. */
export type TriggerKind =
  | 'SQS'
  | 'SNS'
  | 'S3'
  | 'DynamoDB Streams'
  | 'Kinesis'
  | 'EventBridge'
  | 'EventBridge schedule'
  | 'Cognito'
  | 'Durable execution'
  | 'Direct invocation';

/** What a non-HTTP event says about where it came from. */
export interface TriggerInfo {
  readonly kind: TriggerKind;
  /** The queue, topic, bucket, table, stream, bus and rule, or user pool, by name. */
  readonly source: string | undefined;
  /** Records in the batch, for batch triggers. */
  readonly recordCount: number | undefined;
  /** The ids of the records (messageId, eventID, object key...), all of them. */
  readonly recordIds: readonly string[];
  /** The first record (or the whole event for a single-event trigger), to be scrubbed and trimmed. */
  readonly firstRecord: unknown;
  /** Further facts about where the event came from (a durable execution's ARN), in the order shown. */
  readonly details?: readonly NameValue[] | undefined;
}

/** The last part of an ARN's resource: `arn:aws:sqs:us-east-1:123:orders-queue` -> `orders-queue`. */
export function nameFromArn(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const resource = arn.split(':').slice(5).join(':');
  if (resource === '') return undefined;
  return resource;
}

// Reads at most this many records of a batch, whatever the event claims.
const MAX_RECORDS_READ = 10_000;

/**
 * Recognises SQS, SNS, S3, DynamoDB Streams, Kinesis, EventBridge (scheduled
 * rules too) and Cognito events, and durable executions (by their envelope,
 * or `durable`, read from the SDK's context when the event is the user's
 * input); anything else that is not an HTTP event is a direct invocation.
 * Never throws.
 */
export function readTrigger(event: unknown, durable = readDurableEnvelope(event)): TriggerInfo {
  if (durable !== undefined) {
    return {
      kind: 'Durable execution',
      source: durable.name ?? durable.arn,
      recordCount: undefined,
      recordIds: [],
      // The user's input, not the envelope: its checkpoint token and step results are the SDK's.
      firstRecord: durable.input,
      details: durable.details,
    };
  }
  const records = readProperty(event, 'Records');
  if (Array.isArray(records) && records.length > 0) {
    const first: unknown = records[0];
    const source = readString(first, 'eventSource') ?? readString(first, 'EventSource');
    const ids = (key: (record: unknown) => string | undefined): string[] => {
      const out: string[] = [];
      for (let i = 0; i < Math.min(records.length, MAX_RECORDS_READ); i++) {
        const id = key(records[i]);
        if (id !== undefined) out.push(id);
      }
      return out;
    };
    const batch = (kind: TriggerKind, name: string | undefined, key: (r: unknown) => string | undefined) => ({
      kind,
      source: name,
      recordCount: records.length,
      recordIds: ids(key),
      firstRecord: first,
    });
    switch (source) {
      case 'aws:sqs':
        return batch('SQS', nameFromArn(readString(first, 'eventSourceARN')), (r) =>
          readString(r, 'messageId'),
        );
      case 'aws:sns':
        return batch('SNS', nameFromArn(readString(readProperty(first, 'Sns'), 'TopicArn')), (r) =>
          readString(readProperty(r, 'Sns'), 'MessageId'),
        );
      case 'aws:s3':
        return batch('S3', readString(readProperty(readProperty(first, 's3'), 'bucket'), 'name'), (r) =>
          readString(readProperty(readProperty(r, 's3'), 'object'), 'key'),
        );
      case 'aws:dynamodb': {
        // arn:aws:dynamodb:region:account:table/Orders/stream/2026-11-25T00:00:00.000
        const arn = nameFromArn(readString(first, 'eventSourceARN'));
        return batch('DynamoDB Streams', arn?.split('/')[1] ?? arn, (r) => readString(r, 'eventID'));
      }
      case 'aws:kinesis': {
        const arn = nameFromArn(readString(first, 'eventSourceARN'));
        return batch('Kinesis', arn?.replace(/^stream\//, ''), (r) => readString(r, 'eventID'));
      }
    }
  }
  const detailType = readString(event, 'detail-type');
  if (detailType !== undefined && readString(event, 'source') !== undefined) {
    const resources = readProperty(event, 'resources');
    const ruleArn = Array.isArray(resources)
      ? (resources.find((r) => typeof r === 'string') as string)
      : undefined;
    // rule/<name> on the default bus, rule/<bus>/<name> on another.
    const rule = nameFromArn(ruleArn)?.replace(/^rule\//, '');
    const scheduled = detailType === 'Scheduled Event' && readString(event, 'source') === 'aws.events';
    return {
      kind: scheduled ? 'EventBridge schedule' : 'EventBridge',
      source: rule ?? `${readString(event, 'source')} ${detailType}`,
      recordCount: undefined,
      recordIds: [readString(event, 'id')].filter((id): id is string => id !== undefined),
      firstRecord: event,
    };
  }
  const triggerSource = readString(event, 'triggerSource');
  const userPoolId = readString(event, 'userPoolId');
  if (triggerSource !== undefined && userPoolId !== undefined) {
    return {
      kind: 'Cognito',
      source: `${userPoolId} ${triggerSource}`,
      recordCount: undefined,
      recordIds: [readString(event, 'userName')].filter((id): id is string => id !== undefined),
      firstRecord: event,
    };
  }
  return {
    kind: 'Direct invocation',
    source: undefined,
    recordCount: undefined,
    recordIds: [],
    firstRecord: event,
  };
}

/** The `itemIdentifier`s of a returned partial batch response, or undefined when none failed. */
export function batchItemFailures(result: unknown): string[] | undefined {
  const failures = readProperty(result, 'batchItemFailures');
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  const ids: string[] = [];
  for (let i = 0; i < Math.min(failures.length, MAX_RECORDS_READ); i++) {
    const id = readProperty(failures[i], 'itemIdentifier');
    ids.push(typeof id === 'string' ? id : String(id));
  }
  return ids;
}
