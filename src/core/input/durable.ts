import type { Invocation } from './outcome.js';
import type { NameValue } from './request.js';
import { readProperty, readString } from './safe.js';

// What AWS Lambda Durable Functions (`@aws/durable-execution-sdk-js`) hands a handler and what it
// returns, read by shape: the library needs nothing from the SDK at run time.

/** A durable execution, as the invocation's envelope or the SDK's context tells it. */
export interface DurableExecution {
  /** The execution's ARN, as the service names it. */
  readonly arn: string;
  /** The execution's name, from its ARN; undefined when the ARN has another shape (a local run's). */
  readonly name: string | undefined;
  /** What the execution was started with: the user's input payload, not the service's envelope. */
  readonly input: unknown;
  /** Facts shown with the event: the ARN, and for an envelope whether the invocation is a replay. */
  readonly details: readonly NameValue[];
}

/**
 * The `Error` of a returned `{ Status: 'FAILED' }`, as the SDK writes it: the error's name and message
 * (a step whose retries were used up says `StepError`, the original type lost), never a stack.
 */
export interface DurableFailure {
  readonly type: string | undefined;
  readonly message: string | undefined;
  readonly data: unknown;
}

// arn:<partition>:lambda:<region>:<account>:function:<name>:<version>/durable-execution/<execution>/<invocation>
const EXECUTION_ARN =
  /^arn:[^:]*:lambda:[^:]*:[^:]*:function:[^:/]+:[^:/]+\/durable-execution\/([^/]+)\/[^/]+$/;

/**
 * True for the event of a durable invocation: the SDK itself tells its envelope by a
 * `DurableExecutionArn` and a `CheckpointToken`.
 * @example
 * isDurableEnvelope({ DurableExecutionArn: 'arn:...', CheckpointToken: 't', InitialExecutionState: {} }); // true
 */
export function isDurableEnvelope(event: unknown): boolean {
  return (
    readString(event, 'DurableExecutionArn') !== undefined &&
    readString(event, 'CheckpointToken') !== undefined
  );
}

/**
 * True for the SDK's `DurableContext`, what a handler inside `withDurableExecution` is handed in place
 * of the Lambda context (which it carries as `lambdaContext`). Never throws.
 */
export function isDurableContext(context: unknown): boolean {
  if (typeof context !== 'object' || context === null) return false;
  try {
    // Runs on every invocation: a Lambda context has no `lambdaContext`, and this read says so.
    const lambda = (context as { lambdaContext?: unknown }).lambdaContext;
    if (lambda === undefined) return false;
    return typeof lambda === 'object' && lambda !== null && readDurableArn(context) !== undefined;
  } catch {
    return false;
  }
}

/**
 * The invocation with the Lambda context in place of the SDK's `DurableContext` (its request id,
 * deadline and function are the Lambda context's) and the execution it belongs to; unchanged when
 * its context is the Lambda context.
 */
export function withLambdaContext(invocation: Invocation): Invocation {
  const { event, context } = invocation;
  if (!isDurableContext(context)) return invocation;
  const arn = readDurableArn(context) ?? '';
  return {
    ...invocation,
    context: readProperty(context, 'lambdaContext'),
    durable: { arn, name: executionName(arn), input: event, details: [['Execution ARN', arn]] },
  };
}

/** The `Error` of a durable invocation's `{ Status: 'FAILED' }` result, else undefined. */
export function durableFailure(result: unknown): DurableFailure | undefined {
  if (readProperty(result, 'Status') !== 'FAILED') return undefined;
  const error = readProperty(result, 'Error');
  return {
    type: readString(error, 'ErrorType'),
    message: readString(error, 'ErrorMessage'),
    data: readProperty(error, 'ErrorData'),
  };
}

/** The durable execution whose envelope `event` is (the outer wrapping); undefined for any other event. */
export function readDurableEnvelope(event: unknown): DurableExecution | undefined {
  const arn = readString(event, 'DurableExecutionArn');
  if (arn === undefined || readString(event, 'CheckpointToken') === undefined) return undefined;
  const operations = readProperty(readProperty(event, 'InitialExecutionState'), 'Operations');
  const list: readonly unknown[] = Array.isArray(operations) ? operations : [];
  // The first operation is the execution itself, with the payload it was started with.
  const execution = list.find((operation) => readProperty(operation, 'Type') === 'EXECUTION');
  const payload = readProperty(readProperty(execution, 'ExecutionDetails'), 'InputPayload');
  const details: NameValue[] = [['Execution ARN', arn]];
  const started =
    readString(execution, 'StartTimestamp') ?? dateText(readProperty(execution, 'StartTimestamp'));
  if (started !== undefined) details.push(['Execution started', started]);
  // The SDK's own rule: more operations than the execution's mean a replay of checkpointed work.
  const done = list.length - 1;
  details.push([
    'Invocation',
    done > 0 ? `a replay (${done} operation${done === 1 ? '' : 's'} checkpointed before it)` : 'the first',
  ]);
  return { arn, name: executionName(arn), input: parsedPayload(payload), details };
}

function readDurableArn(context: unknown): string | undefined {
  return readString(readProperty(context, 'executionContext'), 'durableExecutionArn');
}

function executionName(arn: string): string | undefined {
  return EXECUTION_ARN.exec(arn)?.[1];
}

/** The input payload as the SDK hands it to the handler: parsed JSON; as it came when it is not JSON. */
function parsedPayload(payload: unknown): unknown {
  if (typeof payload !== 'string') return payload;
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return payload;
  }
}

function dateText(value: unknown): string | undefined {
  if (!(value instanceof Date)) return undefined;
  const time = value.getTime();
  return Number.isNaN(time) ? undefined : value.toISOString();
}
