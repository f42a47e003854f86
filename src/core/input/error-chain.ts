import type { SourceLookup } from '../ports.js';
import { capChars, capItems, type Limits } from '../report/limits.js';
import { readProperty, safeString } from './safe.js';
import { type FrameSource, type MappedStack, mapStack } from './source-frames.js';

/** One error of a chain, read defensively from whatever was thrown. */
export interface ErrorInfo {
  /** `TypeError`, a class name, or the `typeof` of a thrown non-error. */
  readonly type: string;
  /** The message; empty when none was supplied. */
  readonly message: string;
  /** The stack as V8 wrote it (its frames mapped to the source as written, where a map says), or `undefined` when there is none. */
  readonly stack: string | undefined;
  /** By line index in `stack`: the source lines of the first frames of the user's code that have them. */
  readonly sources: ReadonlyMap<number, FrameSource>;
  /** Own enumerable properties other than name/message/stack/cause/errors, as `key = value`. */
  readonly properties: readonly (readonly [string, string])[];
  /** The first members of an `AggregateError` (its `errors` array). */
  readonly members: readonly ErrorInfo[];
  /** How many members the `errors` array holds in all. */
  readonly memberCount: number;
}

/** The stack, or `Type: message` with a note when the error has no stack. */
export function stackText(error: ErrorInfo): string {
  return error.stack ?? `${error.type}: ${error.message}\n    (no stack)`;
}

const SKIPPED_PROPERTIES = new Set(['name', 'message', 'stack', 'cause', 'errors']);

/**
 * The error and its `cause` chain, root cause first as Django prints it, each stack mapped through
 * `lookup` when there is one. Stops at a cycle or after `limits.chainDepth` links.
 */
export function describeChain(thrown: unknown, limits: Limits, lookup?: SourceLookup): ErrorInfo[] {
  const chain: ErrorInfo[] = [];
  const seen = new Set<unknown>();
  let current: unknown = thrown;
  while (chain.length < limits.chainDepth) {
    if (seen.has(current)) break;
    seen.add(current);
    chain.push(describe(current, limits, true, lookup));
    current = readProperty(current, 'cause');
    if (current === undefined || current === null) break;
  }
  return chain.reverse();
}

/** One thrown value as an {@link ErrorInfo}, its stack mapped through `lookup`; never throws. */
export function describe(
  value: unknown,
  limits: Limits,
  withMembers = false,
  lookup?: SourceLookup,
): ErrorInfo {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    return {
      type: value === null ? 'null' : typeof value,
      message: capChars(safeString(value), limits.messageChars),
      stack: undefined,
      sources: new Map(),
      properties: [],
      members: [],
      memberCount: 0,
    };
  }
  const name = readProperty(value, 'name');
  const message = readProperty(value, 'message');
  const stack = readProperty(value, 'stack');
  const type = typeof name === 'string' && name !== '' ? name : (constructorName(value) ?? 'Object');
  const errors = readProperty(value, 'errors');
  const members: ErrorInfo[] = [];
  let memberCount = 0;
  if (withMembers && Array.isArray(errors)) {
    memberCount = errors.length;
    for (let i = 0; i < Math.min(memberCount, limits.members); i++) {
      members.push(describe(readProperty(errors, String(i)), limits, false, lookup));
    }
  }
  return {
    type: capChars(type, 200),
    message: capChars(
      typeof message === 'string' ? message : message === undefined ? '' : safeString(message),
      limits.messageChars,
    ),
    ...shownStack(typeof stack === 'string' ? stack : undefined, limits, lookup, headerLines(name, message)),
    properties: ownProperties(value, limits),
    members,
    memberCount,
  };
}

/** How many lines V8's stack header (`Name: message`) takes: a message's lines are never frames. */
function headerLines(name: unknown, message: unknown): number {
  const text = `${typeof name === 'string' ? name : ''}${typeof message === 'string' ? message : ''}`;
  return text.split('\n').length;
}

/** The stack capped, mapped and capped again, with the sources of the frames the cap keeps. */
function shownStack(
  stack: string | undefined,
  limits: Limits,
  lookup: SourceLookup | undefined,
  header: number,
): Pick<ErrorInfo, 'stack' | 'sources'> {
  if (stack === undefined) return { stack: undefined, sources: new Map() };
  let mapped: MappedStack;
  try {
    // Capped first: a stack of 20,000 frames is not looked up frame by frame.
    mapped = mapStack(capChars(stack, limits.stackChars), lookup, undefined, header);
  } catch {
    mapped = { stack, sources: new Map() };
  }
  const shown = capChars(mapped.stack, limits.stackChars);
  const kept = shown.split('\n').length;
  const sources = new Map(
    [...mapped.sources].filter(([index]) => index < kept - 1 || shown === mapped.stack),
  );
  return { stack: shown, sources };
}

function ownProperties(value: object, limits: Limits): readonly (readonly [string, string])[] {
  let keys: string[];
  try {
    keys = Object.keys(value).filter((key) => !SKIPPED_PROPERTIES.has(key));
  } catch {
    return [];
  }
  const shown = keys
    .slice(0, limits.items)
    .map((key) => [key, capChars(inspectValue(readProperty(value, key)), limits.valueChars)] as const);
  return capItems(shown, limits.items, keys.length);
}

function inspectValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object' || value === null) return safeString(value);
  try {
    return JSON.stringify(value) ?? safeString(value);
  } catch {
    // Circular, a BigInt inside, or a throwing toJSON.
    return safeString(value);
  }
}

function constructorName(value: object): string | undefined {
  const name = readProperty(readProperty(value, 'constructor'), 'name');
  return typeof name === 'string' && name !== '' ? name : undefined;
}
