import type { Context } from 'aws-lambda';

/**
 * A Lambda context whose clock says `remainingMs` are left. The deadline is fixed from `Date.now()`
 * when the context is made, and `getRemainingTimeInMillis()` reads `Date.now()` at each call: under
 * `vi.useFakeTimers()` (made after it) the remaining time follows the faked clock, as the timers do.
 */
export function lambdaContext(overrides: Partial<Context> & { remainingMs?: number } = {}): Context {
  const { remainingMs = 10_000, ...rest } = overrides;
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'shop-prod-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:shop-prod-api:live',
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/shop-prod-api',
    logStreamName: '2026/11/25/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...rest,
  };
}

/** A context with everything {@link lambdaContext} has but a clock: no `getRemainingTimeInMillis`. */
export function clocklessContext(
  overrides: Partial<Context> = {},
): Omit<Context, 'getRemainingTimeInMillis'> {
  const { getRemainingTimeInMillis: _, ...rest } = lambdaContext(overrides);
  return rest;
}
