import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../../src/core/decide/classify.js';
import { fingerprintOf } from '../../../../src/core/flood/fingerprint.js';
import { mapStack, parseFrame, sourceWindow } from '../../../../src/core/input/source-frames.js';
import type { SourceLookup, SourcePosition } from '../../../../src/core/ports.js';
import { renderServerErrorHtml } from '../../../../src/core/render/html.js';
import { renderMail } from '../../../../src/core/render/mail.js';
import { renderServerErrorText } from '../../../../src/core/render/text.js';
import { httpApiEvent } from '../../../helpers/events.js';
import { invocationOf, reportConfig, serverErrorReport } from '../../../helpers/reports.js';

// The sources of a small project, and where a bundle of it put their lines.
const SOURCES: Record<string, string[]> = {
  'src/orders/price.ts': [
    "import { taxOf } from './tax';",
    '',
    'export function priceLine(line: { sku: string; qty: number }) {',
    "  const unit = PRICES[line.sku]; // apiKey = 'AKIAIOSFODNN7EXAMPLE'",
    '  return unit.amount * line.qty + taxOf(unit);',
    '}',
  ],
  'src/orders/create.ts': [
    'export async function createOrder(body) {',
    '  return body.lines.map(priceLine);',
    '}',
  ],
};

/** A lookup over one bundle: `offset` shifts every bundle line, as a redeploy does; `bundle` is its file. */
function bundleLookup(offset = 0, bundle = '/var/task/index.js'): SourceLookup & { calls: string[] } {
  const positions: Record<number, SourcePosition> = {
    [11601 + offset]: { file: 'src/orders/price.ts', line: 5, column: 15, name: 'priceLine' },
    [11640 + offset]: { file: 'src/orders/create.ts', line: 2, column: 21, name: 'createOrder' },
    [12001 + offset]: { file: 'node_modules/lambda-error-mail/dist/index.js', line: 300, column: 9 },
  };
  const calls: string[] = [];
  return {
    calls,
    position(file, line) {
      calls.push(`position ${file}:${line}`);
      return file === bundle ? positions[line] : undefined;
    },
    excerpt(file, line, around) {
      calls.push(`excerpt ${file}:${line}`);
      const lines = SOURCES[file];
      if (lines === undefined) return undefined;
      const first = Math.max(1, line - around);
      return { firstLine: first, lines: lines.slice(first - 1, line + around) };
    },
    notes: () => [],
  };
}

const stackAt = (offset = 0, bundle = '/var/task/index.js') =>
  [
    "TypeError: Cannot read properties of undefined (reading 'amount')",
    `    at priceLine (${bundle}:${11601 + offset}:19)`,
    '    at Array.map (<anonymous>)',
    `    at createOrder (${bundle}:${11640 + offset}:27)`,
    `    at async wrapped (${bundle}:${12001 + offset}:11)`,
    '    at async Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1206:29)',
  ].join('\n');

describe('parseFrame', () => {
  it('reads every shape of V8 frame line that has a location', () => {
    expect(parseFrame('    at priceLine (/var/task/index.js:11601:19)')).toEqual({
      lead: '    at ',
      fn: 'priceLine',
      file: '/var/task/index.js',
      line: 11601,
      column: 19,
    });
    expect(parseFrame('    at /var/task/index.js:3:7')).toMatchObject({ fn: undefined, line: 3, column: 7 });
    expect(parseFrame('    at async Promise.all (index 0)')).toBeUndefined();
    expect(parseFrame('    at async run (file:///var/task/index.mjs:8:5)')).toMatchObject({
      lead: '    at async ',
      fn: 'run',
      file: 'file:///var/task/index.mjs',
    });
    expect(parseFrame('    at new Order (/var/task/index.js:40:11)')).toMatchObject({
      lead: '    at new ',
      fn: 'Order',
    });
    expect(parseFrame('    at Object.<anonymous> (/var/task/a b.js:1:2)')).toMatchObject({
      fn: 'Object.<anonymous>',
      file: '/var/task/a b.js',
    });
    expect(parseFrame('    at fn [as alias] (/var/task/index.js:4:4)')).toMatchObject({
      fn: 'fn [as alias]',
    });
  });

  it("leaves alone what is not a frame with a file: the message, Node's frames, eval'd code", () => {
    for (const line of [
      "TypeError: Cannot read properties of undefined (reading 'id')",
      '    at Array.map (<anonymous>)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)',
      '    at eval (eval at run (/var/task/index.js:1:1), <anonymous>:1:1)',
      '    at (/var/task/index.js:x:1)',
    ]) {
      expect(parseFrame(line)).toBeUndefined();
    }
  });

  it('never throws, and reads back what it was given, on any line', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), fc.nat(99_999), fc.nat(9_999), (text, line, column) => {
        for (const candidate of [text, `    at ${text}`, `    at ${text} (${text}:${line}:${column})`]) {
          const frame = parseFrame(candidate);
          if (frame === undefined) continue;
          const location = `${frame.file}:${frame.line}:${frame.column}`;
          expect(candidate).toBe(
            frame.fn === undefined ? `${frame.lead}${location}` : `${frame.lead}${frame.fn} (${location})`,
          );
        }
      }),
    );
  });

  it('reads a 16 KiB line built to make a backtracking parser slow, in one pass', () => {
    const hostile = `    at ${'a ((:1:1'.repeat(2048)}`;
    expect(parseFrame(hostile)).toBeUndefined();
  });
});

describe('mapStack', () => {
  it("shows each mapped frame at its source under V8's name, and the user's frames with their lines, scrubbed", () => {
    const { stack, sources } = mapStack(stackAt(), bundleLookup());

    expect(stack.split('\n')).toEqual([
      "TypeError: Cannot read properties of undefined (reading 'amount')",
      '    at priceLine (src/orders/price.ts:5:15)',
      '    at Array.map (<anonymous>)',
      '    at createOrder (src/orders/create.ts:2:21)',
      '    at async wrapped (node_modules/lambda-error-mail/dist/index.js:300:9)',
      '    at async Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1206:29)',
    ]);
    // The library's own frame, mapped into node_modules, is not the user's: no source for it.
    expect([...sources.keys()]).toEqual([1, 3]);
    expect(sources.get(1)).toEqual({
      line: 5,
      column: 15,
      firstLine: 3,
      lines: [
        'export function priceLine(line: { sku: string; qty: number }) {',
        "  const unit = PRICES[line.sku]; // apiKey = '********************'",
        '  return unit.amount * line.qty + taxOf(unit);',
        '}',
      ],
    });
  });

  it('names a frame of a minified bundle as the map names the call in the frame below it, in the same file', () => {
    const positions: Record<number, SourcePosition> = {
      523: { file: 'src/orders/price.ts', line: 5, column: 11 },
      586: { file: 'src/orders/total.ts', line: 4, column: 54, name: 'lineTotal' },
      570: { file: 'src/orders/total.ts', line: 4, column: 16, name: 'reduce' },
      609: { file: 'src/handler.ts', line: 9, column: 20, name: 'orderTotal' },
      700: { file: 'src/handler.ts', line: 12, column: 3, name: 'x (src/fake.ts:1:1)' },
      800: { file: 'src/handler.ts', line: 14, column: 3, name: 'f' },
    };
    const lookup: SourceLookup = {
      position: (file, _line, column) => (file === '/var/task/index.js' ? positions[column] : undefined),
      excerpt: () => undefined,
      notes: () => [],
    };
    const minified = [
      'Error: x',
      '    at x (/var/task/index.js:1:523)',
      '    at /var/task/index.js:1:586',
      '    at Array.reduce (<anonymous>)',
      '    at c (/var/task/index.js:1:570)',
      '    at Object.f (/var/task/index.js:1:609)',
      '    at wrapped (/opt/runtime.js:5:5)',
      '    at q (/var/task/index.js:1:609)',
      '    at Object.f [as run] (/var/task/index.js:1:700)',
      '    at Object.f [as run] (/var/task/index.js:1:800)',
      '    at w (/var/task/index.js:1:900)',
    ].join('\n');

    expect(mapStack(minified, lookup).stack.split('\n')).toEqual([
      'Error: x',
      // The call below, `x(n)`, is `lineTotal(line)` in the source.
      '    at lineTotal (src/orders/price.ts:5:11)',
      // The frame below is not a frame of a file: no name to take.
      '    at src/orders/total.ts:4:54',
      '    at Array.reduce (<anonymous>)',
      '    at orderTotal (src/orders/total.ts:4:16)',
      // Its caller is in another file.
      '    at Object.f (src/handler.ts:9:20)',
      '    at wrapped (/opt/runtime.js:5:5)',
      // A name that is not an identifier is never shown; one V8 already shows stays as V8 shows it.
      '    at q (src/handler.ts:9:20)',
      '    at Object.f [as run] (src/handler.ts:12:3)',
      '    at Object.f [as run] (src/handler.ts:14:3)',
      '    at w (/var/task/index.js:1:900)',
    ]);
  });

  it('shows the source of at most the first frames the bounds allow, and the stack as thrown without a lookup', () => {
    const deep = [
      'Error: deep',
      ...Array.from({ length: 30 }, () => '    at priceLine (/var/task/index.js:11601:19)'),
    ];

    expect(mapStack(deep.join('\n'), bundleLookup()).sources.size).toBe(10);
    expect(
      mapStack(deep.join('\n'), bundleLookup(), { frames: 2, around: 0, lineChars: 40 }).sources.size,
    ).toBe(2);
    expect(mapStack(stackAt(), undefined)).toEqual({ stack: stackAt(), sources: new Map() });
  });

  it('keeps the bundle position of a frame the lookup cannot map, and shows its file lines if it has them', () => {
    const lookup: SourceLookup = {
      position: () => undefined,
      excerpt: (file, line) =>
        file === '/var/task/handler.js' ? { firstLine: line, lines: ['  throw oops();'] } : undefined,
      notes: () => [],
    };

    const { stack, sources } = mapStack('Error: x\n    at run (/var/task/handler.js:9:3)', lookup);

    expect(stack).toBe('Error: x\n    at run (/var/task/handler.js:9:3)');
    expect(sources.get(1)?.lines).toEqual(['  throw oops();']);
  });

  it("never reads the error's message as frames: a message cannot make a file's lines reach the mail", () => {
    const lookup = bundleLookup();
    const injected = [
      'Error: bad input: x',
      '    at f (/var/task/.env:1:1)',
      '    at g (src/orders/price.ts:5:1)',
      '    at priceLine (/var/task/index.js:11601:19)',
    ].join('\n');

    const { sources } = mapStack(injected, lookup, undefined, 3);

    expect([...sources.keys()]).toEqual([3]);
    expect(lookup.calls).toEqual(['position /var/task/index.js:11601', 'excerpt src/orders/price.ts:5']);
  });

  it('scrubs a source line whole before cutting it, so that no piece of a key survives the cut', () => {
    const key = 'AKIAIOSFODNN7EXAMPLE';
    const line = `${'x'.repeat(150)}${key}${'y'.repeat(150)}`;
    const lookup: SourceLookup = {
      position: () => undefined,
      // The key straddles where a 160-character window around column 1 ends.
      excerpt: () => ({ firstLine: 1, lines: [line] }),
      notes: () => [],
    };

    const { sources } = mapStack('Error: x\n    at run (/var/task/handler.js:1:1)', lookup);

    const shown = sources.get(1)?.lines.join('') ?? '';
    expect(shown).not.toMatch(/[A-Z0-9]{6,}EXAMPLE|AKIA|IOSFODNN/);
  });
});

describe('sourceWindow', () => {
  it('shows a minified line as a window around the column, marked where it was cut', () => {
    const minified = `${'x'.repeat(30_000)}FAIL${'y'.repeat(30_000)}`;

    const shown = sourceWindow(minified, 30_001, 160);

    expect(shown).toHaveLength(162);
    expect(shown.startsWith('…') && shown.endsWith('…')).toBe(true);
    expect(shown).toContain('FAIL');
    expect(sourceWindow('  short line   ', 1, 160)).toBe('  short line');
    expect(sourceWindow('abcdef', 6, 3)).toBe('…def');
  });
});

describe('a report of a bundled stack', () => {
  const thrown = (offset = 0) =>
    Object.assign(new TypeError("Cannot read properties of undefined (reading 'amount')"), {
      stack: stackAt(offset),
    });

  it('shows the source line under each frame of the user code in the text part', () => {
    const report = serverErrorReport({ outcome: { kind: 'threw', error: thrown() }, lookup: bundleLookup() });

    const text = renderServerErrorText(report);

    expect(text).toContain(
      [
        '    at priceLine (src/orders/price.ts:5:15)',
        '        return unit.amount * line.qty + taxOf(unit);',
        '    at Array.map (<anonymous>)',
        '    at createOrder (src/orders/create.ts:2:21)',
        '        return body.lines.map(priceLine);',
        '    at async wrapped (node_modules/lambda-error-mail/dist/index.js:300:9)',
      ].join('\n'),
    );
  });

  it('shows numbered lines around the failing one in the HTML part, marked, and the library frame not as the user code', () => {
    const report = serverErrorReport({ outcome: { kind: 'threw', error: thrown() }, lookup: bundleLookup() });

    const html = renderServerErrorHtml(report);

    expect(html).toMatch(
      /<div data-source="5" [^>]*>.*>3<\/span>export function priceLine.*>5<\/span> {2}return unit\.amount/,
    );
    expect(html).toMatch(/data-frame="app"[^>]*> {4}at priceLine \(src\/orders\/price\.ts:5:15\)/);
    expect(html).toMatch(
      /data-frame="dependency"[^>]*> {4}at async wrapped \(node_modules\/lambda-error-mail/,
    );
    expect(html).toContain(
      '<td style="vertical-align:top;padding:3px 0;white-space:pre-wrap">priceLine (src/orders/price.ts:5:15)</td>',
    );
  });

  it('scrubs a key pasted into the source before it reaches either part of the mail', () => {
    const report = serverErrorReport({ outcome: { kind: 'threw', error: thrown() }, lookup: bundleLookup() });

    const mail = renderMail(reportConfig(), report);

    expect(mail.html).toContain('const unit = PRICES[line.sku];');
    expect(`${mail.text}${mail.html}`).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });

  it('gives the same fingerprint to the same error from two bundles whose files and positions differ', () => {
    const event = httpApiEvent({ path: '/orders' });
    const fingerprint = (offset: number, bundle: string, lookup?: SourceLookup) => {
      const error = Object.assign(new TypeError('x'), { stack: stackAt(offset, bundle) });
      const outcome = { kind: 'threw', error } as const;
      return fingerprintOf(
        outcome,
        classify(outcome),
        undefined,
        invocationOf(event),
        undefined,
        'shop',
        lookup,
      );
    };

    expect(fingerprint(0, '/var/task/index.js', bundleLookup(0))).toBe(
      fingerprint(37, '/var/task/main.js', bundleLookup(37, '/var/task/main.js')),
    );
    // Without maps, the bundles' files differ and so do the fingerprints.
    expect(fingerprint(0, '/var/task/index.js')).not.toBe(fingerprint(37, '/var/task/main.js'));
  });
});
