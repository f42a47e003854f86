/**
 * Reading values the handler, the runtime or an attacker handed us, without
 * letting a throwing getter, a hostile Proxy or a missing method escape.
 */

/** `value[key]`, or `undefined` when `value` is not an object or reading it throws. */
export function readProperty(value: unknown, key: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** A property that is a non-empty string, else `undefined`. */
export function readString(value: unknown, key: string): string | undefined {
  const found = readProperty(value, key);
  return typeof found === 'string' && found !== '' ? found : undefined;
}

/** `context.getRemainingTimeInMillis()`, or `undefined` when the context has no usable clock. */
export function remainingTimeMs(context: unknown): number | undefined {
  const get = readProperty(context, 'getRemainingTimeInMillis');
  if (typeof get !== 'function') return undefined;
  try {
    const value: unknown = get.call(context);
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** String(value) that survives a throwing toString, symbols and null-prototype objects. */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return '[unprintable value]';
    }
  }
}
