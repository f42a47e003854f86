import { describe, expectTypeOf, it } from 'vitest';
import { type Runtime, settleWatch } from '../../src/adapters/runtime.js';
import type { TimeoutWatch } from '../../src/adapters/timeout-watch.js';

describe('settleWatch', () => {
  it('takes the runtime and the watch only: it waits for nothing else', () => {
    expectTypeOf(settleWatch).parameters.toEqualTypeOf<[Runtime, TimeoutWatch | undefined]>();
  });
});
