import type { Delayed, Repeats, ShownBody } from '../report/types.js';
import { formatCount, omittedBytesLabel } from '../text.js';

/** The sentence both parts of a mail open with when flood control held repeats back. */
export function repeatsLine(repeats: Repeats | undefined, what: string): string | undefined {
  if (repeats === undefined) return undefined;
  const times = repeats.count === 1 ? 'once' : `${formatCount(repeats.count)} more times`;
  return `${what} happened ${times} since ${repeats.since} without a mail (flood control: ERROR_MAIL_THROTTLE_SECONDS, ERROR_MAIL_MAX_PER_MINUTE).`;
}

/** The sentence both parts of a mail open with when it goes out late, after its send failed. */
export function delayedLine(delayed: Delayed | undefined): string | undefined {
  if (delayed === undefined) return undefined;
  return `Sent late: this happened at ${delayed.happenedAt}, and the mail could not be sent then (${delayed.reason}); it went out with a later invocation of this container.`;
}

/** What the renderers say under a body: what was left out, and how it arrived. */
export function bodyNote(body: ShownBody): string | undefined {
  const notes: string[] = [];
  if (body.binary) notes.push(`binary body of ${formatCount(body.bytes)} bytes not shown`);
  else if (body.omittedBytes > 0) notes.push(omittedBytesLabel(body.omittedBytes));
  if (body.decodedFromBase64 && !body.binary) notes.push('decoded from base64');
  return notes.length === 0 ? undefined : notes.join('; ');
}

/**
 * The label of the log lines left out before those shown: `3 earlier lines left out`; with
 * `someLost`, that earlier ones may be missing too (invocations side by side share what is kept).
 */
export function earlierLines(count: number, someLost = false): string {
  const counted = `${formatCount(count)} earlier line${count === 1 ? '' : 's'} left out`;
  if (!someLost) return counted;
  const lost =
    'earlier lines may be missing: other invocations running beside this one logged more than is kept';
  return count === 0 ? lost : `${counted}; ${lost}`;
}
