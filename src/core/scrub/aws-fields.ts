/**
 * What applies to the members of one object of an event: the members shown whatever their name says,
 * and what applies inside each member (an array member: inside each of its items).
 */
export interface Layer {
  /** Members whose names the sensitive-name rule matches but which hold no secret. */
  readonly shown?: ReadonlySet<string>;
  readonly inside?: ReadonlyMap<string, Guide>;
}

/** Picks the {@link Layer} of an object from the object itself: a record says which service sent it. */
export type Guide = (node: Readonly<Record<string, unknown>>) => Layer | undefined;

function fields(shown: readonly string[], inside: readonly (readonly [string, Guide])[] = []): Layer {
  return { shown: new Set(shown), inside: new Map(inside) };
}

/** The same layer for any object at that place. */
function layer(shown: readonly string[], inside: readonly (readonly [string, Guide])[] = []): Guide {
  const fixed = fields(shown, inside);
  return () => fixed;
}

// An S3 object key is a file name (`invoices/2026/o-101.pdf`), the first thing a person looks for.
const s3Object = layer([], [['object', layer(['key'])]]);

// Records of the batch triggers, by their `eventSource` (`EventSource` for SNS).
const RECORDS = new Map<string, Guide>([
  ['aws:s3', layer([], [['s3', s3Object]])],
  // The item's primary key: which item failed. An attribute inside it is still hidden by its own name.
  ['aws:dynamodb', layer([], [['dynamodb', layer(['Keys'])]])],
  // The producer's shard key, usually a user or device id.
  ['aws:kinesis', layer([], [['kinesis', layer(['partitionKey'])]])],
  // The signature itself stays hidden: with the message it would let anyone replay the notification
  // to an endpoint that checks signatures. Its version is a number.
  ['aws:sns', layer([], [['Sns', layer(['SignatureVersion'])]])],
]);

function recordGuide(node: Readonly<Record<string, unknown>>): Layer | undefined {
  const source = node.eventSource ?? node.EventSource;
  return typeof source === 'string' ? RECORDS.get(source)?.(node) : undefined;
}

// API Gateway REST, HTTP and WebSocket APIs and Function URLs: the route and the API's id. Of the
// caller's identity, the id of the API key and how Cognito signed the caller in; `apiKey` itself (the
// REST API key), `accessKey`, the `authorizer` and `authentication` members stay hidden.
const requestContext = layer(
  ['routeKey', 'apiId'],
  [['identity', layer(['apiKeyId', 'cognitoAuthenticationType', 'cognitoAuthenticationProvider'])]],
);
const apiGatewayEvent = fields(
  ['routeKey'],
  [
    ['requestContext', requestContext],
    ['Records', recordGuide],
  ],
);
// An S3 notification delivered by EventBridge carries the object under `detail`.
const s3EventBridgeEvent = fields([], [['detail', s3Object]]);
// An SNS notification as an SQS queue or an HTTPS endpoint receives it, outside a record.
const snsEnvelope = fields(['SignatureVersion']);

/**
 * The guide for a whole event, or one record of a batch shown on its own: AWS's structural members
 * that the sensitive-name rule would hide stay visible, by their exact place in the structures AWS
 * defines (SECURITY.md lists them with the reasons). Everywhere else, and inside an exempt object,
 * the rule applies as always.
 * @example
 * eventGuide({ version: '2.0', routeKey: 'GET /orders' })?.shown?.has('routeKey'); // true
 */
export const eventGuide: Guide = (node) => {
  const record = recordGuide(node);
  if (record !== undefined) return record;
  if (node.source === 'aws.s3' && typeof node['detail-type'] === 'string') return s3EventBridgeEvent;
  if (node.Type === 'Notification' && typeof node.TopicArn === 'string') return snsEnvelope;
  return apiGatewayEvent;
};
