import type { SESClientConfig } from '@aws-sdk/client-ses';

/** The SDK's retry strategy interface (version 2), as the SES client takes it. */
type RetryStrategy = Extract<
  NonNullable<SESClientConfig['retryStrategy']>,
  { acquireInitialRetryToken: unknown }
>;
type RetryToken = Awaited<ReturnType<RetryStrategy['acquireInitialRetryToken']>>;

// Each retry waits a share of the send budget, drawn at random between `low` and `high` so that
// containers throttled together do not come back together. Both waits together take at most 30% of
// the budget (600 ms of the default 2000), which leaves the three attempts the rest.
const WAITS: readonly (readonly [low: number, high: number])[] = [
  [0.05, 0.1],
  [0.1, 0.2],
];

/** Attempts of one send: the first, and one retry per wait. */
export const SES_ATTEMPTS = WAITS.length + 1;

/**
 * The SES client's retry strategy: throttling (`Throttling`, `TooManyRequestsException`), 5xx answers
 * and network errors are retried, up to {@link SES_ATTEMPTS} attempts, with waits sized to the send
 * budget instead of the SDK's default back-off (which starts at 500 ms for throttling, so that two
 * throttles did not fit a 2 s budget). A client error such as `MessageRejected` is never retried.
 * The reporter's abort signal still ends the attempts and the waits when the budget or the deadline
 * runs out.
 * @example
 * new SESClient({ retryStrategy: budgetRetryStrategy(2000) }); // waits 100-200 ms, then 200-400 ms
 */
export function budgetRetryStrategy(budgetMs: number, random: () => number = Math.random): RetryStrategy {
  const token = (retries: number, delay: number): RetryToken => ({
    getRetryCount: () => retries,
    getRetryDelay: () => delay,
  });
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (previous, { errorType }) => {
      const retries = previous.getRetryCount();
      const wait = WAITS[retries];
      if (errorType === 'CLIENT_ERROR' || wait === undefined) {
        throw new Error(`not retried (${errorType}, attempt ${retries + 1} of ${SES_ATTEMPTS})`);
      }
      const [low, high] = wait;
      return token(retries + 1, Math.round(budgetMs * (low + (high - low) * random())));
    },
    recordSuccess: () => {},
  };
}
