import { CLEANSED_SUBSTITUTE } from '../scrub/names.js';
import type { Scrubber } from '../scrub/scrubber.js';
import { scrubText } from '../scrub/shapes.js';
import { formatCount } from '../text.js';

/** Where a captured write came from: a `console` level, or the stream it went to without one. */
export type CapturedLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL' | 'STDOUT' | 'STDERR';

/** One write of the process, as captured: when (epoch ms), its level, and a copy of its bytes (text as UTF-8). */
export interface CapturedWrite {
  readonly at: number;
  readonly level: CapturedLevel;
  readonly data: Uint8Array;
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
      /** True when some of its writes may no longer be held, how many not known (invocations side by side). */
      readonly someLost?: boolean;
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
      /** True when more earlier lines may have been left out, how many not known. */
      readonly someLost?: boolean;
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
// A `name=value` or `name: value` in free text, the name bare or quoted (`'x-api-key': 'v'`, as
// util.inspect writes objects), the value quoted (escapes kept inside), bracketed or bare.
const NAMED_VALUE =
  /(["']?)([A-Za-z_$][\w.$-]{0,199})\1(\s*[=:]\s*)('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|\[[^\]\n]*\]|[^\s,;&"'\]}]+)/g;
// A Cookie header or a cookies list: all of its value is hidden, to the end of the line.
const COOKIES = /(["']?(?:set-)?cookies?["']?)(\s*[=:]\s*)[^\n]*/gi;
// A JSON object or array in a line of text (`event {"password":...}`): from the first brace to the last.
const EMBEDDED_JSON = /[{[][^\n]*[}\]]/g;
const utf8 = new TextDecoder();

/**
 * The log section of a report from the invocation's writes: each write one line (its text decoded,
 * the runtime's time and request id prefix dropped, a JSON line compact), scrubbed by name
 * (`key=value`, JSON members) and by shape, each cut to `lineChars`, and the last `lines` of them
 * within `chars` (each line counted with 24 more for its time and level). Undefined when nothing was
 * captured (capture off).
 * @example
 * readLogSection({ kind: 'writes', writes: [{ at: 1012, level: 'INFO', data: Buffer.from('loading 42\n'), cut: false }], earlier: 0 }, 1000, scrubber, bounds);
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
  const all = writes.writes.flatMap((write) => logLines(write, startedAt, scrubber, bounds.lineChars));
  const lines: LogLine[] = [];
  let chars = 0;
  // From the newest back: the last lines are the ones that led to the failure.
  for (let index = all.length - 1; index >= 0 && lines.length < bounds.lines; index -= 1) {
    const line = all[index] as LogLine;
    const size = line.text.length + 24;
    if (chars + size > bounds.chars && lines.length > 0) break;
    lines.push(line);
    chars += size;
  }
  const earlier = writes.earlier + all.length - lines.length;
  const section = { kind: 'lines', lines: lines.reverse(), earlier } as const;
  return writes.someLost === true ? { ...section, someLost: true } : section;
}

/**
 * One write as log lines: each line that is a JSON object its own, the other lines of the write one
 * line with its line breaks (a stack, a message over several lines); none for a write of blanks.
 */
function logLines(write: CapturedWrite, startedAt: number, scrubber: Scrubber, lineChars: number): LogLine[] {
  // Colours first: an escape code next to a name or a value would hide it from the scrubbers.
  let text = utf8
    .decode(write.data)
    .replace(COLOUR, '')
    .replace(/\r?\n$/, '');
  let level: string =
    write.level === 'STDOUT' || write.level === 'STDERR' ? write.level.toLowerCase() : write.level;
  const runtime = RUNTIME_TEXT.exec(text);
  if (runtime !== null) {
    level = runtime[1] as string;
    // On stdout the runtime writes a message's line breaks as \r.
    text = text.slice(runtime[0].length).replace(/\r/g, '\n');
  }
  const offsetMs = Math.max(0, Math.round(write.at - startedAt));
  const out: LogLine[] = [];
  let pending: string[] = [];
  const flush = () => {
    if (pending.join('').trim() !== '') {
      out.push({
        offsetMs,
        level,
        text: shown(scrubLine(pending.join('\n'), scrubber), lineChars),
        json: false,
      });
    }
    pending = [];
  };
  // A write that is one JSON object (a logger's indented output) is one line; else each of its lines
  // that is one (pino writes several in one write) is its own.
  const whole = jsonLine(text);
  for (const physical of whole === undefined ? text.split(/\r?\n/) : [text]) {
    const json = jsonLine(physical);
    if (json === undefined) {
      pending.push(physical);
      continue;
    }
    flush();
    out.push({
      offsetMs,
      level: json.level ?? level,
      text: shown(scrubText(scrubber.json(json.value, 0)), lineChars),
      json: true,
    });
  }
  flush();
  const last = out.at(-1);
  if (write.cut && last !== undefined)
    out[out.length - 1] = { ...last, text: `${last.text}... (cut when captured)` };
  return out;
}

/** A text line scrubbed: JSON held in it, then values by name, then by shape. */
function scrubLine(text: string, scrubber: Scrubber): string {
  const withJson = text.replace(EMBEDDED_JSON, (whole) => {
    try {
      return scrubber.json(JSON.parse(whole), 0);
    } catch {
      return whole;
    }
  });
  const named = withJson
    .replace(COOKIES, (whole, name: string, between: string) =>
      scrubber.isSensitiveName(name) ? `${name}${between}${CLEANSED_SUBSTITUTE}` : whole,
    )
    .replace(NAMED_VALUE, (whole, quote: string, name: string, between: string, value: string) =>
      scrubber.isSensitiveName(name) || scrubber.cookie(name, value) !== value
        ? `${quote}${name}${quote}${between}${CLEANSED_SUBSTITUTE}`
        : whole,
    );
  return scrubText(named);
}

/** A scrubbed line as the mail shows it: control characters escaped, cut at `lineChars`. */
function shown(text: string, lineChars: number): string {
  const showableText = showable(text);
  if (showableText.length <= lineChars) return showableText;
  return `${showableText.slice(0, lineChars)}... ${formatCount(showableText.length - lineChars)} more characters not shown`;
}

// A terminal's colour codes, which loggers add for a terminal: dropped.
const COLOUR = /\x1b\[[0-9;]*m/g;
// Control characters but line breaks and tabs, and the invisible ones that reorder text.
const UNSHOWABLE =
  /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Text a mail can show: line breaks as \n, other control and invisible characters escaped. */
function showable(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(UNSHOWABLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
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
