import { CLEANSED_SUBSTITUTE, type NameTest, scrubQuery } from './names.js';

const MAX_JSON_DEPTH = 64;
// name=value pairs joined by &, with nothing else: a form, whatever its declared type.
const FORM_SHAPED = /^[^\s=&]+=[^\s&]*(?:&[^\s=&]+=[^\s&]*)*$/;
// A JSON member whose value is a scalar, for bodies cut at the cap and no longer parseable.
const JSON_MEMBER = /("(?:[^"\\]|\\.)*")(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)/g;

/** A parsed JSON value with sensitive members hidden at any depth; JSON held in strings is scrubbed too. */
function scrubJson(value: unknown, isSensitiveName: NameTest, depth: number): unknown {
  // A JSON document in a string (an SQS body, an SNS message) is scrubbed as JSON too.
  if (typeof value === 'string' && /^\s*[{[]/.test(value) && depth < MAX_JSON_DEPTH) {
    try {
      return JSON.stringify(scrubJson(JSON.parse(value), isSensitiveName, depth + 1));
    } catch {
      return value;
    }
  }
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_JSON_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => scrubJson(item, isSensitiveName, depth + 1));
  // No prototype: a member named __proto__ stays a member instead of becoming the prototype.
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSensitiveName(key) ? CLEANSED_SUBSTITUTE : scrubJson(item, isSensitiveName, depth + 1);
  }
  return out;
}

/**
 * Any value as JSON indented by `indent` spaces (0: on one line), sensitive members hidden; cycles
 * and BigInts are written as markers.
 */
export function scrubbedJson(value: unknown, isSensitiveName: NameTest, indent = 2): string {
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
    return JSON.stringify(scrubJson(plain, isSensitiveName, 0), null, indent);
  } catch {
    return '[not serialisable]';
  }
}

/**
 * A request body for display: JSON key by key at any depth, form bodies field by field, a JSON
 * body cut at the cap member by member. `complete` is false when the body was cut.
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
      return JSON.stringify(scrubJson(JSON.parse(text), isSensitiveName, 0), null, 2);
    } catch {
      // Not JSON after all (or nested past the engine's limit): scrubbed as text below.
    }
  }
  // Clients often send forms without a content type: judge by the shape too, unless it looks like JSON.
  if (type.includes('application/x-www-form-urlencoded') || (!startsLikeJson && FORM_SHAPED.test(text))) {
    return scrubQuery(text, isSensitiveName);
  }
  if (looksJson) {
    // A JSON body cut at the cap (or not quite JSON): hide the scalar values of sensitive members.
    return text.replace(JSON_MEMBER, (member, key: string, colon: string) => {
      let name: string;
      try {
        name = JSON.parse(key) as string;
      } catch {
        name = key.slice(1, -1);
      }
      return isSensitiveName(name) ? `${key}${colon}"${CLEANSED_SUBSTITUTE}"` : member;
    });
  }
  return text;
}
