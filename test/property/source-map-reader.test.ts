import { AnyMap, originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseSourceMap,
  type ReadSourceMap,
  readSourceMap,
  SourceMapFormatError,
} from '../../src/adapters/source-map-reader.js';
import '../helpers/fast-check.js';

// A segment as maps decode it: [generated column] or [column, source, line, column(, name)].
type Segment = [number] | [number, number, number, number] | [number, number, number, number, number];

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 VLQ of one signed value, as maps encode it. */
function vlq(value: number): string {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1;
  let text = '';
  do {
    let digit = rest & 31;
    rest >>>= 5;
    if (rest > 0) digit |= 32;
    text += BASE64[digit];
  } while (rest > 0);
  return text;
}

/** Encodes decoded lines in the order given (a line need not be sorted): what a map's `mappings` holds. */
function encode(lines: readonly (readonly Segment[])[]): string {
  const last = [0, 0, 0, 0];
  return lines
    .map((segments) => {
      let column = 0;
      return segments
        .map((segment) => {
          let text = vlq(segment[0] - column);
          column = segment[0];
          for (let field = 1; field < segment.length; field += 1) {
            const value = segment[field] as number;
            text += vlq(value - (last[field - 1] as number));
            last[field - 1] = value;
          }
          return text;
        })
        .join(',');
    })
    .join(';');
}

const source = fc.oneof(
  fc.constantFrom('src/app.ts', '../src/orders/price.ts', 'webpack://shop/./src/a.ts', '/abs/b.ts'),
  fc.string({ maxLength: 12 }),
);

/** A map: its sources, names and lines of segments, each line possibly unsorted, some segments mapping nowhere. */
const generatedMap = fc
  .record({
    sources: fc.array(fc.option(source, { nil: null, freq: 8 }), { minLength: 1, maxLength: 6 }),
    names: fc.array(fc.string({ maxLength: 8 }), { maxLength: 6 }),
    sourceRoot: fc.option(fc.constantFrom('', 'src', 'https://example.com/app/'), { nil: undefined }),
    contents: fc.array(fc.option(fc.string({ unit: 'binary', maxLength: 60 }), { nil: null }), {
      maxLength: 6,
    }),
  })
  .chain((base) =>
    fc.record({
      base: fc.constant(base),
      lines: fc.array(
        fc.array(
          fc.oneof(
            { weight: 1, arbitrary: fc.tuple(fc.nat(300)) },
            {
              weight: 4,
              arbitrary: fc.tuple(fc.nat(300), fc.nat(base.sources.length - 1), fc.nat(2000), fc.nat(200)),
            },
            {
              weight: 2,
              arbitrary:
                base.names.length === 0
                  ? fc.tuple(fc.nat(300), fc.nat(base.sources.length - 1), fc.nat(2000), fc.nat(200))
                  : fc.tuple(
                      fc.nat(300),
                      fc.nat(base.sources.length - 1),
                      fc.nat(2000),
                      fc.nat(200),
                      fc.nat(base.names.length - 1),
                    ),
            },
          ) as fc.Arbitrary<Segment>,
          { maxLength: 8 },
        ),
        { minLength: 1, maxLength: 12 },
      ),
    }),
  )
  .map(({ base, lines }) => ({
    json: {
      version: 3,
      sources: base.sources,
      names: base.names,
      ...(base.sourceRoot === undefined ? {} : { sourceRoot: base.sourceRoot }),
      sourcesContent: base.contents,
      mappings: encode(lines),
    },
    lines,
  }));

/**
 * The positions the reader answers otherwise than the reference reader, each with both answers; the
 * source compared as the reference resolves the index the reader names.
 */
function differences(
  read: ReadSourceMap,
  reference: TraceMap,
  probed: readonly [number, number][],
): string[] {
  const found: string[] = [];
  for (const [line, column] of probed) {
    const ours = read.position(line, column);
    const expected = originalPositionFor(reference, { line, column });
    const same =
      expected.source === null
        ? ours === undefined
        : ours !== undefined &&
          reference.resolvedSources[ours.source] === expected.source &&
          ours.line === expected.line &&
          ours.column === expected.column &&
          ours.name === (expected.name ?? undefined);
    if (!same)
      found.push(`line ${line}, column ${column}: ${JSON.stringify(ours)} for ${JSON.stringify(expected)}`);
  }
  return found;
}

/** Every column of every line up to past the last segment, and lines past the end. */
function probes(lines: readonly (readonly Segment[])[]): [number, number][] {
  const widest = Math.max(0, ...lines.flat().map((segment) => segment[0])) + 2;
  const found: [number, number][] = [];
  for (let line = 1; line <= lines.length + 1; line += 1) {
    for (let column = 0; column <= widest; column += 1) found.push([line, column]);
  }
  return found;
}

describe('the source-map reader', () => {
  it('answers every position as the reference reader does, on generated maps with unsorted lines', () => {
    fc.assert(
      fc.property(generatedMap, ({ json, lines }) => {
        const bytes = Buffer.from(JSON.stringify(json));
        const reference = new TraceMap(json as ConstructorParameters<typeof TraceMap>[0]);
        const read = readSourceMap(bytes);
        expect(differences(read, reference, probes(lines))).toEqual([]);
        const prefix = json.sourceRoot ? `${json.sourceRoot}/` : '';
        expect(read.sources).toEqual(json.sources.map((name) => (name === null ? null : prefix + name)));
      }),
      { numRuns: 200 },
    );
  });

  it('gives each source text of sourcesContent as JSON.parse does, whatever the JSON around it', () => {
    fc.assert(
      fc.property(
        generatedMap,
        fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.jsonValue()), { maxLength: 3 }),
        fc.constantFrom(0, 2, '\t'),
        fc.boolean(),
        ({ json }, extra, indent, shuffled) => {
          const fields = Object.entries({ ...Object.fromEntries(extra), ...json });
          const ordered = shuffled ? fields.reverse() : fields;
          const bytes = Buffer.from(JSON.stringify(Object.fromEntries(ordered), null, indent));
          const read = readSourceMap(bytes);
          json.sourcesContent.forEach((content, index) => {
            expect(read.content(index)).toBe(content ?? undefined);
          });
          expect(read.content(json.sourcesContent.length)).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads a map of sections as the reference reader flattens it', () => {
    fc.assert(
      fc.property(
        fc.array(generatedMap, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(3), fc.nat(40)), { minLength: 3, maxLength: 3 }),
        (maps, gaps) => {
          let last = 0;
          let column = 0;
          let previousLines = 0;
          const sections = maps.map(({ json, lines }, index) => {
            const [lineGap, columnGap] = gaps[index] as [number, number];
            // Sections in order, each starting where the previous one's lines end or later.
            last += index === 0 ? lineGap : previousLines + lineGap;
            column = lineGap === 0 && index > 0 ? column + columnGap : columnGap;
            previousLines = lines.length;
            return { offset: { line: last, column }, map: json };
          });
          const json = { version: 3, sections };
          const bytes = Buffer.from(JSON.stringify(json));
          const reference = new AnyMap(json as ConstructorParameters<typeof AnyMap>[0]);
          const probed: [number, number][] = [];
          for (let line = 1; line <= last + 14; line += 1) {
            for (let column = 0; column <= 360; column += 3) probed.push([line, column]);
          }
          expect(differences(readSourceMap(bytes), reference, probed)).toEqual([]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('throws only its own error, or JSON.parse’s, for any bytes, and never hangs', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
          generatedMap.chain(({ json }) =>
            fc.nat(JSON.stringify(json).length).map((cut) => Buffer.from(JSON.stringify(json).slice(0, cut))),
          ),
          fc
            .string({ maxLength: 20 })
            .map((mappings) =>
              Buffer.from(JSON.stringify({ version: 3, sources: ['a.ts'], names: [], mappings })),
            ),
        ),
        (bytes) => {
          try {
            readSourceMap(bytes).position(1, 0);
          } catch (error) {
            expect(error instanceof SourceMapFormatError || error instanceof SyntaxError, String(error)).toBe(
              true,
            );
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('says what is wrong with mappings it cannot decode', () => {
    const map = (mappings: string) =>
      Buffer.from(JSON.stringify({ version: 3, sources: ['a.ts'], mappings }));
    expect(() => readSourceMap(map('AAAA;AA!A'))).toThrow(
      new SourceMapFormatError('"!" at character 7 of its mappings, not base64'),
    );
    expect(() => readSourceMap(map('AA,A'))).toThrow(
      new SourceMapFormatError('a segment of 2 values before character 2 of its mappings'),
    );
    expect(() => readSourceMap(map('AAAg'))).toThrow(
      new SourceMapFormatError('a value cut short at character 4 of its mappings'),
    );
    expect(() => readSourceMap(Buffer.from('{"version":3,"sources":[]}'))).toThrow(
      new SourceMapFormatError('not a source map (no `version` 3 with `mappings` or `sections`)'),
    );
    expect(() => readSourceMap(Buffer.from('{"version":3, "mappings": "A" ] '))).toThrow(
      new SourceMapFormatError('not valid JSON (at byte 30)'),
    );
  });

  it('tells the size of the mappings before decoding them', () => {
    const mappings = 'AAAA,CAAC;AACA'.repeat(100);
    const parsed = parseSourceMap(
      Buffer.from(
        JSON.stringify({ version: 3, sources: ['a.ts'], sourcesContent: ['x'.repeat(5000)], mappings }),
      ),
    );
    expect(parsed.mappingsBytes).toBe(mappings.length);
  });
});
