import { readProperty, safeString } from './safe.js';
import { scrubText } from './scrub.js';
import { truncate } from './text.js';

/** One error of a chain, read defensively from whatever was thrown. */
export interface ErrorInfo {
  /** `TypeError`, a class name, or the `typeof` of a thrown non-error. */
  readonly type: string;
  /** The message; empty when none was supplied. */
  readonly message: string;
  /** The stack as V8 wrote it, or `undefined` when there is none. */
  readonly stack: string | undefined;
  /** Own enumerable properties other than name/message/stack/cause, shown as `key = value`. */
  readonly properties: readonly (readonly [string, string])[];
}

const MAX_CHAIN = 10;
const MAX_MESSAGE = 4096;
const MAX_STACK = 16 * 1024;
const MAX_PROPERTIES = 20;
const MAX_PROPERTY = 1024;
const SKIPPED_PROPERTIES = new Set(['name', 'message', 'stack', 'cause']);

/**
 * The error and its `cause` chain, root cause first as Django prints it.
 * Stops at a cycle or after ten links.
 */
export function describeChain(thrown: unknown): ErrorInfo[] {
  const chain: ErrorInfo[] = [];
  const seen = new Set<unknown>();
  let current: unknown = thrown;
  let first = true;
  while (chain.length < MAX_CHAIN && (first || (current !== undefined && current !== null))) {
    if (seen.has(current)) break;
    seen.add(current);
    chain.push(describe(current));
    first = false;
    current = readProperty(current, 'cause');
  }
  return chain.reverse();
}

/** One thrown value as an {@link ErrorInfo}; never throws. */
export function describe(value: unknown): ErrorInfo {
  if (typeof value !== 'object' && typeof value !== 'function') {
    return {
      type: value === null ? 'null' : typeof value,
      message: scrubText(truncate(safeString(value), MAX_MESSAGE)),
      stack: undefined,
      properties: [],
    };
  }
  if (value === null) return { type: 'null', message: '', stack: undefined, properties: [] };
  const name = readProperty(value, 'name');
  const message = readProperty(value, 'message');
  const stack = readProperty(value, 'stack');
  const ctorName = safeConstructorName(value);
  const type = typeof name === 'string' && name !== '' ? name : (ctorName ?? 'Object');
  return {
    type: truncate(type, 200),
    message: scrubText(
      truncate(
        typeof message === 'string' ? message : message === undefined ? '' : safeString(message),
        MAX_MESSAGE,
      ),
    ),
    stack: typeof stack === 'string' ? scrubText(truncate(stack, MAX_STACK)) : undefined,
    properties: ownProperties(value),
  };
}

function ownProperties(value: object): (readonly [string, string])[] {
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch {
    return [];
  }
  const out: (readonly [string, string])[] = [];
  for (const key of keys) {
    if (SKIPPED_PROPERTIES.has(key)) continue;
    if (out.length === MAX_PROPERTIES) {
      out.push(['...', `${keys.length - MAX_PROPERTIES} more properties not shown`]);
      break;
    }
    out.push([key, scrubText(truncate(inspectValue(readProperty(value, key)), MAX_PROPERTY))]);
  }
  return out;
}

function inspectValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object' || value === null) return safeString(value);
  try {
    return JSON.stringify(value) ?? safeString(value);
  } catch {
    return safeString(value);
  }
}

function safeConstructorName(value: object): string | undefined {
  try {
    const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}
