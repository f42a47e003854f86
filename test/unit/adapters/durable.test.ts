import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readTrigger } from '../../../src/core/input/trigger.js';
import { durableErrorMail, withErrorMail } from '../../../src/index.js';
import { lambdaContext } from '../../helpers/context.js';
import '../../helpers/fast-check.js';
import { plantedSecret, wrongType } from '../../helpers/arbitraries.js';
import { mailEnv, recordingTransport } from '../../helpers/recording-transport.js';

// The service's envelope, as the SDK's own tests build it: the execution first, with the input payload.
const ARN =
  'arn:aws:lambda:us-east-1:123456789012:function:shop-prod-checkout:3/durable-execution/order-A-1001/6f1c0e7a-2b7d-4b7e-9d6e-1a2b3c4d5e6f';
const envelope = (operations: unknown[] = []) => ({
  DurableExecutionArn: ARN,
  CheckpointToken: 'checkpoint-token-1',
  InitialExecutionState: {
    Operations: [
      {
        Id: 'execution',
        Type: 'EXECUTION',
        Status: 'STARTED',
        StartTimestamp: '2026-12-01T10:00:00.000Z',
        ExecutionDetails: { InputPayload: JSON.stringify({ orderId: 'A-1001', apiKey: 'k-123' }) },
      },
      ...operations,
    ],
    NextMarker: '',
  },
});
const failed = {
  Status: 'FAILED',
  Error: { ErrorType: 'PaymentDeclinedError', ErrorMessage: 'order A-1001 declined' },
};
const context = () => lambdaContext({ functionName: 'shop-prod-checkout', awsRequestId: 'req-durable-1' });

describe('a durable execution under withErrorMail', () => {
  it('mails a returned FAILED once, naming the execution, and hands the caller the same object', async () => {
    const transport = recordingTransport();
    const handler = withErrorMail(async () => failed, { env: mailEnv(), transport });

    const got = await handler(envelope([{ Id: 'step-1', Type: 'STEP', Status: 'SUCCEEDED' }]), context());

    expect(got).toBe(failed);
    expect(transport.mails).toHaveLength(1);
    expect(transport.mails[0]?.subject).toBe(
      '[shop] ERROR: PaymentDeclinedError in shop-prod-checkout (Durable execution order-A-1001)',
    );
    const text = transport.mails[0]?.text ?? '';
    expect(text).toContain('PaymentDeclinedError: order A-1001 declined\n    (no stack)');
    expect(text).toContain(`Execution ARN: ${ARN}`);
    expect(text).toContain('Invocation: a replay (1 operation checkpointed before it)');
    expect(text).toMatch(/Event:\n\{\n {2}"orderId": "A-1001",\n {2}"apiKey": "\*+"\n\}/);
    expect(text).not.toContain('k-123');
    expect(text).not.toContain('checkpoint-token-1');
  });

  it('mails the error the plugin kept for that invocation, with its stack and cause', async () => {
    const transport = recordingTransport();
    const real = new RangeError('order A-1001 declined', { cause: new Error('insufficient funds') });
    const handler = withErrorMail(
      async () => {
        await durableErrorMail().onInvocationEnd({
          requestId: 'req-durable-1',
          executionArn: ARN,
          status: 'FAILED',
          executionError: real,
        });
        return { Status: 'FAILED', Error: { ErrorType: 'RangeError', ErrorMessage: real.message } };
      },
      { env: mailEnv(), transport },
    );

    await handler(envelope(), context());

    const text = transport.mails[0]?.text ?? '';
    expect(text).toContain('RangeError: order A-1001 declined\n    at ');
    expect(text).toContain('The above exception (insufficient funds) was the direct cause');
    expect(text).toContain('Invocation: the first');
  });

  it.each([
    ['PENDING', { Status: 'PENDING' }],
    ['SUCCEEDED', { Status: 'SUCCEEDED', Result: '"done"' }],
  ])('mails nothing for a %s invocation', async (_status, result) => {
    const transport = recordingTransport();
    const handler = withErrorMail(async () => result, { env: mailEnv(), transport });

    const got = await handler(envelope(), context());

    expect(got).toBe(result);
    expect(transport.mails).toEqual([]);
  });

  it('mails nothing for a Status of FAILED returned to an event that is not a durable one', async () => {
    const transport = recordingTransport();
    const handler = withErrorMail(async () => failed, { env: mailEnv(), transport });

    await handler({ orderId: 'A-1001' }, context());

    expect(transport.mails).toEqual([]);
  });

  it('reads any envelope without throwing, its input shown whatever its shape', () => {
    fc.assert(
      fc.property(wrongType(), wrongType(), plantedSecret(), (operations, payload, secret) => {
        const event = {
          DurableExecutionArn: secret,
          CheckpointToken: 'token',
          InitialExecutionState: { Operations: operations },
          ExecutionDetails: payload,
        };

        const trigger = readTrigger(event);

        expect(trigger.kind).toBe('Durable execution');
        expect(trigger.source).toBe(secret);
        expect(trigger.details?.[0]).toEqual(['Execution ARN', secret]);
      }),
    );
  });
});
