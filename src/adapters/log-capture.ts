import type { CapturedLevel, CapturedWrite, InvocationWrites } from '../core/input/log-lines.js';

/**
 * What the process wrote, kept for the error mail: the last {@link CAPACITY} writes of `console` and
 * of the standard streams, each with its time and level, copied into a ring that never grows. Captured where
 * the bytes go out, so a line is recorded once and as it was written, whoever formatted it:
 *
 * - Node.js's own `console` and anything else that writes `process.stdout` or `process.stderr`
 *   (Powertools' logger, pino after them): each write;
 * - the Lambda runtime's `console` (it writes each line with `fs.writeSync` to its telemetry file
 *   descriptor, in a frame whose 16-byte header names the level and the time, or to a socket with
 *   Managed Instances): the line written during the `console` call;
 * - `fs.write` and `fs.writeSync` to file descriptors 1 and 2 (pino's default destination).
 *
 * A write's level comes from the runtime's frame header; at report time, from the runtime's text
 * prefix or a JSON line's `level`; else it is the stream's (`stdout`, `stderr`). `console` methods are
 * wrapped only when invocations run side by side, to know which writes are console lines; each
 * wrapper calls the method it replaced with the same arguments. Every write goes on as it was, with
 * the same arguments, result and errors. Nothing is decoded here: the report does that, for the
 * lines it shows.
 */

/** How many writes the ring keeps (a power of two). */
export const CAPACITY = 128;
/** The bytes of one write kept (its UTF-8 for text); a longer one is cut. */
export const MAX_WRITE = 4096;
/** The bytes kept for all the writes together: the ring's slots, each write as long as it is. */
const ARENA_BYTES = 256 * 1024;

// The levels of captured writes by index: `console` levels first, in the runtime's order.
const LEVELS: readonly CapturedLevel[] = [
  'TRACE',
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'FATAL',
  'STDOUT',
  'STDERR',
];

/** The process's capture: one per process, shared by every wrapper (and every copy of the library). */
export interface LogCapture {
  /**
   * Marks an invocation's start; `writesOf` and `end` take the mark back. A second wrapper of the
   * same invocation gets the same mark, nested: one that its handler calls (before `called`), or one
   * that middy's middleware began, handed the same `context`. A few stores, a few nanoseconds.
   * `owner` and `isOver(owner)` are middy's: whether the invocation ended without `end` (middy
   * answered early, skipping the middleware).
   */
  begin(context: unknown, startedAt: number, owner?: object, isOver?: (owner: object) => boolean): number;
  /** Says that the handler's call returned (its synchronous part is over), for a begin without `owner`. */
  called(mark: number): void;
  /** Marks the end (however it ended) of the invocation `begin` gave `mark`. */
  end(mark: number): void;
  /** The writes since `mark`, of the invocation with `requestId` when the runtime tells invocations apart. */
  writesOf(mark: number, requestId: string | undefined): InvocationWrites;
  /** Runs `write` without capturing what it writes: the library's own log lines. */
  uncaptured(write: () => void): void;
}

// The longest a Lambda invocation runs: an invocation still "running" after this never ended (its
// handler's promise was left pending), and no longer counts as overlapping the next ones.
const LONGEST_INVOCATION_MS = 900_000;
const NONE = -1;
const STDOUT = LEVELS.indexOf('STDOUT');
const STDERR = LEVELS.indexOf('STDERR');
// Versioned: another copy of the library whose capture has another shape installs its own.
const GLOBAL_KEY = Symbol.for('lambda-error-mail.log-capture.v2');
// The runtime's telemetry frame: a 16-byte header starting 0xA5 0x5A, then the line in another write.
const FRAME_HEADER_BYTES = 16;

/**
 * Runs `write` without capturing what it writes, when a capture is installed: the library's own log
 * lines are not the invocation's.
 */
export function withoutCapture(write: () => void): void {
  const capture = (globalThis as { [GLOBAL_KEY]?: LogCapture })[GLOBAL_KEY];
  if (capture === undefined) write();
  else capture.uncaptured(write);
}

/** The runtime's per-invocation store (aws-lambda-ric 4), when it runs invocations side by side. */
interface InvokeStore {
  getRequestId(): string;
}

/**
 * The process's capture, installed with the first call (later calls, from any copy of the library,
 * get the same one).
 *
 * @example
 * const capture = installLogCapture();
 * const mark = capture.begin(context, Date.now());
 * console.log('order', 42);
 * capture.writesOf(mark, undefined); // { kind: 'writes', writes: [{ level: 'STDOUT', data: <the bytes of 'order 42\n'>, ... }], earlier: 0 }
 */
export function installLogCapture(): LogCapture {
  const holder = globalThis as { [GLOBAL_KEY]?: LogCapture };
  holder[GLOBAL_KEY] ??= createLogCapture();
  return holder[GLOBAL_KEY];
}

// The capture's counters and flags, by index in one Float64Array. Every invocation and every write
// changes them: a time, or a count past 2^30, kept in a variable would be a number object made at
// each change; here it is a store. Counts are whole numbers below 2^53.
const WRITTEN = 0; // slots used so far: writes and the marks that begins leave (length -1)
const END = 1; // bytes written to the arena so far (a write's start is counted from its first byte)
const RUNNING = 2; // invocations begun and not ended
const BEGUN_AT = 3; // when the last one began
const LAST_MARK = 4; // the last one's mark
const MIXED_FROM = 5; // the mark from which lines may be several invocations'
const CALLING = 6; // 1 while the last invocation's handler is being called (its synchronous part)
const CONSOLE_LEVEL = 7; // the level of the console call running now (its writes are its line), else NONE
const FRAME_FD = 8; // a telemetry frame's header just written: the descriptor of its line, else NONE
const FRAME_LENGTH = 9; // and the line's length, level and time
const FRAME_LEVEL = 10;
const FRAME_AT = 11;
const QUIET = 12; // 1 while the library writes its own lines
const STATE_SIZE = 13;

function createLogCapture(): LogCapture {
  // Each write is copied into its slot of one arena allocated here: the ring holds no reference to
  // what the program wrote (a slice of a large body, a buffer it reuses), and never more than this.
  // Writes are laid end to end (small lines touch neighbouring memory, not a page each), and the
  // arena wraps to its start when a write would not fit before its end. A Buffer, for its `write`,
  // which encodes text in place and returns a count: no object per write.
  const arena = Buffer.allocUnsafeSlow(ARENA_BYTES);
  // Each slot's place: its start, counted from the arena's first byte ever written (so that a start
  // less than ARENA_BYTES before the end of what was written is still there), and its length.
  const starts = new Float64Array(CAPACITY);
  const lengths = new Int32Array(CAPACITY);
  const ats = new Float64Array(CAPACITY);
  const levels = new Uint8Array(CAPACITY);
  const cuts = new Uint8Array(CAPACITY);
  // Request ids, kept only when the runtime runs invocations side by side and can name each line's.
  const owners: (string | undefined)[] = new Array(CAPACITY).fill(undefined);
  const store = sideBySideStore();
  const state = new Float64Array(STATE_SIZE);
  state[CONSOLE_LEVEL] = NONE;
  state[FRAME_FD] = NONE;
  state[MIXED_FROM] = -1;
  // The last invocation begun by middy's middleware: its context (a second wrapper of the same
  // invocation is handed the same one), and how to tell that middy answered it early. Kept only on
  // that path: storing each invocation's context here would cost every one (a young object stored
  // in an old one).
  let lastContext: unknown;
  let lastOwner: object | undefined;
  let lastIsOver: ((owner: object) => boolean) | undefined;

  const keep = (level: number, data: string | Uint8Array, at: number) => {
    if (state[QUIET] === 1) return;
    const written = state[WRITTEN] as number;
    const slot = written & (CAPACITY - 1);
    let end = state[END] as number;
    // Room for the longest write before the arena's end, else from its start.
    if ((end % ARENA_BYTES) + MAX_WRITE > ARENA_BYTES) end += ARENA_BYTES - (end % ARENA_BYTES);
    const offset = end % ARENA_BYTES;
    let length: number;
    let cut: boolean;
    if (typeof data === 'string') {
      // A short ASCII line (most are) is copied here: four times cheaper than the encoder's call.
      length = data.length <= SHORT_TEXT ? copyAscii(data, arena, offset) : -1;
      cut = false;
      if (length < 0) {
        // Whole characters only: a cut never splits one.
        length = arena.write(data, offset, MAX_WRITE, 'utf8');
        cut = length > MAX_WRITE - 4 && Buffer.byteLength(data, 'utf8') > length;
      }
    } else {
      length = Math.min(data.length, MAX_WRITE);
      arena.set(length === data.length ? data : data.subarray(0, length), offset);
      cut = length < data.length;
    }
    starts[slot] = end;
    state[END] = end + length;
    lengths[slot] = length;
    ats[slot] = at;
    levels[slot] = level;
    cuts[slot] = cut ? 1 : 0;
    if (store !== undefined) owners[slot] = requestIdOf(store);
    state[WRITTEN] = written + 1;
  };

  const consoleOr = (level: number) => {
    const consoleLevel = state[CONSOLE_LEVEL] as number;
    return consoleLevel === NONE ? level : consoleLevel;
  };

  const onFdWrite = (fd: unknown, data: string | Uint8Array) => {
    if (typeof fd !== 'number') return;
    if (
      data.length === FRAME_HEADER_BYTES &&
      data instanceof Uint8Array &&
      data[0] === 0xa5 &&
      data[1] === 0x5a
    ) {
      state[FRAME_FD] = fd;
      state[FRAME_LENGTH] = frameLengthOf(data);
      state[FRAME_LEVEL] = frameLevelOf(data);
      state[FRAME_AT] = frameTimeOf(data);
      return;
    }
    if (fd === state[FRAME_FD]) {
      state[FRAME_FD] = NONE;
      // The line the header announced: its length, in bytes, is the header's.
      if (data instanceof Uint8Array && data.length === state[FRAME_LENGTH]) {
        const frameLevel = state[FRAME_LEVEL] as number;
        keep(frameLevel === NONE ? consoleOr(STDOUT) : frameLevel, data, state[FRAME_AT] as number);
        return;
      }
    }
    // Inside a console call, what it writes is its line, wherever it goes (the runtime's socket).
    if (state[CONSOLE_LEVEL] !== NONE) keep(state[CONSOLE_LEVEL] as number, data, Date.now());
    else if (fd === 1) keep(STDOUT, data, Date.now());
    else if (fd === 2) keep(STDERR, data, Date.now());
  };

  patchStream(process.stdout, (data) => keep(consoleOr(STDOUT), data, Date.now()));
  patchStream(process.stderr, (data) => keep(consoleOr(STDERR), data, Date.now()));
  patchFs(onFdWrite);
  // The console is wrapped only where its writes cannot be told otherwise: with invocations side by
  // side the runtime writes each line to a socket, unframed. Elsewhere a line's level comes from the
  // runtime's frame, its text or JSON, or the stream; a wrapper would cost every console call
  // (about 120 ns, measured) for nothing.
  if (store !== undefined) {
    patchConsole(
      (level) => {
        const outer = state[CONSOLE_LEVEL] as number;
        // A console method that calls another (Node.js's trace calls error) keeps its own level.
        if (outer === NONE) state[CONSOLE_LEVEL] = level;
        return outer;
      },
      (outer) => {
        state[CONSOLE_LEVEL] = outer;
      },
    );
  }

  // A mark in the ring: every begin moves the count, so one that begins after an overlap ended is
  // after its mark, written or not.
  const leaveMark = (startedAt: number): number => {
    const written = state[WRITTEN] as number;
    lengths[written & (CAPACITY - 1)] = -1;
    state[WRITTEN] = written + 1;
    state[LAST_MARK] = written + 1;
    state[BEGUN_AT] = startedAt;
    return written + 1;
  };

  // A begin while another invocation runs, or middy's (which may answer without ending).
  const beginBeside = (
    context: unknown,
    startedAt: number,
    owner: object | undefined,
    isOver: ((owner: object) => boolean) | undefined,
  ): number => {
    if (state[RUNNING] !== 0) {
      // A second wrapper of the invocation running, called by the first (withErrorMail around
      // middy) or calling it (middy around withErrorMail): its mark, nested.
      if (state[CALLING] === 1 || (context === lastContext && context !== undefined)) {
        return ~(state[LAST_MARK] as number);
      }
      if (startedAt - (state[BEGUN_AT] as number) > LONGEST_INVOCATION_MS) state[RUNNING] = 0;
      else if (lastOwner !== undefined && lastIsOver?.(lastOwner) === true)
        state[RUNNING] = (state[RUNNING] as number) - 1;
    }
    const mark = leaveMark(startedAt);
    if (state[RUNNING] !== 0) state[MIXED_FROM] = mark;
    state[RUNNING] = (state[RUNNING] as number) + 1;
    state[CALLING] = 0;
    lastContext = context;
    lastOwner = owner;
    lastIsOver = isOver;
    return mark;
  };

  return {
    begin(context, startedAt, owner, isOver) {
      if (state[RUNNING] !== 0 || owner !== undefined) return beginBeside(context, startedAt, owner, isOver);
      // The usual case, one invocation at a time: a mark, and the handler's call under way.
      if (lastOwner !== undefined || lastContext !== undefined)
        lastContext = lastOwner = lastIsOver = undefined;
      state[RUNNING] = 1;
      state[CALLING] = 1;
      return leaveMark(startedAt);
    },
    called(mark) {
      if (mark >= 0) state[CALLING] = 0;
    },
    end(mark) {
      if (mark < 0) return;
      state[CALLING] = 0;
      const running = state[RUNNING] as number;
      if (running > 0) state[RUNNING] = running - 1;
    },
    writesOf(nestedOrMark, requestId) {
      const mark = nestedOrMark < 0 ? ~nestedOrMark : nestedOrMark;
      const written = state[WRITTEN] as number;
      const end = state[END] as number;
      const byOwner = store !== undefined && requestId !== undefined;
      if (!byOwner && ((state[MIXED_FROM] as number) >= mark || (state[RUNNING] as number) > 1)) {
        return {
          kind: 'unattributed',
          reason:
            'other invocations ran in this process at the same time, and nothing tells their lines apart',
        };
      }
      const first = Math.max(mark, written - CAPACITY);
      const writes: CapturedWrite[] = [];
      let overwritten = 0;
      for (let index = first; index < written; index += 1) {
        const slot = index & (CAPACITY - 1);
        const length = lengths[slot] as number;
        const start = starts[slot] as number;
        // A mark, another invocation's write, or one whose bytes later writes have overwritten.
        if (length < 0 || (byOwner && owners[slot] !== requestId)) continue;
        if (start < end - ARENA_BYTES) {
          overwritten += 1;
          continue;
        }
        const offset = start % ARENA_BYTES;
        writes.push({
          at: ats[slot] as number,
          level: LEVELS[levels[slot] as number] ?? 'STDOUT',
          data: Uint8Array.prototype.slice.call(arena, offset, offset + length),
          cut: cuts[slot] === 1,
        });
      }
      // Side by side, the writes that fell out of the ring were several invocations': how many were
      // this one's is not known, only that some may have been.
      if (byOwner) return { kind: 'writes', writes, earlier: 0, someLost: first > mark || overwritten > 0 };
      return { kind: 'writes', writes, earlier: first - mark + overwritten };
    },
    uncaptured(write) {
      const outer = state[QUIET] as number;
      state[QUIET] = 1;
      try {
        write();
      } finally {
        state[QUIET] = outer;
      }
    },
  };
}

/** The runtime's store of the current invocation, when invocations run side by side (Managed Instances). */
function sideBySideStore(): InvokeStore | undefined {
  if (process.env.AWS_LAMBDA_MAX_CONCURRENCY === undefined) return undefined;
  const store = (globalThis as { awslambda?: { InvokeStore?: Partial<InvokeStore> } }).awslambda?.InvokeStore;
  return typeof store?.getRequestId === 'function' ? (store as InvokeStore) : undefined;
}

function requestIdOf(store: InvokeStore): string | undefined {
  try {
    const id = store.getRequestId();
    return typeof id === 'string' && id !== '-' ? id : undefined;
  } catch {
    return undefined;
  }
}

// Text up to this many characters is tried as ASCII first.
const SHORT_TEXT = 256;

/** Copies `text` into `arena` at `offset` when it is all ASCII, returning its length; else -1. */
function copyAscii(text: string, arena: Uint8Array, offset: number): number {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code > 0x7f) return -1;
    arena[offset + index] = code;
  }
  return text.length;
}

/** The length of the line a telemetry frame announces: bytes 4 to 7, big-endian. */
function frameLengthOf(header: Uint8Array): number {
  return (
    (((header[4] as number) << 24) |
      ((header[5] as number) << 16) |
      ((header[6] as number) << 8) |
      (header[7] as number)) >>>
    0
  );
}

/** The level a telemetry frame's type names (bits 2 to 4: 1 TRACE to 6 FATAL), else NONE. */
function frameLevelOf(header: Uint8Array): number {
  const level = ((header[3] as number) >> 2) & 7;
  return level >= 1 && level <= 6 ? level - 1 : NONE;
}

/** A telemetry frame's time: microseconds since the epoch, big-endian, in bytes 8 to 15; in ms. */
function frameTimeOf(header: Uint8Array): number {
  let micros = 0;
  for (let index = 8; index < 16; index += 1) micros = micros * 256 + (header[index] as number);
  const at = micros / 1000;
  return Number.isFinite(at) && at > 0 ? at : Date.now();
}

/** Wraps a stream's `write` so that `seen` hears each chunk of text or bytes first. */
function patchStream(stream: NodeJS.WriteStream, seen: (data: string | Uint8Array) => void): void {
  const original = stream.write as (...args: unknown[]) => boolean;
  stream.write = function capturedWrite(this: unknown, chunk: unknown) {
    if (typeof chunk === 'string' || chunk instanceof Uint8Array) {
      try {
        seen(chunk);
      } catch {
        // Capture never fails a write.
      }
    }
    // `arguments` handed on whole: no array is made per write, and every argument goes as given.
    // biome-ignore lint/complexity/noArguments: rest parameters would allocate on every write
    return original.apply(this, arguments as unknown as unknown[]);
  } as NodeJS.WriteStream['write'];
}

/**
 * Wraps `fs.writeSync` and `fs.write`, which the runtime and pino look up on the module at call time;
 * `seen` hears the text or the bytes written (of a buffer, the part its offset and length name).
 */
function patchFs(seen: (fd: unknown, data: string | Uint8Array) => void): void {
  // The module object itself, which `require('fs')` gives too; not a copy of its bindings.
  const fsObject = process.getBuiltinModule('node:fs') as unknown as Record<
    'writeSync' | 'write',
    (...args: unknown[]) => unknown
  >;
  for (const name of ['writeSync', 'write'] as const) {
    const original = fsObject[name];
    if (typeof original !== 'function') continue;
    fsObject[name] = function capturedFsWrite(
      this: unknown,
      fd: unknown,
      data: unknown,
      offset: unknown,
      length: unknown,
    ) {
      try {
        const written = writtenPart(data, offset, length);
        if (written !== undefined) seen(fd, written);
      } catch {
        // Capture never fails a write.
      }
      // `arguments` handed on whole: no array is made per write, and every argument goes as given.
      // biome-ignore lint/complexity/noArguments: rest parameters would allocate on every write
      return original.apply(this, arguments as unknown as unknown[]);
    };
    keepMarks(original, fsObject[name]);
  }
}

/**
 * Gives `wrapper` what else `original` carries (`fs.write`'s marker that tells `util.promisify` to
 * resolve to `{ bytesWritten, buffer }`): code that promisifies it later gets what it got before.
 */
function keepMarks(original: object, wrapper: object): void {
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(original, key);
    if (descriptor !== undefined) Reflect.defineProperty(wrapper, key, descriptor);
  }
}

/** What a `write(fd, data, offset?, length?)` writes: a string whole, a buffer's range. */
function writtenPart(data: unknown, offset: unknown, length: unknown): string | Uint8Array | undefined {
  if (typeof data === 'string') return data;
  let bytes: Uint8Array;
  if (data instanceof Uint8Array) bytes = data;
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else return undefined;
  if (typeof offset !== 'number') return bytes;
  return bytes.subarray(offset, typeof length === 'number' ? offset + length : bytes.length);
}

/**
 * Wraps each console method that logs (whatever replaced Node.js's first: the runtime's), to know the
 * level of what it writes: `enter` before the call, `leave` after it, however it ends.
 */
function patchConsole(enter: (level: number) => number, leave: (outer: number) => void): void {
  const methods = { trace: 0, debug: 1, info: 2, log: 2, warn: 3, error: 4, fatal: 5 } as const;
  const target = console as unknown as Record<string, unknown>;
  for (const [name, level] of Object.entries(methods)) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    target[name] = function capturedConsole(this: unknown) {
      const outer = enter(level);
      try {
        // biome-ignore lint/complexity/noArguments: rest parameters would allocate on every call
        return (original as (...args: unknown[]) => unknown).apply(this, arguments as unknown as unknown[]);
      } finally {
        leave(outer);
      }
    };
  }
}
