import type { SourceLookup, SourcePosition } from '../ports.js';
import { scrubText } from '../scrub/shapes.js';
import { frameKind } from './frames.js';

/** A stack frame line as V8 writes it: `    at fn (file:line:column)` or `    at file:line:column`. */
export interface ParsedFrame {
  /** Everything before the function name or the location: the indent and `at `, `at async `, `at new `. */
  readonly lead: string;
  /** The function as V8 names it (`priceLine`, `Object.<anonymous>`, `fn [as alias]`); undefined when absent. */
  readonly fn: string | undefined;
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

// The start of a frame line: the indent and `at `, `at async `, `at new `.
const LEAD = /^\s*at (?:async )?(?:new )?/;
// A location's line and column, at its end.
const LINE_COLUMN = /:(\d+):(\d+)$/;

/**
 * One stack line as a frame, or undefined for a line that is not one with a location (the message,
 * `at Array.map (<anonymous>)`, Node's own `node:` frames, a frame of eval'd code). Linear in the
 * line's length, whatever it holds: a message can put anything in a stack.
 * @example
 * parseFrame('    at priceLine (/var/task/index.js:11601:19)'); // { lead: '    at ', fn: 'priceLine', file: '/var/task/index.js', line: 11601, column: 19 }
 */
export function parseFrame(text: string): ParsedFrame | undefined {
  const lead = LEAD.exec(text)?.[0];
  if (lead === undefined) return undefined;
  const rest = text.slice(lead.length);
  let fn: string | undefined;
  let location = rest;
  if (rest.endsWith(')')) {
    const open = rest.lastIndexOf(' (');
    if (open < 0) return undefined;
    fn = rest.slice(0, open);
    location = rest.slice(open + 2, -1);
  }
  const position = LINE_COLUMN.exec(location);
  if (position === null) return undefined;
  const file = location.slice(0, position.index);
  if (file === '' || /[()]|^<|^node:|, /.test(file)) return undefined;
  return { lead, fn, file, line: Number(position[1]), column: Number(position[2]) };
}

/** The source shown under a frame of the user's code: lines around the failing one. */
export interface FrameSource {
  /** The failing line's 1-based number. */
  readonly line: number;
  /** Its 1-based column. */
  readonly column: number;
  /** The 1-based number of `lines[0]`. */
  readonly firstLine: number;
  /** Capped: a long (minified) line is a window around the column. */
  readonly lines: readonly string[];
}

/** A stack with its frames mapped to the source as written, and the source lines of the user's frames. */
export interface MappedStack {
  readonly stack: string;
  /** By line index in `stack`: the source of that frame, for the first user frames that have one. */
  readonly sources: ReadonlyMap<number, FrameSource>;
}

/** How many user frames of a stack show their source, and how much of it. */
export interface SourceBounds {
  /** User frames that show their source. */
  readonly frames: number;
  /** Lines shown either side of the failing line. */
  readonly around: number;
  /** Characters of one source line shown; a longer one is a window around the column. */
  readonly lineChars: number;
}

/** Five lines around the failing line of each of the first ten user frames, 160 characters each. */
export const SOURCE_BOUNDS: SourceBounds = { frames: 10, around: 2, lineChars: 160 };
// Frames of one stack looked up (V8 records 10 by default; `Error.stackTraceLimit` may raise it).
const MAPPED_FRAMES = 100;
// Characters of a source line read before it is scrubbed and cut (a minified bundle's line may be megabytes).
const MAX_SOURCE_LINE_CHARS = 64 * 1024;

/**
 * `stack` with each frame that `lookup` can map shown at its source (`src/orders/price.ts:18:32`),
 * and the source lines of the first user frames (judged on the mapped line: not Node's, not under
 * node_modules, not this library). A frame keeps V8's function name, unless the map renamed it: when
 * the frame below it (its caller) is in the same generated file and the map names what is called
 * there (a minified `x(n)` called `lineTotal`), the frame is shown under that name, as Node.js's
 * `--enable-source-maps` names it. The first `headerLines` (the error's name and message) are not
 * read as frames; at most 100 frames are looked up. Without a lookup, the stack as it is.
 * @example
 * mapStack('Error: x\n    at f (/var/task/index.js:9:5)', lookup).stack; // 'Error: x\n    at f (src/price.ts:3:11)'
 */
export function mapStack(
  stack: string,
  lookup: SourceLookup | undefined,
  bounds: SourceBounds = SOURCE_BOUNDS,
  headerLines = 1,
): MappedStack {
  const sources = new Map<number, FrameSource>();
  if (lookup === undefined) return { stack, sources };
  const texts = stack.split('\n');
  let looked = 0;
  // The header (the error's name and message, which may hold anything) is never read as frames.
  const frames = texts.map((text, index) => {
    if (index < headerLines || looked >= MAPPED_FRAMES) return undefined;
    const frame = parseFrame(text);
    if (frame === undefined) return undefined;
    looked += 1;
    return { frame, mapped: lookup.position(frame.file, frame.line, frame.column) };
  });
  const lines = texts.map((text, index) => {
    const found = frames[index];
    if (found === undefined) return text;
    const { frame, mapped } = found;
    const at = mapped ?? frame;
    const location = `${at.file}:${at.line}:${at.column}`;
    const fn = mapped === undefined ? frame.fn : (originalName(frame, frames[index + 1]) ?? frame.fn);
    const shown = fn === undefined ? `${frame.lead}${location}` : `${frame.lead}${fn} (${location})`;
    if (sources.size < bounds.frames && frameKind(shown) === 'app') {
      const excerpt = lookup.excerpt(at.file, at.line, bounds.around, frame.file);
      if (excerpt !== undefined && excerpt.lines.length > 0) {
        sources.set(index, {
          line: at.line,
          column: at.column,
          firstLine: excerpt.firstLine,
          // Scrubbed whole before it is cut: a cut through a secret would leave a piece no shape matches.
          lines: excerpt.lines.map((source, i) =>
            sourceWindow(
              scrubText(source.slice(0, MAX_SOURCE_LINE_CHARS)),
              excerpt.firstLine + i === at.line ? at.column : 1,
              bounds.lineChars,
            ),
          ),
        });
      }
    }
    return shown;
  });
  return { stack: lines.join('\n'), sources };
}

// What a map may name a function: an identifier, not text that could pass for a frame's location.
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]{0,199}$/u;

/**
 * The name the map gives the call in `caller` (the next line of the stack) when that call is in the
 * same generated file and the name is not already V8's: the original name of the function the frame
 * is in, renamed by a minifier.
 */
function originalName(
  frame: ParsedFrame,
  caller: { readonly frame: ParsedFrame; readonly mapped: SourcePosition | undefined } | undefined,
): string | undefined {
  const name = caller?.mapped?.name;
  if (
    caller === undefined ||
    name === undefined ||
    caller.frame.file !== frame.file ||
    !IDENTIFIER.test(name)
  ) {
    return undefined;
  }
  // `Object.handler [as run]` is V8's `handler`: a name V8 already shows is kept as V8 shows it.
  const v8Name = frame.fn
    ?.replace(/ \[as [^\]]*\]$/, '')
    .split('.')
    .at(-1);
  return v8Name === name ? undefined : name;
}

/**
 * A source line cut to `chars` characters: trailing blanks dropped, and a longer line (a minified
 * bundle's) shown as a window around `column`, with `…` where it was cut.
 * @example
 * sourceWindow('a'.repeat(50_000), 25_000, 160).length; // 162: 160 characters and two marks
 */
export function sourceWindow(line: string, column: number, chars: number): string {
  const text = line.trimEnd();
  if (text.length <= chars) return text;
  const start = Math.max(0, Math.min(text.length - chars, column - 1 - Math.floor(chars / 2)));
  const end = start + chars;
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}
