import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SendTime, SourceExcerpt, SourceLookup, SourcePosition } from '../core/ports.js';
import { parseSourceMap, type ReadSourceMap, SourceMapFormatError } from './source-map-reader.js';

const MIB = 1024 * 1024;
// The files a frame of code can be in: what a source is read from disk for.
const CODE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
/** A map is read only when this many times its estimate fits before the invocation's deadline. */
const DEADLINE_SAFETY = 1.5;

/**
 * What a step of reading a map costs, in milliseconds of CPU at one full vCPU: a part every map
 * pays (the step's code runs for the first time in the container, mostly interpreted) and a part per
 * MiB it reads.
 */
export interface ReadCost {
  readonly fixedMs: number;
  readonly msPerMib: number;
}

/**
 * Reading a map's file and walking its JSON (not decoding its `sourcesContent`), per MiB of map;
 * checked before the map is read. Measured in fresh processes on Node 20, 22 and 24 (3 each), in
 * process CPU time: 27 to 37 ms for a 5.4 MiB map, 5 to 7 ms for 1.1 MiB, 2 to 4 ms for 0.34 MiB;
 * the highest of each covered.
 */
export const MAP_PARSE_COST: ReadCost = { fixedMs: 4, msPerMib: 7 };

/**
 * Indexing a map's `mappings` (one pass over them that cannot be interrupted), per MiB of their
 * text; checked once the JSON is walked, so that a map's `sourcesContent` does not count. Measured
 * as {@link MAP_PARSE_COST}, up to the first position: 37 to 65 ms for 1.6 MiB of mappings, 16 to
 * 27 ms for 0.32 MiB, 9 to 21 ms for 0.09 MiB; the highest of each covered.
 *
 * @example
 * // 2 MiB of mappings at 7.2% of a vCPU are estimated at (20 + 2 * 30) / 0.072 ms, about 1.1 s.
 */
export const MAPPINGS_COST: ReadCost = { fixedMs: 20, msPerMib: 30 };

/**
 * The largest map read by default: the 5.4 MiB map of a bundle of the AWS SDK's SES and DynamoDB
 * clients and three libraries fits with room. Larger maps are refused at any CPU share.
 */
const DEFAULT_MAX_MAP_BYTES = 10 * MIB;
/**
 * What the cache holds at most by default: an eighth of the smallest function's 128 MB. A map holds
 * about 1.3 times its size once read (its bytes and a line index of 20 bytes a generated line), so
 * one map of up to about 12 MiB stays read for the container's later reports.
 */
const DEFAULT_MAX_CACHE_BYTES = 16 * MIB;
/** What the cache counts for an entry that holds no text (where a file's map is, a failure). */
const SMALL_ENTRY_BYTES = 256;
/** The largest source file read from disk for an excerpt. */
const MAX_SOURCE_BYTES = 2 * MIB;
/** How much of a generated file's end is read to find its map comment, the file's last line. */
const TAIL_BYTES = 16 * 1024;
const MAP_COMMENT = 'sourceMappingURL=';
const COMMENT_OPENING = /\/\/[#@][ \t]*$/;
const INLINE_MAP = /^data:application\/json(?:;charset=utf-?8)?;base64,/i;
// The end of a tail that is all base64: the middle of an inline map that starts further back.
const BASE64_TAIL = /^[A-Za-z0-9+/]*={0,2}\s*$/;
const WHITESPACE = /\s/g;

/** How source maps are read in this container. */
export interface SourceMapOptions {
  /**
   * Absolute; sources are shown relative to it, and no file outside it is ever read
   * (`LAMBDA_TASK_ROOT`, else the working directory: the caller decides).
   */
  readonly taskRoot: string;
  /**
   * The largest map read, in bytes (an inline map: decoded); checked before reading. A map holds
   * about 1.3 times its size once read.
   * @default 10 MiB
   */
  readonly maxMapBytes?: number;
  /**
   * What the cache may hold, in bytes of heap as estimated from the maps and sources it holds; past
   * it the oldest go. A map that alone holds more is read once per report.
   * @default 16 MiB
   */
  readonly maxCacheBytes?: number;
  /**
   * True when the process maps stacks itself (`--enable-source-maps`,
   * `process.setSourceMapsEnabled(true)`): positions are then taken as they are, never mapped twice
   * (excerpts still work).
   * @default false
   */
  readonly alreadyMapped?: boolean;
}

/**
 * The container's cache of parsed maps and sources; one per container.
 *
 * @example
 * const lookup = sourceMaps.lookupFor(time);
 * lookup.position('/var/task/dist/index.js', 1, 2345); // { file: 'src/orders/price.ts', line: 18, column: 32 }
 */
export interface SourceMaps {
  /**
   * A lookup for one report: it reads no map whose estimated read time ({@link MAP_PARSE_COST} and
   * {@link MAPPINGS_COST} at `time.cpuShare`) exceeds `time.leftMs()`; without `time`, it
   * reads any. A map the cache holds takes no time. Its `notes()` are this report's.
   */
  lookupFor(
    time: (Pick<SendTime, 'leftMs' | 'cpuShare'> & Partial<Pick<SendTime, 'untilDeadlineMs'>>) | undefined,
  ): SourceLookup;
  /** Bytes the cache holds (parsed maps and sources), as estimated. */
  heldBytes(): number;
}

/**
 * Makes the container's cache of maps and sources; nothing is read until a lookup asks. Throws a
 * `TypeError` when an option is not usable.
 *
 * @example
 * const sourceMaps = createSourceMaps({ taskRoot: process.env.LAMBDA_TASK_ROOT ?? process.cwd() });
 */
export function createSourceMaps(options: SourceMapOptions): SourceMaps {
  checkOptions(options);
  const given = normalize(options.taskRoot);
  const container: Container = {
    roots: { given, real: realPathOr(given) },
    maxMapBytes: options.maxMapBytes ?? DEFAULT_MAX_MAP_BYTES,
    alreadyMapped: options.alreadyMapped ?? false,
    cache: createHeldCache(options.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES),
  };
  return {
    lookupFor: (time) => createLookup(container, time),
    heldBytes: () => container.cache.heldBytes(),
  };
}

/** Throws one `TypeError` listing every option that is not usable. */
function checkOptions(options: SourceMapOptions): void {
  const problems: string[] = [];
  if (typeof options.taskRoot !== 'string' || !isAbsolute(options.taskRoot)) {
    problems.push(`\`taskRoot\` must be an absolute path; got ${JSON.stringify(options.taskRoot)}`);
  }
  for (const name of ['maxMapBytes', 'maxCacheBytes'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      problems.push(`\`${name}\` must be a whole number of bytes; got ${String(value)}`);
    }
  }
  if (problems.length > 0) throw new TypeError(problems.join('\n'));
}

/** The task root as given and as the file system resolves it: a stack may print either. */
interface Roots {
  readonly given: string;
  readonly real: string;
}

/** Where a generated file's map is, as its last `sourceMappingURL` comment says; `key` names it in the cache. */
type MapRef =
  | { readonly kind: 'file'; readonly key: string; readonly generated: string; readonly path: string }
  | {
      readonly kind: 'inline';
      readonly key: string;
      readonly generated: string;
      /** The generated file's real path. */
      readonly real: string;
      /** The byte range of the base64 text in the generated file. */
      readonly start: number;
      readonly end: number;
    }
  | { readonly kind: 'unusable'; readonly key: string; readonly generated: string; readonly reason: string };

type ReadableRef = Exclude<MapRef, { kind: 'unusable' }>;

/** A map as read, and its sources as positions name them. */
interface ReadMap {
  readonly read: ReadSourceMap;
  /** Each source as a position names it (relative to the task root, else the map's own name), by index. */
  readonly shown: readonly (string | undefined)[];
  /** The file each source is, when it names one, by index. */
  readonly paths: readonly (string | undefined)[];
  /** The index of each source, by its shown name. */
  readonly indexByShown: ReadonlyMap<string, number>;
}

/** What the cache holds under a key. */
type Held =
  | { readonly kind: 'located'; readonly ref: MapRef | undefined }
  | { readonly kind: 'map'; readonly map: ReadMap; readonly bytes: number }
  | { readonly kind: 'source'; readonly text: string }
  | { readonly kind: 'failed'; readonly reason: string };

type Failed = Extract<Held, { kind: 'failed' }>;

/** Entries and the bytes each is counted for, oldest first. */
interface HeldCache {
  get(key: string): Held | undefined;
  /** Keeps `held` unless it alone exceeds the cap, dropping the oldest entries to make room. */
  keep(key: string, held: Held, bytes: number): void;
  heldBytes(): number;
}

/** The container's state: what every lookup shares. */
interface Container {
  readonly roots: Roots;
  readonly maxMapBytes: number;
  readonly alreadyMapped: boolean;
  readonly cache: HeldCache;
}

function createHeldCache(capBytes: number): HeldCache {
  const entries = new Map<string, { readonly held: Held; readonly bytes: number }>();
  let total = 0;
  const drop = (key: string) => {
    total -= entries.get(key)?.bytes ?? 0;
    entries.delete(key);
  };
  return {
    get: (key) => entries.get(key)?.held,
    keep(key, held, bytes) {
      drop(key);
      if (bytes > capBytes) return;
      for (const oldest of entries.keys()) {
        if (total + bytes <= capBytes) break;
        drop(oldest);
      }
      entries.set(key, { held, bytes });
      total += bytes;
    },
    heldBytes: () => total,
  };
}

function createLookup(
  container: Container,
  time: (Pick<SendTime, 'leftMs' | 'cpuShare'> & Partial<Pick<SendTime, 'untilDeadlineMs'>>) | undefined,
): SourceLookup {
  const { roots, cache } = container;
  const notes = new Set<string>();
  // What this report used: a map is read once per report even when the cache does not keep it.
  const used = new Map<string, Held>();
  // The maps this report had no time for.
  const refused = new Set<string>();

  const recall = (key: string): Held | undefined => {
    const held = used.get(key) ?? cache.get(key);
    if (held !== undefined) used.set(key, held);
    return held;
  };
  const remember = (key: string, held: Held, bytes: number): Held => {
    used.set(key, held);
    cache.keep(key, held, bytes);
    return held;
  };
  const guarded = <T>(work: () => T | undefined): T | undefined => {
    try {
      return work();
    } catch (error) {
      notes.add(`source lookup failed: ${messageOf(error)}`);
      return undefined;
    }
  };

  const locate = (generated: string): MapRef | undefined => {
    const key = `located:${generated}`;
    const held = recall(key);
    if (held?.kind === 'located') return held.ref;
    const real = realPathInside(roots, generated);
    const ref = real === undefined ? undefined : findMapRef(generated, real, container.maxMapBytes);
    remember(key, { kind: 'located', ref }, SMALL_ENTRY_BYTES);
    return ref;
  };

  const readInTime = (ref: MapRef): Held | undefined => {
    if (ref.kind === 'unusable') return failed(ref.reason);
    const sized = sizedMap(ref, roots);
    if ('reason' in sized) return sized;
    const { real, size } = sized;
    if (size > container.maxMapBytes) {
      return failed(`${formatBytes(size)}, over the ${formatBytes(container.maxMapBytes)} bound`);
    }
    const refuse = (short: string): undefined => {
      refused.add(ref.key);
      notes.add(`source map of ${shownPath(roots, ref.generated)} not read: ${short}`);
      return undefined;
    };
    const parseShort = time === undefined ? undefined : shortOfTime(cpuMsOf(size, MAP_PARSE_COST), time);
    if (parseShort !== undefined) return refuse(parseShort);
    const read = readMap(ref, real, roots, container.maxMapBytes, (mappingsBytes) =>
      time === undefined ? undefined : shortOfTime(cpuMsOf(mappingsBytes, MAPPINGS_COST), time),
    );
    return read.kind === 'late' ? refuse(read.short) : read;
  };

  const mapOf = (generated: string): ReadMap | undefined => {
    const ref = locate(generated);
    if (ref === undefined || refused.has(ref.key)) return undefined;
    let held = recall(ref.key);
    if (held === undefined) {
      const read = readInTime(ref);
      if (read === undefined) return undefined;
      held = remember(ref.key, read, read.kind === 'map' ? read.bytes : SMALL_ENTRY_BYTES);
    }
    if (held.kind === 'map') return held.map;
    if (held.kind === 'failed')
      notes.add(`source map of ${shownPath(roots, ref.generated)} not read: ${held.reason}`);
    return undefined;
  };

  const diskSource = (path: string): string | undefined => {
    // Only code is read from disk: a frame line an error message made up must not mail a .env file.
    if (!CODE_FILE.test(path)) return undefined;
    const real = realPathInside(roots, path);
    if (real === undefined) return undefined;
    const key = `source:${real}`;
    const held = recall(key) ?? remember(key, ...heldSource(real, roots));
    if (held.kind === 'source') return held.text;
    if (held.kind === 'failed') notes.add(`source ${shownPath(roots, path)} not read: ${held.reason}`);
    return undefined;
  };

  // Sources decoded from a map's `sourcesContent`, for this report: each once however many frames show it.
  const contents = new Map<ReadMap, Map<number, string | undefined>>();
  const contentOf = (map: ReadMap, index: number): string | undefined => {
    const decoded = contents.get(map) ?? new Map<number, string | undefined>();
    contents.set(map, decoded);
    if (!decoded.has(index)) decoded.set(index, map.read.content(index));
    return decoded.get(index);
  };
  const mappedSource = (file: string, generated: string | undefined): string | undefined => {
    const maps = [...used.values()].flatMap((held) => (held.kind === 'map' ? [held.map] : []));
    // Two bundles may each hold a src/x.ts of their own: the frame's own map first.
    const own = generated === undefined ? undefined : ownMap(generated);
    for (const map of own === undefined ? maps : [own, ...maps]) {
      const index = map.indexByShown.get(file);
      if (index === undefined) continue;
      const content = contentOf(map, index);
      if (content !== undefined) return content;
      const path = map.paths[index];
      return path === undefined ? undefined : diskSource(path);
    }
    return diskSource(framePath(file) ?? resolve(roots.given, file));
  };
  // The map of a generated file this report already read, without reading any.
  const ownMap = (generated: string): ReadMap | undefined => {
    const path = framePath(generated);
    const located = path === undefined ? undefined : used.get(`located:${path}`);
    const ref = located?.kind === 'located' ? located.ref : undefined;
    const held = ref === undefined ? undefined : used.get(ref.key);
    return held?.kind === 'map' ? held.map : undefined;
  };

  return {
    position: (file, line, column) =>
      guarded(() => {
        if (container.alreadyMapped) return undefined;
        const generated = framePath(file);
        const map = generated === undefined ? undefined : mapOf(generated);
        return map === undefined ? undefined : originalPosition(map, line, column);
      }),
    excerpt: (file, line, around, generated) =>
      guarded(() => {
        const text = mappedSource(file, generated);
        return text === undefined ? undefined : linesAround(text, line, around);
      }),
    notes: () => [...notes],
  };
}

/** The CPU a step costs for `bytes`, in milliseconds at one full vCPU. */
function cpuMsOf(bytes: number, cost: ReadCost): number {
  return cost.fixedMs + (bytes / MIB) * cost.msPerMib;
}

/** Why a step of `cpuMs` (at one full vCPU) is not taken in `time`, or undefined when it fits. */
function shortOfTime(
  cpuMs: number,
  time: Pick<SendTime, 'leftMs' | 'cpuShare'> & Partial<Pick<SendTime, 'untilDeadlineMs'>>,
): string | undefined {
  const needMs = Math.ceil(cpuMs / time.cpuShare);
  const leftMs = Math.max(0, Math.floor(time.leftMs()));
  const untilDeadline = time.untilDeadlineMs?.();
  const share = `${(time.cpuShare * 100).toFixed(1)}% of a vCPU`;
  if (needMs > leftMs) return `about ${needMs} ms to read at ${share}, ${leftMs} ms were left`;
  if (untilDeadline !== undefined && needMs * DEADLINE_SAFETY > untilDeadline) {
    return `about ${needMs} ms to read at ${share}, ${Math.max(0, Math.floor(untilDeadline))} ms were left before the deadline`;
  }
  return undefined;
}

/** The map's position for a V8 position (1-based line and column), 1-based too. */
function originalPosition(map: ReadMap, line: number, column: number): SourcePosition | undefined {
  if (!(Number.isInteger(line) && Number.isInteger(column) && line >= 1 && column >= 1)) return undefined;
  // Maps count columns from 0.
  const found = map.read.position(line, column - 1);
  const file = found === undefined ? undefined : map.shown[found.source];
  if (found === undefined || file === undefined) return undefined;
  const position = { file, line: found.line, column: found.column + 1 };
  return found.name === undefined ? position : { ...position, name: found.name };
}

/** Where `generated` says its map is, reading the end of `real` (its real path). */
function findMapRef(generated: string, real: string, maxMapBytes: number): MapRef | undefined {
  const comment = lastMapComment(real, maxMapBytes);
  if (comment === undefined) return undefined;
  const inlineKey = `inline:${generated}`;
  if (comment === 'over') {
    return unusable(
      inlineKey,
      generated,
      `an inline map of more than ${formatBytes(maxMapBytes)}, over the bound`,
    );
  }
  const { url, start, end } = comment;
  if (url.startsWith('data:')) {
    const prefix = INLINE_MAP.exec(url);
    if (prefix === null) return unusable(inlineKey, generated, 'a data URL that is not base64 JSON');
    return { kind: 'inline', key: inlineKey, generated, real, start: start + prefix[0].length, end };
  }
  const base = pathToFileURL(generated);
  if (!URL.canParse(url, base.href)) return unusable(`map:${url}`, generated, `${url} is not a URL`);
  const target = new URL(url, base);
  if (target.protocol !== 'file:') {
    return unusable(`map:${target.href}`, generated, `its map is at ${target.href}, not a file`);
  }
  const path = fileURLToPath(target);
  return { kind: 'file', key: `map:${path}`, generated, path };
}

function unusable(key: string, generated: string, reason: string): MapRef {
  return { kind: 'unusable', key, generated, reason };
}

/**
 * The last map comment's URL in a file and its byte range (`url` of an inline map: its start only).
 * `'over'` when the file ends in an inline map that starts before any map the bound allows.
 */
function lastMapComment(
  path: string,
  maxMapBytes: number,
): { readonly url: string; readonly start: number; readonly end: number } | 'over' | undefined {
  const fd = openFile(path);
  try {
    const size = fstatSync(fd).size;
    let from = Math.max(0, size - TAIL_BYTES);
    let tail = readAt(fd, from, size - from).toString('latin1');
    let found = lastUrlRange(tail);
    if (found === undefined && from > 0 && BASE64_TAIL.test(tail)) {
      // Base64 is 4 bytes for 3; the comment and its prefix come before it.
      from = Math.max(0, size - Math.ceil((maxMapBytes * 4) / 3) - TAIL_BYTES);
      tail = readAt(fd, from, size - from).toString('latin1');
      found = lastUrlRange(tail);
      if (found === undefined) return from > 0 ? 'over' : undefined;
    }
    if (found === undefined) return undefined;
    // Latin-1 decodes one character per byte: string offsets are file offsets.
    const url = tail.slice(found.start, tail.startsWith('data:', found.start) ? found.start + 64 : found.end);
    return { url, start: from + found.start, end: from + found.end };
  } finally {
    closeSync(fd);
  }
}

/** The range of the last `//# sourceMappingURL=` comment's URL in `text`. */
function lastUrlRange(text: string): { readonly start: number; readonly end: number } | undefined {
  let at = text.lastIndexOf(MAP_COMMENT);
  while (at >= 0) {
    if (COMMENT_OPENING.test(text.slice(Math.max(0, at - 8), at))) {
      const start = at + MAP_COMMENT.length;
      WHITESPACE.lastIndex = start;
      const end = WHITESPACE.exec(text)?.index ?? text.length;
      return { start, end };
    }
    at = at === 0 ? -1 : text.lastIndexOf(MAP_COMMENT, at - 1);
  }
  return undefined;
}

/** The real path and size of the map `ref` names, in bytes (an inline one decoded), or why it has none. */
function sizedMap(ref: ReadableRef, roots: Roots): { readonly real: string; readonly size: number } | Failed {
  if (ref.kind === 'inline') return { real: ref.real, size: Math.floor(((ref.end - ref.start) * 3) / 4) };
  try {
    const real = realpathSync(ref.path);
    if (inside(roots.real, real) === undefined) return failed(`${ref.path} is outside the task root`);
    return { real, size: statSync(real).size };
  } catch (error) {
    return readFailure(error, shownPath(roots, ref.path));
  }
}

/** A map read, or not decoded for want of time (`short` says why): then nothing is cached. */
type ReadResult = Held | { readonly kind: 'late'; readonly short: string };

/** Reads and parses the map `ref` names; `decodeShort` says whether its mappings can be decoded in time. */
function readMap(
  ref: ReadableRef,
  real: string,
  roots: Roots,
  maxMapBytes: number,
  decodeShort: (mappingsBytes: number) => string | undefined,
): ReadResult {
  let bytes: Buffer;
  try {
    bytes = ref.kind === 'file' ? readBounded(real, maxMapBytes) : inlineMapBytes(ref);
  } catch (error) {
    return readFailure(error, shownPath(roots, ref.kind === 'file' ? ref.path : ref.generated));
  }
  // An inline map's sources resolve against the generated file, as if the map were beside it.
  return parseMap(bytes, ref.kind === 'file' ? ref.path : ref.generated, roots, decodeShort);
}

/** The bytes of an inline map: its base64 range of the generated file, decoded. */
function inlineMapBytes(ref: Extract<MapRef, { kind: 'inline' }>): Buffer {
  const fd = openFile(ref.real);
  try {
    return Buffer.from(readAt(fd, ref.start, ref.end - ref.start).toString('latin1'), 'base64');
  } finally {
    closeSync(fd);
  }
}

/** A map from its JSON bytes; its sources resolve against `mapPath`, where the map is (or would be). */
function parseMap(
  bytes: Buffer,
  mapPath: string,
  roots: Roots,
  decodeShort: (mappingsBytes: number) => string | undefined,
): ReadResult {
  let read: ReadSourceMap;
  try {
    const parsed = parseSourceMap(bytes);
    const short = decodeShort(parsed.mappingsBytes);
    if (short !== undefined) return { kind: 'late', short };
    read = parsed.index();
  } catch (error) {
    if (error instanceof SourceMapFormatError) return failed(error.message);
    if (error instanceof SyntaxError) return failed('not valid JSON');
    throw error;
  }
  const paths = read.sources.map((source) => sourceFile(source, mapPath));
  const shown = read.sources.map((source, index) => shownSource(source, paths[index], roots));
  const map: ReadMap = { read, shown, paths, indexByShown: firstIndexes(shown) };
  return { kind: 'map', map, bytes: read.heldBytes() };
}

/**
 * The file a source names, resolved as a URL against the map's own place: a relative name against the
 * map's folder, a `file:` URL as the file it is; undefined for any other URL (`webpack://...`).
 */
function sourceFile(source: string | null, mapPath: string): string | undefined {
  if (source === null) return undefined;
  if (source.startsWith('file:')) return framePath(source);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(source) || source.startsWith('//')) return undefined;
  return resolve(dirname(mapPath), source);
}

/** The index of each value's first occurrence. */
function firstIndexes(values: readonly (string | null | undefined)[]): ReadonlyMap<string, number> {
  const indexes = new Map<string, number>();
  values.forEach((value, index) => {
    if (typeof value === 'string' && !indexes.has(value)) indexes.set(value, index);
  });
  return indexes;
}

/** A source as positions name it: relative to the task root when it is a file inside it, else the map's name. */
function shownSource(source: string | null, path: string | undefined, roots: Roots): string | undefined {
  if (source === null) return undefined;
  if (path === undefined) return source;
  const shown = relativeToRoot(roots, path);
  if (shown === undefined) return source;
  return librarySource(roots, path) ?? shown;
}

/**
 * A source of this library itself (under the `src/` or `dist/` of a folder whose package.json is
 * named `lambda-error-mail`, inside the task root, as when the library's own repository builds a
 * function that imports its sources) shown as `lambda-error-mail/src/...`: its frames are then the
 * library's, not the user's. Undefined for any other source.
 */
function librarySource(roots: Roots, path: string): string | undefined {
  const isRoot = (dir: string) => dir === roots.given || dir === roots.real;
  // Upward from the source to the task root, never above it: the nearest package.json decides.
  for (let dir = dirname(path); isRoot(dir) || relativeToRoot(roots, dir) !== undefined; dir = dirname(dir)) {
    const name = packageName(join(dir, 'package.json'));
    if (name !== undefined) {
      const rel = inside(dir, path);
      const own = name === LIBRARY_NAME && rel !== undefined && /^(src|dist)\//.test(rel);
      return own ? `${LIBRARY_NAME}/${rel}` : undefined;
    }
    if (isRoot(dir)) return undefined;
  }
  return undefined;
}

const LIBRARY_NAME = 'lambda-error-mail';
// package.json files read to tell the library's own sources, by path: read once per container.
const packageNames = new Map<string, string | undefined>();

/** The `name` of the package.json at `file`, when there is one (at most 64 KiB read). */
function packageName(file: string): string | undefined {
  if (packageNames.has(file)) return packageNames.get(file);
  let name: string | undefined;
  try {
    const json: unknown = JSON.parse(readBounded(file, 64 * 1024).toString('utf8'));
    const value = (json as { name?: unknown } | null)?.name;
    name = typeof value === 'string' ? value : '';
  } catch {
    name = undefined;
  }
  packageNames.set(file, name);
  return name;
}

/** The path of a frame's file as V8 prints it (an absolute path or a file URL), else undefined. */
function framePath(file: string): string | undefined {
  if (file.startsWith('file:')) {
    try {
      return fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  return isAbsolute(file) ? normalize(file) : undefined;
}

/** A source file's text, or why it is not read, and the bytes the cache counts for it. */
function heldSource(real: string, roots: Roots): [Held, number] {
  try {
    const bytes = readBounded(real, MAX_SOURCE_BYTES);
    return [{ kind: 'source', text: bytes.toString('utf8') }, bytes.length];
  } catch (error) {
    return [readFailure(error, shownPath(roots, real)), SMALL_ENTRY_BYTES];
  }
}

/** Reads a whole file of at most `maxBytes`; throws a {@link TooLargeError} when it is larger. */
/**
 * Opens a regular file for reading, and throws for anything else: without O_NONBLOCK, opening a named
 * pipe would wait for a writer, and the report with it.
 */
function openFile(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new Error('not a file');
  }
  return fd;
}

function readBounded(path: string, maxBytes: number): Buffer {
  const fd = openFile(path);
  try {
    const stats = fstatSync(fd);
    if (stats.size > maxBytes) throw new TooLargeError(stats.size, maxBytes);
    return readAt(fd, 0, stats.size);
  } finally {
    closeSync(fd);
  }
}

/** A file over the bound of what is read of it. */
class TooLargeError extends Error {
  override readonly name = 'TooLargeError' as const;

  constructor(size: number, bound: number) {
    super(`${formatBytes(size)}, over the ${formatBytes(bound)} bound`);
  }
}

/** Up to `length` bytes of `fd` from `position` (fewer at its end). */
function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

/** What a failed read says: too large, missing, or the error's code. */
function readFailure(error: unknown, shown: string): Failed {
  if (error instanceof TooLargeError) return failed(error.message);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return failed(`${shown} not found`);
  return failed(`${shown} could not be read (${typeof code === 'string' ? code : messageOf(error)})`);
}

function failed(reason: string): Failed {
  return { kind: 'failed', reason };
}

/** Lines `line - around` to `line + around` of `text`, clipped to it; undefined when `line` is not in it. */
function linesAround(text: string, line: number, around: number): SourceExcerpt | undefined {
  if (!(Number.isInteger(line) && line >= 1)) return undefined;
  const firstLine = Math.max(1, line - Math.max(0, Math.floor(around)));
  const lastLine = line + Math.max(0, Math.floor(around));
  const lines: string[] = [];
  let start = 0;
  let number = 1;
  // A line starts before the end of the text: a final newline ends the last line, it starts none.
  // Lines end as V8 counts them: at \n, \r\n, a lone \r, U+2028 and U+2029.
  const breaks = /\r\n?|[\n\u2028\u2029]/g;
  for (; number <= lastLine && start < text.length; number += 1) {
    breaks.lastIndex = start;
    const found = breaks.exec(text);
    const end = found === null ? text.length : found.index;
    if (number >= firstLine) lines.push(text.slice(start, end));
    start = found === null ? text.length : found.index + found[0].length;
  }
  return number > line ? { firstLine, lines } : undefined;
}

/** The real path of `path` when it is a file inside the task root (a symlink cannot lead out), else undefined. */
function realPathInside(roots: Roots, path: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return undefined;
  }
  return inside(roots.real, real) === undefined ? undefined : real;
}

/** `path` relative to the task root (as given or real), with forward slashes, when inside it; else undefined. */
function relativeToRoot(roots: Roots, path: string): string | undefined {
  return inside(roots.given, path) ?? inside(roots.real, path);
}

/** `path` relative to `root`, with forward slashes, when inside it; else undefined. */
function inside(root: string, path: string): string | undefined {
  const rel = relative(root, path);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

/** A path as notes show it: relative to the task root when inside it. */
function shownPath(roots: Roots, path: string): string {
  return relativeToRoot(roots, path) ?? path;
}

function realPathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Bytes in MiB (KiB, bytes when fewer), one decimal. */
function formatBytes(bytes: number): string {
  if (bytes >= MIB) return `${trimDecimal(bytes / MIB)} MiB`;
  if (bytes >= 1024) return `${trimDecimal(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

function trimDecimal(value: number): string {
  return value.toFixed(1).replace(/\.0$/, '');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
