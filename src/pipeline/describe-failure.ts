import { readProperty, safeString } from '../core/input/safe.js';
import { scrubText } from '../core/scrub/shapes.js';
import { escapeControl } from '../core/text.js';

/**
 * `Name: message`, following `cause` once, scrubbed and on one line, for a log record. Never throws.
 * @example
 * describeFailure(new Error('down', { cause: new TypeError('x') })); // 'Error: down (caused by TypeError: x)'
 */
export function describeFailure(error: unknown): string {
  const describeOne = (value: unknown) =>
    typeof value === 'object' && value !== null
      ? `${safeString(readProperty(value, 'name'))}: ${safeString(readProperty(value, 'message'))}`
      : safeString(value);
  const cause = readProperty(error, 'cause');
  const text =
    typeof cause === 'object' && cause !== null
      ? `${describeOne(error)} (caused by ${describeOne(cause)})`
      : describeOne(error);
  return scrubText(escapeControl(text));
}
