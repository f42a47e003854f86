/**
 * A YAML node with the line it starts on (from 1), so a refusal can say `serverless.yml:LINE`.
 * `unsupported` stands for a construct this reader does not read (an anchor, a tag, a block scalar):
 * it only becomes an error when a setting needs its value.
 */
export type YamlNode =
  | { readonly kind: 'map'; readonly line: number; readonly entries: ReadonlyMap<string, YamlNode> }
  | { readonly kind: 'seq'; readonly line: number; readonly items: readonly YamlNode[] }
  | { readonly kind: 'scalar'; readonly line: number; readonly value: string | null }
  | { readonly kind: 'unsupported'; readonly line: number; readonly what: string };

/** A YAML text this reader cannot make sense of; `line` is where (from 1). */
export class YamlSubsetError extends Error {
  override readonly name = 'YamlSubsetError' as const;
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

interface Line {
  readonly number: number;
  readonly indent: number;
  /** The line without its indentation and its comment. */
  readonly text: string;
}

/**
 * Reads the YAML a `serverless.yml` is written in: block mappings and sequences, plain and quoted
 * scalars, one-line flow collections and comments. Scalars stay text, as environment values are;
 * `null`, `~` and an empty value read as null. Anchors, aliases, tags and block scalars read as
 * `unsupported` nodes.
 *
 * @example
 * parseYamlSubset('provider:\n  stage: dev\n'); // { kind: 'map', entries: Map { 'provider' => { kind: 'map', ... } } }
 */
export function parseYamlSubset(source: string): YamlNode {
  const lines: Line[] = [];
  source.split(/\r?\n/).forEach((raw, index) => {
    const number = index + 1;
    if (/^\s*\t/.test(raw))
      throw new YamlSubsetError('indented with a tab, which YAML does not allow', number);
    const text = stripComment(raw).trimEnd();
    const body = text.trimStart();
    if (body === '') return;
    if (body === '---' && lines.length === 0) return;
    if (body === '---' || body === '...') {
      throw new YamlSubsetError('holds more than one YAML document', number);
    }
    lines.push({ number, indent: text.length - body.length, text: body });
  });
  const reader = { lines, at: 0 };
  if (lines.length === 0) return { kind: 'map', line: 1, entries: new Map() };
  const root = readBlock(reader, lines[0]?.indent ?? 0);
  const left = reader.lines[reader.at];
  if (left !== undefined)
    throw new YamlSubsetError('is not indented as a key or item of the lines above it', left.number);
  return root;
}

interface Reader {
  readonly lines: Line[];
  at: number;
}

/** The mapping or sequence whose lines start at `indent`. */
function readBlock(reader: Reader, indent: number): YamlNode {
  const first = reader.lines[reader.at] as Line;
  return isSequenceItem(first.text) ? readSequence(reader, indent) : readMapping(reader, indent);
}

function isSequenceItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

function readMapping(reader: Reader, indent: number): YamlNode {
  const startLine = (reader.lines[reader.at] as Line).number;
  const entries = new Map<string, YamlNode>();
  for (
    let line = reader.lines[reader.at];
    line !== undefined && line.indent === indent;
    line = reader.lines[reader.at]
  ) {
    if (isSequenceItem(line.text)) break;
    const pair = splitKey(line.text, line.number);
    reader.at++;
    if (entries.has(pair.key)) {
      throw new YamlSubsetError(`repeats the key ${JSON.stringify(pair.key)}`, line.number);
    }
    entries.set(pair.key, readValue(reader, pair.rest, line, indent));
  }
  return { kind: 'map', line: startLine, entries };
}

function readSequence(reader: Reader, indent: number): YamlNode {
  const startLine = (reader.lines[reader.at] as Line).number;
  const items: YamlNode[] = [];
  for (
    let line = reader.lines[reader.at];
    line !== undefined && line.indent === indent;
    line = reader.lines[reader.at]
  ) {
    if (!isSequenceItem(line.text)) break;
    const rest = line.text.slice(1).trimStart();
    reader.at++;
    if (rest !== '' && opensMapping(rest, line.number)) {
      // `- key: value` opens a mapping whose keys line up with `key`.
      const inner = indent + (line.text.length - rest.length);
      reader.at--;
      reader.lines[reader.at] = { number: line.number, indent: inner, text: rest };
      items.push(readMapping(reader, inner));
    } else {
      items.push(readValue(reader, rest, line, indent));
    }
  }
  return { kind: 'seq', line: startLine, items };
}

/** Whether a sequence item's text is `key: value` (the key plain or quoted). */
function opensMapping(text: string, number: number): boolean {
  if (text.startsWith('"') || text.startsWith("'")) {
    return /^\s*:(\s|$)/.test(text.slice(readQuoted(text, number).end));
  }
  return !/^[[{]/.test(text) && findKeyColon(text) !== -1;
}

/** The value after `key:` (or `-`) on `line`: inline, or the block under it. */
function readValue(reader: Reader, rest: string, line: Line, indent: number): YamlNode {
  const next = reader.lines[reader.at];
  if (rest === '') {
    if (next !== undefined && next.indent > indent) return readBlock(reader, next.indent);
    // A sequence may sit at its key's own indentation.
    if (next !== undefined && next.indent === indent && isSequenceItem(next.text)) {
      return readSequence(reader, indent);
    }
    return { kind: 'scalar', line: line.number, value: null };
  }
  if (/^[|>]/.test(rest) || /^[&*!]/.test(rest)) {
    // Its lines, if any, belong to it: skip them.
    while ((reader.lines[reader.at]?.indent ?? -1) > indent) reader.at++;
    const what = /^[|>]/.test(rest)
      ? 'a block scalar'
      : rest.startsWith('!')
        ? `the tag ${rest.split(/\s/)[0]}`
        : 'an anchor or alias';
    return { kind: 'unsupported', line: line.number, what };
  }
  if (rest.startsWith('"') || rest.startsWith("'")) {
    const { value, end } = readQuoted(rest, line.number);
    if (rest.slice(end).trim() !== '') {
      throw new YamlSubsetError('has text after a quoted value', line.number);
    }
    return { kind: 'scalar', line: line.number, value };
  }
  if (rest.startsWith('[') || rest.startsWith('{')) {
    let text = rest;
    while (!balanced(text) && reader.lines[reader.at] !== undefined) {
      text += ` ${(reader.lines[reader.at] as Line).text}`;
      reader.at++;
    }
    const flow = { text, at: 0, line: line.number };
    const node = readFlow(flow);
    if (flow.text.slice(flow.at).trim() !== '') {
      throw new YamlSubsetError('has text after a flow collection', line.number);
    }
    return node;
  }
  // A plain scalar may go on over more indented lines, joined by spaces.
  let value = rest;
  while ((reader.lines[reader.at]?.indent ?? -1) > indent) {
    value += ` ${(reader.lines[reader.at] as Line).text}`;
    reader.at++;
  }
  return { kind: 'scalar', line: line.number, value: plain(value) };
}

function plain(text: string): string | null {
  return text === '~' || text === 'null' || text === 'Null' || text === 'NULL' ? null : text;
}

/** Splits `key: rest`; the key may be quoted. */
function splitKey(text: string, number: number): { key: string; rest: string } {
  if (text.startsWith('"') || text.startsWith("'")) {
    const { value, end } = readQuoted(text, number);
    const after = text.slice(end);
    if (!/^\s*:(\s|$)/.test(after))
      throw new YamlSubsetError('is not a "key: value" line nor a "- item"', number);
    return { key: value, rest: after.replace(/^\s*:/, '').trim() };
  }
  const colon = findKeyColon(text);
  if (colon === -1) throw new YamlSubsetError('is not a "key: value" line nor a "- item"', number);
  const key = text.slice(0, colon).trim();
  if (key.startsWith('?') || key.startsWith('&') || key.startsWith('*') || key.startsWith('!')) {
    throw new YamlSubsetError('uses a complex or tagged key', number);
  }
  return { key, rest: text.slice(colon + 1).trim() };
}

/** The first `:` followed by a space or the end, outside `${...}`; -1 when there is none. */
function findKeyColon(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ':' && depth <= 0 && (i + 1 === text.length || text[i + 1] === ' ')) return i;
  }
  return -1;
}

/** A quoted scalar at the start of `text`, and where it ends. */
function readQuoted(text: string, number: number): { value: string; end: number } {
  const quote = text[0];
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c !== "'") value += c;
      else if (text[i + 1] === "'") {
        value += "'";
        i++;
      } else return { value, end: i + 1 };
      continue;
    }
    if (c === '"') return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      continue;
    }
    const escaped = text[++i];
    const simple: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      '0': '\0',
      '"': '"',
      '\\': '\\',
      '/': '/',
      ' ': ' ',
    };
    if (escaped !== undefined && escaped in simple) value += simple[escaped];
    else if (escaped === 'x' || escaped === 'u' || escaped === 'U') {
      const size = escaped === 'x' ? 2 : escaped === 'u' ? 4 : 8;
      const hex = text.slice(i + 1, i + 1 + size);
      if (!new RegExp(`^[0-9a-fA-F]{${size}}$`).test(hex)) {
        throw new YamlSubsetError(`has a bad \\${escaped} escape in a quoted value`, number);
      }
      value += String.fromCodePoint(Number.parseInt(hex, 16));
      i += size;
    } else throw new YamlSubsetError(`has an unknown escape \\${escaped ?? ''} in a quoted value`, number);
  }
  throw new YamlSubsetError(
    'has a quoted value that does not end on its line (a value over several lines is not read)',
    number,
  );
}

/** Whether the brackets of a flow collection close within `text` (quotes respected). */
function balanced(text: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (const c of text) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
  }
  return depth <= 0;
}

interface Flow {
  readonly text: string;
  at: number;
  readonly line: number;
}

/** A flow collection (`[a, b]`, `{ k: v }`) or a scalar inside one. */
function readFlow(flow: Flow): YamlNode {
  skipSpaces(flow);
  const open = flow.text[flow.at];
  if (open === '[' || open === '{') {
    flow.at++;
    const close = open === '[' ? ']' : '}';
    const items: YamlNode[] = [];
    const entries = new Map<string, YamlNode>();
    for (;;) {
      skipSpaces(flow);
      if (flow.text[flow.at] === close) {
        flow.at++;
        break;
      }
      if (open === '[') items.push(readFlow(flow));
      else {
        const key = readFlow(flow);
        skipSpaces(flow);
        if (key.kind !== 'scalar' || key.value === null || flow.text[flow.at] !== ':') {
          throw new YamlSubsetError('has a flow mapping this reader cannot read', flow.line);
        }
        flow.at++;
        entries.set(key.value, readFlow(flow));
      }
      skipSpaces(flow);
      if (flow.text[flow.at] === ',') flow.at++;
      else if (flow.text[flow.at] !== close) {
        throw new YamlSubsetError('has a flow collection this reader cannot read', flow.line);
      }
    }
    return open === '[' ? { kind: 'seq', line: flow.line, items } : { kind: 'map', line: flow.line, entries };
  }
  if (open === '"' || open === "'") {
    const { value, end } = readQuoted(flow.text.slice(flow.at), flow.line);
    flow.at += end;
    return { kind: 'scalar', line: flow.line, value };
  }
  // A plain scalar in a flow ends at `,`, `]`, `}` or `: `, outside `${...}`.
  let depth = 0;
  const start = flow.at;
  for (; flow.at < flow.text.length; flow.at++) {
    const c = flow.text[flow.at];
    if (c === '$' && flow.text[flow.at + 1] === '{') {
      depth++;
      flow.at++;
    } else if (c === '}' && depth > 0) depth--;
    else if (
      depth === 0 &&
      (c === ',' || c === ']' || c === '}' || (c === ':' && /[\s,\]}]/.test(flow.text[flow.at + 1] ?? ' ')))
    )
      break;
  }
  return { kind: 'scalar', line: flow.line, value: plain(flow.text.slice(start, flow.at).trim()) };
}

function skipSpaces(flow: Flow): void {
  while (flow.text[flow.at] === ' ') flow.at++;
}

/** `raw` without its comment: a `#` at the start or after a space, outside quotes. */
function stripComment(raw: string): string {
  let quote: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quote !== undefined) {
      // `''` inside single quotes and `\"` inside double quotes do not close them.
      if ((quote === "'" && c === "'" && raw[i + 1] === "'") || (quote === '"' && c === '\\')) i++;
      else if (c === quote) quote = undefined;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s:[{,-]/.test(raw[i - 1] ?? ''))) quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(raw[i - 1] ?? ''))) return raw.slice(0, i);
  }
  return raw;
}
