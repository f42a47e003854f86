/**
 * What the core and the pipeline need from the outside world, handed in: they read no clock, set no
 * timer, draw no random number and write no log line of their own. The adapters hand in the real
 * ones (`adapters/system.ts`); a test hands in fakes.
 */
import type { Mail } from './render/mail.js';

/**
 * Sends one mail. Implementations must stop work when `signal` aborts and
 * reject with an error that says why the mail was not sent. One that did not start a step for want
 * of `time` (nothing was sent) rejects with an error named `NotInTimeError`.
 *
 * @example
 * const transport: Transport = { async send(mail) { console.log(mail.subject) } };
 */
export interface Transport {
  send(mail: Mail, signal: AbortSignal, time?: SendTime): Promise<void>;
  /**
   * How many steps of its first use (loading its code, its first request) it has done in this
   * container; optional. A send that failed after more steps than the one before made progress, and
   * a report kept after it does not count it as another attempt.
   */
  firstUseSteps?(): number;
}

/**
 * How much time a send has, for a transport that loads code on its first send: a load cannot be
 * stopped once it has started, so it is only started when it fits in what is left.
 *
 * @example
 * const time: SendTime = { leftMs: () => 1500, untilDeadlineMs: () => 2500, cpuShare: 128 / 1769 };
 */
export interface SendTime {
  /** The milliseconds left before the send's budget (or the deadline's margin) runs out. */
  leftMs(): number;
  /** The milliseconds left before the invocation's deadline; undefined when the context has no clock. */
  untilDeadlineMs(): number | undefined;
  /** The share of one vCPU the function gets: about 0.072 at 128 MB, 1 from 1,769 MB up or off Lambda. */
  readonly cpuShare: number;
}

/**
 * Decides across containers which one mails a fingerprint in a window
 * (`ERROR_MAIL_DEDUPE_TABLE`): `claim` resolves true for the first caller
 * only, and again for the same container. A claim that throws lets this container mail, as it would alone.
 *
 * @example
 * const deduper: Deduper = { claim: async () => true };
 */
export interface Deduper {
  /**
   * `time`, as a transport's: the first claim loads a client, a step that cannot be interrupted; one
   * that does not start it for want of time rejects with an error named `NotInTimeError`, and the
   * send stops there (the report is kept).
   */
  claim(
    fingerprint: string,
    windowStart: number,
    windowEnd: number,
    signal: AbortSignal,
    time?: SendTime,
  ): Promise<boolean>;
  /**
   * Gives back this container's claim of a window whose mail could not be sent, so that another
   * container may mail it. Optional: without it, the claim holds until its window ends.
   */
  release?(fingerprint: string, windowStart: number, signal: AbortSignal): Promise<void>;
}

/**
 * The wall clock, in epoch milliseconds.
 * @example
 * const clock: Clock = () => Date.now();
 */
export type Clock = () => number;

declare const TIMER: unique symbol;
/** A timer set by a {@link Timer}; hand it back to `clear`. */
export type TimerHandle = { readonly [TIMER]: true };

/**
 * One-shot timers, as `setTimeout` sets them.
 * @example
 * const handle = timer.set(() => console.log('due'), 500); timer.clear(handle);
 */
export interface Timer {
  /** Calls `callback` once, `ms` from now. A `background` timer is never what keeps the process up. */
  set(callback: () => void, ms: number, background?: boolean): TimerHandle;
  clear(handle: TimerHandle): void;
}

/**
 * A random number from 0 (included) to 1 (excluded), as `Math.random` draws one.
 * @example
 * const random: Random = () => 0.5;
 */
export type Random = () => number;

/**
 * One structured log line; written as JSON by the adapters' default logger.
 * @example
 * // {"level":"ERROR","message":"error mail not sent","reason":"...","requestId":"..."}
 */
export type LogRecord = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Receives one record per log line.
 * @example
 * const log: Log = (record) => console.error(JSON.stringify(record));
 */
export type Log = (record: LogRecord) => void;

/**
 * Where a bundle position was in the code as written, as the bundle's source map says.
 * @example
 * // { file: 'src/orders/price.ts', line: 18, column: 32, name: 'priceLine' }
 */
export interface SourcePosition {
  /** The source's path relative to the task root (`src/orders/price.ts`); as the map names it when outside it. */
  readonly file: string;
  /** 1-based, as V8 prints lines. */
  readonly line: number;
  /** 1-based, as V8 prints columns. */
  readonly column: number;
  /**
   * The name the map gives the position, when it has one: the original name of what is called or
   * declared there (a caller's position names the function it calls).
   */
  readonly name?: string | undefined;
}

/** Lines of a source file around one line, unscrubbed and uncapped: the core scrubs and caps them. */
export interface SourceExcerpt {
  /** The 1-based number of `lines[0]`. */
  readonly firstLine: number;
  readonly lines: readonly string[];
}

/**
 * Reads source maps and sources for stack frames, on the error path only. Every method is
 * synchronous, never throws, and answers undefined when it cannot answer (no map, a broken or too
 * large map, a file outside the task root); `notes` then says why, once per cause.
 *
 * @example
 * const lookup: SourceLookup = { position: () => undefined, excerpt: () => undefined, notes: () => [] };
 */
export interface SourceLookup {
  /**
   * The original position of a frame's position in `file` (a path or a `file://` URL, as the stack
   * prints it), when the file has a source map (a `sourceMappingURL` to a `.map` file beside it, or
   * an inline data URL).
   */
  position(file: string, line: number, column: number): SourcePosition | undefined;
  /**
   * Up to `around` lines either side of `line` of `file`: a source a map named (its
   * `sourcesContent`, else the file itself), or a plain file, only under the task root. `generated`,
   * the frame's file as the stack prints it, says whose map's source it is first (two bundles may
   * each hold a `src/x.ts` of their own).
   */
  excerpt(file: string, line: number, around: number, generated?: string): SourceExcerpt | undefined;
  /** Why a map or a source could not be used (`source map of dist/app.js not read: 6.1 MB, over the 5 MB bound`). */
  notes(): readonly string[];
}
