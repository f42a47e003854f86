import type { Guide } from './aws-fields.js';
import { CLEANSED_SUBSTITUTE, type NameTest } from './names.js';
import { isSensitiveParameter, scrubParameterValue, scrubQueriesInText, scrubQuery } from './queries.js';

const MAX_JSON_DEPTH = 64;
// name=value pairs joined by &, with nothing else: a form, whatever its declared type.
const FORM_SHAPED = /^[^\s=&]+=[^\s&]*(?:&[^\s=&]+=[^\s&]*)*$/;
// A JSON member whose value is a scalar, for bodies cut at the cap and no longer parseable.
const JSON_MEMBER = /("(?:[^"\\]|\\.)*")(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)/g;

// Members holding a whole query string, whatever it starts with (`&a=1`, `flag&token=...`): API
// Gateway's and CloudFront's.
const QUERY_MEMBERS = new Set(['rawQueryString', 'querystring']);
// Members whose own members are query parameters, their values as sent (ALB) or decoded (API Gateway).
const PARAMETER_MEMBERS = new Set(['queryStringParameters', 'multiValueQueryStringParameters']);

interface JsonWalk {
  readonly isSensitiveName: NameTest;
  /** The guide of a whole event, applied again to JSON held in a string; undefined for a request body. */
  readonly root: Guide | undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string with the JSON or the queries it holds scrubbed. */
function scrubString(value: string, walk: JsonWalk, depth: number): string {
  // A JSON document in a string (an SQS body, an SNS message) is scrubbed as JSON too, and shown as
  // it came when nothing in it was hidden (its spacing and order are the sender's).
  if (/^\s*[{[]/.test(value) && depth < MAX_JSON_DEPTH) {
    try {
      const parsed: unknown = JSON.parse(value);
      const scrubbed = JSON.stringify(scrubJson(parsed, walk, depth + 1, walk.root));
      // As it came only when it is that JSON but for spacing: a repeated member (JSON.parse keeps
      // the last, and only that one was scrubbed) or a number written another way shows as parsed.
      return scrubbed === JSON.stringify(parsed) && withoutSpacing(value) === scrubbed ? value : scrubbed;
    } catch {
      // Not JSON after all: scrubbed as text below.
    }
  }
  return scrubQueriesInText(value, walk.isSensitiveName);
}

/** JSON text without the spaces, tabs and line breaks outside its strings. */
function withoutSpacing(json: string): string {
  let out = '';
  let inString = false;
  for (let index = 0; index < json.length; index += 1) {
    const ch = json[index] as string;
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += json[index + 1] ?? '';
        index += 1;
      } else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r') out += ch;
  }
  return out;
}

/** Query parameters by name: a sensitive one hidden, the others read for a query inside their value. */
function scrubParameters(parameters: Record<string, unknown>, walk: JsonWalk, depth: number): unknown {
  const out: Record<string, unknown> = Object.create(null);
  for (const [name, value] of Object.entries(parameters)) {
    if (isSensitiveParameter(walk.isSensitiveName, name)) out[name] = CLEANSED_SUBSTITUTE;
    else if (typeof value === 'string') out[name] = scrubParameterValue(value, walk.isSensitiveName);
    else if (Array.isArray(value))
      out[name] = value.map((item) =>
        typeof item === 'string'
          ? scrubParameterValue(item, walk.isSensitiveName)
          : scrubJson(item, walk, depth + 1, undefined),
      );
    else out[name] = scrubJson(value, walk, depth + 1, undefined);
  }
  return out;
}

/**
 * A parsed JSON value with sensitive members hidden at any depth (names compared as written and
 * percent-decoded), queries in strings scrubbed by parameter name, JSON held in strings scrubbed too.
 * `guide` names the members of AWS's structures that stay visible.
 */
function scrubJson(value: unknown, walk: JsonWalk, depth: number, guide: Guide | undefined): unknown {
  if (typeof value === 'string') return scrubString(value, walk, depth);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_JSON_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => scrubJson(item, walk, depth + 1, guide));
  const layer = guide?.(value as Record<string, unknown>);
  // No prototype: a member named __proto__ stays a member instead of becoming the prototype.
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, item] of Object.entries(value)) {
    const inner = layer?.inside?.get(key);
    // An id, a route or a file name is exempt from the name rule only: what it holds is scrubbed as usual.
    if (layer?.shown?.has(key)) {
      out[key] = scrubJson(item, walk, depth + 1, inner);
    } else if (isSensitiveParameter(walk.isSensitiveName, key)) {
      out[key] = CLEANSED_SUBSTITUTE;
    } else if (QUERY_MEMBERS.has(key) && typeof item === 'string') {
      out[key] = scrubQuery(item, walk.isSensitiveName);
    } else if (PARAMETER_MEMBERS.has(key) && isObject(item) && depth + 1 < MAX_JSON_DEPTH) {
      out[key] = scrubParameters(item, walk, depth + 1);
    } else {
      out[key] = scrubJson(item, walk, depth + 1, inner);
    }
  }
  return out;
}

/**
 * Any value as JSON indented by `indent` spaces (0: on one line), sensitive members hidden, queries
 * scrubbed by parameter name; cycles and BigInts are written as markers. With `guide` (an event's),
 * AWS's structural members stay visible.
 */
export function scrubbedJson(
  value: unknown,
  isSensitiveName: NameTest,
  indent = 2,
  guide: Guide | undefined = undefined,
): string {
  const seen = new WeakSet<object>();
  try {
    const plain = JSON.parse(
      JSON.stringify(value, (_key, item: unknown) => {
        if (typeof item === 'bigint') return `${item}n`;
        if (typeof item === 'object' && item !== null) {
          if (seen.has(item)) return '[circular]';
          seen.add(item);
        }
        return item;
      }) ?? 'null',
    );
    return JSON.stringify(scrubJson(plain, { isSensitiveName, root: guide }, 0, guide), null, indent);
  } catch {
    return '[not serialisable]';
  }
}

/**
 * A request body for display: JSON key by key at any depth, form bodies field by field, a JSON
 * body cut at the cap member by member, and in any text the queries of its URLs by parameter name.
 * `complete` is false when the body was cut.
 */
export function scrubBody(
  text: string,
  contentType: string | undefined,
  complete: boolean,
  isSensitiveName: NameTest,
): string {
  const type = (contentType ?? '').toLowerCase();
  const startsLikeJson = /^\s*[{[]/.test(text);
  const looksJson = type.includes('json') || startsLikeJson;
  if (looksJson && complete) {
    try {
      return JSON.stringify(
        scrubJson(JSON.parse(text), { isSensitiveName, root: undefined }, 0, undefined),
        null,
        2,
      );
    } catch {
      // Not JSON after all (or nested past the engine's limit): scrubbed as text below.
    }
  }
  // Clients often send forms without a content type: judge by the shape too, unless it looks like JSON.
  if (type.includes('application/x-www-form-urlencoded') || (!startsLikeJson && FORM_SHAPED.test(text))) {
    return scrubQuery(text, isSensitiveName);
  }
  if (looksJson) {
    // A JSON body cut at the cap (or not quite JSON): hide the scalar values of sensitive members,
    // then the queries of the URLs in it.
    const members = text.replace(JSON_MEMBER, (member, key: string, colon: string) => {
      let name: string;
      try {
        name = JSON.parse(key) as string;
      } catch {
        name = key.slice(1, -1);
      }
      return isSensitiveName(name) ? `${key}${colon}"${CLEANSED_SUBSTITUTE}"` : member;
    });
    return scrubQueriesInText(members, isSensitiveName);
  }
  return scrubQueriesInText(text, isSensitiveName);
}
