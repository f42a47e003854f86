import {
  type DurableContext,
  type DurableExecutionInvocationInput,
  type DurableInstrumentationPlugin,
  withDurableExecution,
} from '@aws/durable-execution-sdk-js';
import type { Context } from 'aws-lambda';
import { describe, expectTypeOf, it } from 'vitest';
import { durableErrorMail, errorMail, withErrorMail } from '../../src/index.js';

interface Order {
  orderId: string;
}

describe('durable types', () => {
  it("gives a plugin the SDK's plugins option takes", () => {
    const plugin = durableErrorMail();

    expectTypeOf(plugin).toExtend<DurableInstrumentationPlugin>();
    withDurableExecution(async (_event: Order) => 'done', { plugins: [durableErrorMail()] });
  });

  it("keeps the SDK's handler type in both orders", () => {
    const outer = withErrorMail(withDurableExecution(async (event: Order) => event.orderId));
    const inner = withDurableExecution(
      withErrorMail(
        async (event: Order, context: DurableContext) =>
          `${event.orderId} ${context.lambdaContext.awsRequestId}`,
      ),
    );

    expectTypeOf(outer).parameter(0).toEqualTypeOf<DurableExecutionInvocationInput>();
    expectTypeOf(outer).parameter(1).toEqualTypeOf<Context>();
    expectTypeOf(inner).toEqualTypeOf(withDurableExecution(async (event: Order) => event.orderId));
    expectTypeOf(errorMail()).toHaveProperty('onError');
  });
});
