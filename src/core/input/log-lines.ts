import type { Scrubber } from '../scrub/scrubber.js';
import { scrubText } from '../scrub/shapes.js';
import { formatCount } from '../text.js';

/** Where a captured write came from: a `console` level, or the stream it went to without one. */
export type CapturedLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL' | 'STDOUT' | 'STDERR';

/** One write of the process, as captured: when (epoch ms), its level, and what was written. */
export interface CapturedWrite {
  readonly at: number;
  readonly level: CapturedLevel;
  readonly data: string | Uint8Array;
  /** True when the write was longer than what was kept of it. */
  readonly cut: boolean;
}

/** The writes of one invocation, oldest first, or why they cannot be told from other invocations'. */
export type InvocationWrites =
  | {
      readonly kind: 'writes';
      readonly writes: readonly CapturedWrite[];
      /** Writes of the invocation no longer held, before the first one given. */
      readonly earlier: number;
    }
  | { readonly kind: 'unattributed'; readonly reason: string };

/** One log line as the mail shows it: its time from the invocation's start, its level, its text. */
export interface LogLine {
  readonly offsetMs: number;
  /** `TRACE` to `FATAL`, or `stdout` / `stderr` for a write no level came with. */
  readonly level: string;
  /** Scrubbed and capped; a line of several lines (a stack) keeps its line breaks. */
  readonly text: string;
  /** True for a JSON line, shown compactly. */
  readonly json: boolean;
}

/** The log section of a server-error report. */
export type LogSection =
  | {
      readonly kind: 'lines';
      readonly lines: readonly LogLine[];
      /** Earlier lines of the invocation left out (not held, or over the section's caps). */
      readonly earlier: number;
    }
  | { readonly kind: 'unattributed'; readonly reason: string };

/** How much of an invocation's log a report shows: the last lines, within a budget of characters. */
export interface LogBounds {
  readonly lines: number;
  readonly chars: number;
  readonly lineChars: number;
}

// The Lambda runtime's text format: time, request id, level, then the message (newlines as \r on stdout).
const RUNTIME_TEXT =
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\t[^\t\n]*\t(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\t/;
// pino's numeric levels.
const PINO_LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const NAMED_LEVELS = new Set(['TRACE', 'DEBUG', 'INFO', 'WARN', 'WARNING', 'ERROR', 'FATAL', 'CRITICAL']);
// A `name=value` or `name: value` in free text, for scrubbing by name.
const NAMED_VALUE = /\b([A-Za-z_][\w.-]{0,63})(\s*[=:]\s*)("[^"\n]*"|'[^'\n]*'|[^\s,;&"']+)/g;
const utf8 = new TextDecoder();

/**
 * The log section of a report from the invocation's writes: each write one line (its text decoded,
 * the runtime's time and request id prefix dropped, a JSON line compact), scrubbed by name
 * (`key=value`, JSON members) and by shape, each cut to `lineChars`, and the last `lines` of them
 * within `chars` (each line counted with 24 more for its time and level). Undefined when nothing was
 * captured (capture off).
 * @example
 * readLogSection({ kind: 'writes', writes: [{ at: 1012, level: 'INFO', data: 'loading 42\n', cut: false }], earlier: 0 }, 1000, scrubber, bounds);
 * // { kind: 'lines', lines: [{ offsetMs: 12, level: 'INFO', text: 'loading 42', json: false }], earlier: 0 }
 */
export function readLogSection(
  writes: InvocationWrites | undefined,
  startedAt: number,
  scrubber: Scrubber,
  bounds: LogBounds,
): LogSection | undefined {
  if (writes === undefined) return undefined;
  if (writes.kind === 'unattributed') return writes;
  const lines: LogLine[] = [];
  let chars = 0;
  let kept = 0;
  // From the newest back: the last lines are the ones that led to the failure.
  for (let index = writes.writes.length - 1; index >= 0 && kept < bounds.lines; index -= 1) {
    const write = writes.writes[index] as CapturedWrite;
    const line = logLine(write, startedAt, scrubber, bounds.lineChars);
    if (line === undefined) continue;
    const size = line.text.length + 24;
    if (chars + size > bounds.chars && kept > 0) break;
    lines.push(line);
    chars += size;
    kept += 1;
  }
  const shown = writes.writes.filter((write) => textOf(write).trim() !== '').length;
  return { kind: 'lines', lines: lines.reverse(), earlier: writes.earlier + Math.max(0, shown - kept) };
}

/** One write as a line; undefined for one that holds only blanks. */
function logLine(
  write: CapturedWrite,
  startedAt: number,
  scrubber: Scrubber,
  lineChars: number,
): LogLine | undefined {
  let text = textOf(write).replace(/\r?\n$/, '');
  if (text.trim() === '') return undefined;
  let level: string =
    write.level === 'STDOUT' || write.level === 'STDERR' ? write.level.toLowerCase() : write.level;
  const runtime = RUNTIME_TEXT.exec(text);
  if (runtime !== null) {
    level = runtime[1] as string;
    // On stdout the runtime writes a message's line breaks as \r.
    text = text.slice(runtime[0].length).replace(/\r/g, '\n');
  }
  const json = jsonLine(text);
  if (json !== undefined) {
    level = json.level ?? level;
    text = compactJson(scrubber.json(json.value));
  } else {
    text = text.replace(NAMED_VALUE, (whole, name: string, between: string, value: string) =>
      scrubber.isSensitiveName(name) ? `${name}${between}${scrubber.value(name, value)}` : whole,
    );
  }
  text = showable(scrubText(text));
  if (text.length > lineChars)
    text = `${text.slice(0, lineChars)}... ${formatCount(text.length - lineChars)} more characters not shown`;
  else if (write.cut) text = `${text}... (cut when captured)`;
  return { offsetMs: Math.max(0, Math.round(write.at - startedAt)), level, text, json: json !== undefined };
}

// A terminal's colour codes, which loggers add for a terminal: dropped.
const COLOUR = /\x1b\[[0-9;]*m/g;
// Control characters but line breaks and tabs, and the invisible ones that reorder text.
const UNSHOWABLE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Text a mail can show: colour codes dropped, line breaks as \n, other control characters escaped. */
function showable(text: string): string {
  return text
    .replace(COLOUR, '')
    .replace(/\r\n?/g, '\n')
    .replace(UNSHOWABLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function textOf(write: CapturedWrite): string {
  return typeof write.data === 'string' ? write.data : utf8.decode(write.data);
}

/** A line that is one JSON object, and the level it names (`level`: a name or pino's number). */
function jsonLine(text: string): { readonly value: unknown; readonly level: string | undefined } | undefined {
  const trimmed = text.trim();
  if (!(trimmed.startsWith('{') && trimmed.endsWith('}'))) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const named = (value as { level?: unknown }).level;
  let level: string | undefined;
  if (typeof named === 'number') level = PINO_LEVELS[named];
  else if (typeof named === 'string' && NAMED_LEVELS.has(named.toUpperCase())) {
    const upper = named.toUpperCase();
    level = upper === 'WARNING' ? 'WARN' : upper === 'CRITICAL' ? 'FATAL' : upper;
  }
  return { value, level };
}

/** Indented JSON on one line. */
function compactJson(indented: string): string {
  try {
    return JSON.stringify(JSON.parse(indented));
  } catch {
    return indented;
  }
}
