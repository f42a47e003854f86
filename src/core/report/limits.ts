import { formatCount } from '../text.js';

/**
 * The cap on each part of a report. A report over the mail's byte cap is
 * rebuilt with every cap scaled down (see {@link scaleLimits}).
 */
export interface Limits {
  /** Bytes of request body shown. */
  readonly bodyBytes: number;
  /** Characters of one header, cookie, parameter or variable value. */
  readonly valueChars: number;
  /** Characters of one stack. */
  readonly stackChars: number;
  /** Characters of one error message. */
  readonly messageChars: number;
  /** Headers, cookies, parameters, variables and error properties shown, per list. */
  readonly items: number;
  /** Errors of a `cause` chain shown. */
  readonly chainDepth: number;
  /** `AggregateError` members shown. */
  readonly members: number;
  /** Characters of the request URL, the Referer and the path in the log line (a subject has its own cap). */
  readonly urlChars: number;
  /** Log lines of the invocation shown, the last ones. */
  readonly logLines: number;
  /** Characters of those log lines together. */
  readonly logChars: number;
  /** Characters of one log line. */
  readonly logLineChars: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  bodyBytes: 64 * 1024,
  valueChars: 4096,
  stackChars: 16 * 1024,
  messageChars: 4096,
  items: 100,
  chainDepth: 10,
  members: 10,
  urlChars: 4096,
  logLines: 100,
  logChars: 16 * 1024,
  logLineChars: 1000,
});

// Never scaled below these: a report must still say what failed and where.
const FLOOR: Limits = {
  bodyBytes: 256,
  valueChars: 64,
  stackChars: 512,
  messageChars: 256,
  items: 10,
  chainDepth: 2,
  members: 1,
  urlChars: 256,
  logLines: 10,
  logChars: 1024,
  logLineChars: 200,
};

/** Every cap multiplied by `factor` (0 to 1), kept above a floor. */
export function scaleLimits(limits: Limits, factor: number): Limits {
  const scaled = {} as Record<keyof Limits, number>;
  for (const key of Object.keys(limits) as (keyof Limits)[]) {
    scaled[key] = Math.max(FLOOR[key], Math.floor(limits[key] * factor));
  }
  return scaled;
}

/** Cuts `text` to `max` characters, saying how many were left out. */
export function capChars(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}... ${formatCount(text.length - max)} more characters not shown`;
}

/**
 * Keeps the first `max` items, and one last item saying how many of `total`
 * (by default the list's length) were left out.
 */
export function capItems<T extends readonly [string, string]>(
  items: readonly T[],
  max: number,
  total: number = items.length,
): readonly (readonly [string, string])[] {
  const kept = items.length > max ? items.slice(0, max) : items;
  if (total <= kept.length) return kept;
  return [...kept, ['...', `${formatCount(total - kept.length)} more not shown`]];
}
