import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetRetryStrategy, SES_ATTEMPTS } from '../../../src/transports/ses-retry.js';

type ErrorType = 'TRANSIENT' | 'THROTTLING' | 'SERVER_ERROR' | 'CLIENT_ERROR';

/** The waits the strategy grants for `errors` in a row, until it refuses (as the SDK's middleware asks). */
async function waits(
  budgetMs: number,
  errors: readonly ErrorType[],
  random?: () => number,
): Promise<number[]> {
  const strategy = budgetRetryStrategy(budgetMs, random);
  let token = await strategy.acquireInitialRetryToken('');
  const granted: number[] = [];
  for (const errorType of errors) {
    try {
      token = await strategy.refreshRetryTokenForRetry(token, { errorType });
    } catch {
      break;
    }
    granted.push(token.getRetryDelay());
  }
  return granted;
}

describe('budgetRetryStrategy', () => {
  it('retries throttling, 5xx and network errors twice, waiting 100-200 ms then 200-400 ms of a 2 s budget', async () => {
    for (const errorType of ['THROTTLING', 'SERVER_ERROR', 'TRANSIENT'] as const) {
      const low = await waits(2000, [errorType, errorType, errorType], () => 0);
      const high = await waits(2000, [errorType, errorType, errorType], () => 0.999_999);
      expect(low).toEqual([100, 200]);
      expect(high).toEqual([200, 400]);
    }
    expect(SES_ATTEMPTS).toBe(3);
  });

  it('never retries a client error such as MessageRejected', async () => {
    expect(await waits(2000, ['CLIENT_ERROR'])).toEqual([]);
    expect(await waits(2000, ['THROTTLING', 'CLIENT_ERROR'])).toHaveLength(1);
  });

  it('leaves at least 70% of any budget to the attempts, whatever the errors and the draw', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 50, max: 900_000 }),
        fc.array(fc.constantFrom<ErrorType>('TRANSIENT', 'THROTTLING', 'SERVER_ERROR'), { maxLength: 6 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        async (budget, errors, draw) => {
          const granted = await waits(budget, errors, () => draw);
          expect(granted.length).toBe(Math.min(errors.length, SES_ATTEMPTS - 1));
          expect(granted.reduce((sum, wait) => sum + wait, 0)).toBeLessThanOrEqual(Math.ceil(budget * 0.3));
        },
      ),
    );
  });
});
