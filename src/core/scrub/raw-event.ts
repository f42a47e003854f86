import type { RequestInfo } from '../input/request.js';
import { formatCount } from '../text.js';
import type { Scrubber } from './scrubber.js';

// The raw event shows the shape of what Lambda delivered; the first record is shown in full elsewhere.
const MAX_ARRAY_ITEMS = 3;
const MAX_OBJECT_KEYS = 100;
const MAX_DEPTH = 32;
// Objects and arrays copied in all: an event that shares one object many times stays cheap.
const MAX_NODES = 5000;
// Long strings are cut before scrubbing, unless they hold JSON, which must be parsed whole to be scrubbed.
const MAX_STRING_CHARS = 1024;

/**
 * The event as Lambda delivered it, as indented JSON scrubbed as {@link Scrubber.json} does (sensitive
 * names hidden, queries scrubbed wherever they are, AWS's structural members shown): the request
 * body is left out (the Body section shows it, scrubbed as a form or JSON), and long arrays and
 * objects are cut to their first entries. Never throws.
 * @example
 * scrubbedEventJson(createScrubber(), event, readRequest(event)); // '{\n  "version": "2.0", ...'
 */
export function scrubbedEventJson(
  scrubber: Scrubber,
  event: unknown,
  request: RequestInfo | undefined,
): string {
  try {
    const pruned = prune(event, 0, { seen: new WeakSet(), nodes: 0 });
    if (request !== undefined && isRecord(pruned)) {
      if (typeof pruned.body === 'string' && pruned.body !== '') {
        pruned.body = `[${formatCount(request.body?.bytes ?? pruned.body.length)} bytes, shown under Body]`;
      }
    }
    return scrubber.json(pruned);
  } catch {
    return '[not serialisable]';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Walk {
  /** Every object copied so far: one seen again (a cycle, or shared) is written as a marker. */
  readonly seen: WeakSet<object>;
  nodes: number;
}

/** A plain copy with at most a few items per array and a hundred keys per object, repeats marked. */
function prune(value: unknown, depth: number, walk: Walk): unknown {
  if (typeof value === 'function') return '[function]';
  if (typeof value === 'string' && value.length > MAX_STRING_CHARS && !/^\s*[{[]/.test(value)) {
    return `${value.slice(0, MAX_STRING_CHARS)}... ${formatCount(value.length - MAX_STRING_CHARS)} more characters not shown`;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (walk.seen.has(value)) return '[circular or repeated]';
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (++walk.nodes > MAX_NODES) return '[more not shown]';
  walk.seen.add(value);
  let copy: unknown;
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ARRAY_ITEMS).map((item) => prune(item, depth + 1, walk));
    if (value.length > MAX_ARRAY_ITEMS) {
      items.push(`... ${formatCount(value.length - MAX_ARRAY_ITEMS)} more items not shown`);
    }
    copy = items;
  } else {
    // No prototype: a key named __proto__ stays a plain member.
    const out: Record<string, unknown> = Object.create(null);
    const keys = Object.keys(value);
    for (const key of keys.slice(0, MAX_OBJECT_KEYS)) {
      out[key] = prune((value as Record<string, unknown>)[key], depth + 1, walk);
    }
    if (keys.length > MAX_OBJECT_KEYS) {
      out['...'] = `${formatCount(keys.length - MAX_OBJECT_KEYS)} more keys not shown`;
    }
    copy = out;
  }
  return copy;
}
