import { describe, expect, it } from 'vitest';
import { firstAppFrameLine, frameKind } from '../../../../src/core/input/frames.js';

describe('frameKind', () => {
  it.each([
    ['    at priceLine (/var/task/src/orders/price.js:18:32)', 'app'],
    ['    at file:///var/task/index.mjs:3:9', 'app'],
    ['    at /work/shop/src/handler.ts:27:21', 'app'],
    ['    at runRequest (/var/task/node_modules/@middy/core/index.js:158:21)', 'dependency'],
    ['    at query (/opt/nodejs/lib/db.js:4:2)', 'dependency'],
    ['    at errorMailHandler (/var/task/node_modules/lambda-error-mail/dist/index.js:1:2)', 'dependency'],
    ['    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)', 'runtime'],
    ['    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1206:29)', 'runtime'],
    ['    at Array.map (<anonymous>)', 'runtime'],
    ['    at new Promise (<anonymous>)', 'runtime'],
    ['    at async Promise.all (index 0)', 'runtime'],
    ['    at JSON.parse (<anonymous>)', 'runtime'],
    ["TypeError: Cannot read properties of undefined (reading 'sku')", 'text'],
    ['    continued message line', 'text'],
  ])('sorts %s as %s', (line, kind) => {
    expect(frameKind(line)).toBe(kind);
  });
});

describe('firstAppFrameLine', () => {
  it('returns the first frame of the application, keeping line and column', () => {
    const stack = [
      'Error: x',
      '    at JSON.parse (<anonymous>)',
      '    at parse (/var/task/node_modules/lib/index.js:1:1)',
      '    at readBody (/var/task/src/body.js:9:14)',
      '    at handler (/var/task/src/index.js:3:3)',
    ].join('\n');

    expect(firstAppFrameLine(stack)).toBe('readBody (/var/task/src/body.js:9:14)');
  });

  it("is undefined when no frame is the application's own, or there is no stack", () => {
    expect(firstAppFrameLine('Error: x\n    at f (node:internal/x:1:1)')).toBeUndefined();
    expect(firstAppFrameLine(undefined)).toBeUndefined();
  });
});
