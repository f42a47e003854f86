/**
 * Reads a source map (version 3) for lookups without decoding it whole: one pass over `mappings`
 * records where each generated line starts and the running values at its start, and a lookup then
 * decodes the one line it needs. `sourcesContent` is kept as bytes and each source decoded when it is
 * first asked for. A 5.4 MiB map of 314,680 segments is held in about 1.3 times its size; decoding
 * every segment into arrays, as general-purpose readers do, takes 55 MB and 140 ms more (measured).
 *
 * The answers are those of `@jridgewell/trace-mapping`'s `originalPositionFor` with its default bias
 * (the test suite checks it on generated maps): the segment at the greatest generated column not
 * after the one asked for, segments of a line sorted by column first.
 */

/** A map that cannot be read, and why (`message` says it, for the mail's note). */
export class SourceMapFormatError extends Error {
  override readonly name = 'SourceMapFormatError' as const;
}

/** Where a generated position comes from: `source` indexes {@link ReadSourceMap.sources}. */
export interface MappedPosition {
  readonly source: number;
  /** 1-based. */
  readonly line: number;
  /** 0-based, as maps count them. */
  readonly column: number;
  readonly name?: string;
}

/** A map as read. */
export interface ReadSourceMap {
  /** Each source's name as the map gives it, `sourceRoot` applied (`sourceRoot/` + name), by index. */
  readonly sources: readonly (string | null)[];
  /**
   * The position a generated one (1-based line, 0-based column) comes from; undefined when the map
   * has none there.
   */
  position(line: number, column: number): MappedPosition | undefined;
  /** The source's text from `sourcesContent`, when the map holds it; decoded on first use. */
  content(source: number): string | undefined;
  /** The heap the map holds, in bytes, as estimated. */
  heldBytes(): number;
}

// Base64 digits by character code; -1 for any other character.
const DIGITS = new Int8Array(128).fill(-1);
for (const [index, char] of [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
].entries()) {
  DIGITS[char.charCodeAt(0)] = index;
}
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
// The running values a line starts with, one row each: offset, source, line, column, name.
const ROW = 5;

/**
 * A map whose JSON structure is read: its `mappings` are decoded by {@link ParsedSourceMap.index},
 * the step that costs in proportion to them.
 */
export interface ParsedSourceMap {
  /** The bytes of its `mappings` text, its sections' together. */
  readonly mappingsBytes: number;
  /** Decodes where each generated line starts; throws a {@link SourceMapFormatError} for bad mappings. */
  index(): ReadSourceMap;
}

/**
 * Reads the structure of the map in `bytes` (UTF-8 JSON) without decoding its `sourcesContent` or
 * `mappings`. Throws a {@link SourceMapFormatError} when it is not a version 3 map.
 */
export function parseSourceMap(bytes: Uint8Array): ParsedSourceMap {
  const fields = topLevelFields(bytes);
  if (fields.has('sections')) return parseIndexMap(JSON.parse(decodeUtf8(bytes)) as unknown);
  const version = parsedField(bytes, fields, 'version');
  const sources = parsedField(bytes, fields, 'sources');
  const mappingsRange = fields.get('mappings');
  if (version !== 3 || !Array.isArray(sources) || mappingsRange === undefined) {
    throw new SourceMapFormatError('not a source map (no `version` 3 with `mappings` or `sections`)');
  }
  const names = parsedField(bytes, fields, 'names');
  const contentRange = fields.get('sourcesContent');
  const mappings = mappingBytes(bytes, mappingsRange);
  const parts: MapParts = {
    sources: rootedSources(sources, parsedField(bytes, fields, 'sourceRoot')),
    names: Array.isArray(names) ? names : [],
    mappings,
    content: contentRange === undefined ? () => undefined : contentOf(bytes, arrayItems(bytes, contentRange)),
    bytes: bytes.length,
  };
  return { mappingsBytes: mappings.length, index: () => createMap(parts) };
}

/** Reads the map in `bytes` whole: {@link parseSourceMap}, then its index. */
export function readSourceMap(bytes: Uint8Array): ReadSourceMap {
  return parseSourceMap(bytes).index();
}

/** What {@link createMap} reads a map from. */
interface MapParts {
  readonly sources: readonly (string | null)[];
  readonly names: readonly unknown[];
  readonly mappings: Uint8Array;
  readonly content: (source: number) => string | undefined;
  /** The bytes the parts hold besides the line index. */
  readonly bytes: number;
}

function createMap(parts: MapParts): ReadSourceMap {
  const { mappings, names } = parts;
  const rows = indexLines(mappings);
  const lines = rows.length / ROW;
  const namesBytes = names.reduce<number>((sum, name) => sum + 16 + String(name).length * 2, 0);
  return {
    sources: parts.sources,
    position(line, column) {
      const at = (line - 1) * ROW;
      if (
        !(Number.isInteger(line) && line >= 1 && line <= lines && Number.isInteger(column) && column >= 0)
      ) {
        return undefined;
      }
      const end = line < lines ? (rows[at + ROW] as number) - 1 : mappings.length;
      const segment = segmentAt(mappings, rows, at, end, column);
      if (segment === undefined) return undefined;
      const name = segment.name < 0 ? undefined : names[segment.name];
      const position = { source: segment.source, line: segment.line + 1, column: segment.sourceColumn };
      return typeof name === 'string' ? { ...position, name } : position;
    },
    content: parts.content,
    heldBytes: () => parts.bytes + rows.byteLength + namesBytes,
  };
}

/** One segment of a line, decoded; `name` is -1 when it has none, `source` -1 when it maps nowhere. */
interface Segment {
  readonly column: number;
  readonly source: number;
  readonly line: number;
  readonly sourceColumn: number;
  readonly name: number;
}

/**
 * The segment a generated column falls in, on the line whose row of the index starts at `at` and
 * whose text ends at `end`; undefined when the line has none at or before the column, or that one
 * maps nowhere.
 */
function segmentAt(
  mappings: Uint8Array,
  rows: Int32Array,
  at: number,
  end: number,
  column: number,
): Segment | undefined {
  const segments = lineSegments(mappings, rows.subarray(at, at + ROW), end);
  // A stable sort: of equal columns the first stays first.
  if (
    segments.some((segment, index) => index > 0 && segment.column < (segments[index - 1] as Segment).column)
  ) {
    segments.sort((a, b) => a.column - b.column);
  }
  // Of segments at the same generated column: the first when the column is the one asked for, else
  // the last (as the reference reader's binary search answers).
  let found: Segment | undefined;
  for (const segment of segments) {
    if (segment.column > column) break;
    if (segment.column < column || found?.column !== column) found = segment;
  }
  return found === undefined || found.source < 0 ? undefined : found;
}

/**
 * The segments of one generated line, decoded from its row of the index (where its text starts, the
 * running values at its start) to `end`. The line was indexed, so its text is valid VLQ.
 */
function lineSegments(mappings: Uint8Array, row: Int32Array, end: number): Segment[] {
  const segments: Segment[] = [];
  let [at = 0, source = 0, line = 0, sourceColumn = 0, name = 0] = row;
  let column = 0;
  while (at < end) {
    const values: number[] = [];
    while (at < end && mappings[at] !== COMMA) {
      let value = 0;
      let shift = 0;
      let digit: number;
      do {
        digit = DIGITS[mappings[at] as number] as number;
        value |= (digit & 31) << shift;
        shift += 5;
        at += 1;
      } while (digit & 32);
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    }
    at += 1;
    const [generated, ...from] = values;
    if (generated === undefined) continue;
    column += generated;
    if (from.length === 0) {
      segments.push({ column, source: -1, line, sourceColumn, name: -1 });
      continue;
    }
    source += from[0] ?? 0;
    line += from[1] ?? 0;
    sourceColumn += from[2] ?? 0;
    if (from.length === 4) name += from[3] ?? 0;
    segments.push({ column, source, line, sourceColumn, name: from.length === 4 ? name : -1 });
  }
  return segments;
}

/**
 * The line index: for each generated line, where its text starts and the running source, line,
 * column and name values at its start. Throws a {@link SourceMapFormatError} for text that is not
 * base64 VLQ or a segment of 2, 3 or more than 5 values.
 */
function indexLines(mappings: Uint8Array): Int32Array {
  const rows = new Int32Array(countLines(mappings) * ROW);
  fillRows(mappings, rows);
  return rows;
}

const indexOfByte = Uint8Array.prototype.indexOf;

function countLines(mappings: Uint8Array): number {
  let lines = 1;
  for (
    let at = indexOfByte.call(mappings, SEMICOLON);
    at >= 0;
    at = indexOfByte.call(mappings, SEMICOLON, at + 1)
  ) {
    lines += 1;
  }
  return lines;
}

/**
 * Fills `rows` (the first row is all zeros) in one pass that allocates nothing. Its own function,
 * its loop the only one: V8 then optimizes it once, while it runs, and never has to start over.
 */
function fillRows(mappings: Uint8Array, rows: Int32Array): void {
  let row = ROW;
  let source = 0;
  let line = 0;
  let column = 0;
  let name = 0;
  let field = 0;
  let value = 0;
  let shift = 0;
  const length = mappings.length;
  for (let at = 0; at <= length; at += 1) {
    const code = at < length ? (mappings[at] as number) : SEMICOLON;
    if (code === SEMICOLON || code === COMMA) {
      if (shift !== 0) throw new SourceMapFormatError(`a value cut short at character ${at} of its mappings`);
      if (field === 2 || field === 3 || field > 5) {
        throw new SourceMapFormatError(`a segment of ${field} values before character ${at} of its mappings`);
      }
      field = 0;
      if (code === SEMICOLON && at < length) {
        rows[row] = at + 1;
        rows[row + 1] = source;
        rows[row + 2] = line;
        rows[row + 3] = column;
        rows[row + 4] = name;
        row += ROW;
      }
      continue;
    }
    const digit = code < 128 ? (DIGITS[code] as number) : -1;
    if (digit < 0) throw new SourceMapFormatError(mappingsProblem(mappings, at, length));
    // Values of up to 31 bits, as every reader decodes them.
    value |= (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      if (shift > 30) throw new SourceMapFormatError(`a value too large at character ${at} of its mappings`);
      continue;
    }
    const signed = value & 1 ? -(value >>> 1) : value >>> 1;
    value = 0;
    shift = 0;
    if (field === 1) source += signed;
    else if (field === 2) line += signed;
    else if (field === 3) column += signed;
    else if (field === 4) name += signed;
    field += 1;
  }
}

function mappingsProblem(mappings: Uint8Array, at: number, end: number): string {
  if (at >= end) return `a value cut short at character ${at} of its mappings`;
  return `${JSON.stringify(String.fromCharCode(mappings[at] as number))} at character ${at} of its mappings, not base64`;
}

/** Each source's name with `sourceRoot` applied, as a directory: `sourceRoot/` + the name. */
function rootedSources(sources: readonly unknown[], sourceRoot: unknown): (string | null)[] {
  const prefix = typeof sourceRoot === 'string' && sourceRoot !== '' ? `${sourceRoot}/` : '';
  return sources.map((source) => (typeof source === 'string' ? prefix + source : null));
}

/** The bytes of the `mappings` string: its JSON text, decoded only when it holds an escape. */
function mappingBytes(bytes: Uint8Array, range: Range): Uint8Array {
  if (bytes[range.start] !== QUOTE) throw new SourceMapFormatError('its `mappings` is not a string');
  const inner = bytes.subarray(range.start + 1, range.end - 1);
  if (inner.indexOf(BACKSLASH) < 0) return inner;
  const text: unknown = JSON.parse(decodeUtf8(bytes.subarray(range.start, range.end)));
  return Buffer.from(String(text), 'latin1');
}

/** Each source's text in a `sourcesContent` array (its items' JSON text), decoded each time it is asked for. */
function contentOf(bytes: Uint8Array, items: readonly Range[]): (source: number) => string | undefined {
  return (source) => {
    const item = items[source];
    if (item === undefined || bytes[item.start] !== QUOTE) return undefined;
    const value: unknown = JSON.parse(decodeUtf8(bytes.subarray(item.start, item.end)));
    return typeof value === 'string' ? value : undefined;
  };
}

/** A map of sections: each section's map read as one, its positions shifted by its offset. */
function parseIndexMap(json: unknown): ParsedSourceMap {
  const map = json as { version?: unknown; sections?: unknown };
  if (map.version !== 3 || !Array.isArray(map.sections)) {
    throw new SourceMapFormatError('not a source map (no `version` 3 with `mappings` or `sections`)');
  }
  const parsed = map.sections.map((section: unknown, index) => {
    const { offset, map: inner } = (section ?? {}) as { offset?: unknown; map?: unknown };
    const { line, column } = (offset ?? {}) as { line?: unknown; column?: unknown };
    if (
      !(Number.isInteger(line) && Number.isInteger(column)) ||
      typeof inner !== 'object' ||
      inner === null
    ) {
      throw new SourceMapFormatError(`its section ${index} has no \`offset\` and \`map\``);
    }
    return {
      line: line as number,
      column: column as number,
      map: parseSourceMap(Buffer.from(JSON.stringify(inner), 'utf8')),
    };
  });
  return {
    mappingsBytes: parsed.reduce((sum, section) => sum + section.map.mappingsBytes, 0),
    index: () =>
      indexedSections(
        parsed.map((section) => ({ line: section.line, column: section.column, map: section.map.index() })),
      ),
  };
}

/** One section of a map of sections: where it starts (0-based line and column) and its map. */
interface Section {
  readonly line: number;
  readonly column: number;
  readonly map: ReadSourceMap;
  /** The index its first source has among all the sections' sources. */
  readonly firstSource: number;
}

/** The sections of a map, indexed: their sources are all the sections' one after the other. */
function indexedSections(
  indexed: readonly { readonly line: number; readonly column: number; readonly map: ReadSourceMap }[],
): ReadSourceMap {
  const sources: (string | null)[] = [];
  const sections: Section[] = indexed.map((section) => {
    const firstSource = sources.length;
    sources.push(...section.map.sources);
    return { ...section, firstSource };
  });
  // The sections starting at or before a 0-based position, the last first.
  const sectionsBefore = (line: number, column: number): Section[] =>
    sections
      .filter((section) => section.line < line || (section.line === line && section.column <= column))
      .reverse();
  return {
    sources,
    position(line, column) {
      // A position before a section's first segment on its first line is in the previous section.
      for (const section of sectionsBefore(line - 1, column)) {
        const first = line - 1 === section.line;
        const found = section.map.position(line - section.line, first ? column - section.column : column);
        if (found !== undefined) return { ...found, source: found.source + section.firstSource };
        if (!first) return undefined;
      }
      return undefined;
    },
    content(source) {
      const section = sections.findLast((candidate) => source >= candidate.firstSource);
      return section?.map.content(source - section.firstSource);
    },
    heldBytes: () => sections.reduce((sum, section) => sum + section.map.heldBytes(), 0),
  };
}

/** A value's JSON text in the map's bytes: `[start, end)`. */
interface Range {
  readonly start: number;
  readonly end: number;
}

/**
 * The top-level object's fields and where each value's JSON text is (the last of a name, as
 * `JSON.parse` takes it). Walks the structure without decoding strings, so that `sourcesContent`
 * costs only what finding its end costs. Throws a {@link SourceMapFormatError} for text that is not
 * a JSON object.
 */
function topLevelFields(bytes: Uint8Array): Map<string, Range> {
  const fields = new Map<string, Range>();
  let at = skipSpace(bytes, skipBom(bytes));
  expect(bytes, at, 0x7b);
  at = skipSpace(bytes, at + 1);
  if (bytes[at] === 0x7d) return fields;
  for (;;) {
    expect(bytes, at, QUOTE);
    const keyEnd = stringEnd(bytes, at);
    const key: unknown = JSON.parse(decodeUtf8(bytes.subarray(at, keyEnd)));
    at = skipSpace(bytes, keyEnd);
    expect(bytes, at, 0x3a);
    const start = skipSpace(bytes, at + 1);
    const end = valueEnd(bytes, start);
    fields.set(String(key), { start, end });
    at = skipSpace(bytes, end);
    if (bytes[at] === 0x7d) break;
    expect(bytes, at, COMMA);
    at = skipSpace(bytes, at + 1);
  }
  if (skipSpace(bytes, at + 1) !== bytes.length) throw notJson(at + 1);
  return fields;
}

/** The items of the JSON array at `range`, each one's text. */
function arrayItems(bytes: Uint8Array, range: Range): Range[] {
  const items: Range[] = [];
  if (bytes[range.start] !== 0x5b) return items;
  let at = skipSpace(bytes, range.start + 1);
  if (bytes[at] === 0x5d) return items;
  for (;;) {
    const end = valueEnd(bytes, at);
    items.push({ start: at, end });
    at = skipSpace(bytes, end);
    if (bytes[at] === 0x5d) return items;
    expect(bytes, at, COMMA);
    at = skipSpace(bytes, at + 1);
  }
}

/** Where the JSON value starting at `at` ends (just past it). */
function valueEnd(bytes: Uint8Array, at: number): number {
  const first = bytes[at];
  if (first === QUOTE) return stringEnd(bytes, at);
  if (first === 0x5b || first === 0x7b) {
    // Nested arrays and objects: only their brackets count, strings are skipped whole.
    let depth = 0;
    let index = at;
    while (index < bytes.length) {
      const byte = bytes[index];
      if (byte === QUOTE) {
        index = stringEnd(bytes, index);
        continue;
      }
      if (byte === 0x5b || byte === 0x7b) depth += 1;
      else if (byte === 0x5d || byte === 0x7d) {
        depth -= 1;
        if (depth === 0) return index + 1;
      }
      index += 1;
    }
    throw notJson(bytes.length);
  }
  let end = at;
  while (end < bytes.length && !isDelimiter(bytes[end] as number)) end += 1;
  if (end === at) throw notJson(at);
  return end;
}

/** Just past the closing quote of the JSON string opening at `at`. */
function stringEnd(bytes: Uint8Array, at: number): number {
  let from = at + 1;
  for (;;) {
    const quote = indexOfByte.call(bytes, QUOTE, from);
    if (quote < 0) throw notJson(bytes.length);
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

function isDelimiter(byte: number): boolean {
  return byte === COMMA || byte === 0x5d || byte === 0x7d || isSpace(byte);
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function skipSpace(bytes: Uint8Array, at: number): number {
  let index = at;
  while (index < bytes.length && isSpace(bytes[index] as number)) index += 1;
  return index;
}

function skipBom(bytes: Uint8Array): number {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

function expect(bytes: Uint8Array, at: number, byte: number): void {
  if (bytes[at] !== byte) throw notJson(at);
}

function notJson(at: number): SourceMapFormatError {
  return new SourceMapFormatError(`not valid JSON (at byte ${at})`);
}

/** The parsed value of a small top-level field, or undefined when the map has none. */
function parsedField(bytes: Uint8Array, fields: ReadonlyMap<string, Range>, name: string): unknown {
  const range = fields.get(name);
  if (range === undefined) return undefined;
  try {
    return JSON.parse(decodeUtf8(bytes.subarray(range.start, range.end))) as unknown;
  } catch {
    throw new SourceMapFormatError(`not valid JSON (its \`${name}\`)`);
  }
}

const utf8 = new TextDecoder();

function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
