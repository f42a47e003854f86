import { cutBytes } from '../core/input/request.js';
import type { LogRecord } from '../core/ports.js';
import { formatCount, omittedBytesLabel } from '../core/text.js';

/**
 * The most a log record that carries a report may weigh, as one line of JSON (UTF-8 bytes).
 * CloudWatch Logs takes an event of at most 256 KiB, 26 bytes of which are its own overhead: 262,118
 * bytes of message. This is under half of that, so the record stays one event even when it is
 * escaped once more on its way (Lambda's JSON log format carries a line that is not its own JSON
 * inside a `message` string, which at most doubles it: every `"` and `\` becomes two bytes) and the
 * runtime adds its own fields or prefix.
 */
export const LOG_RECORD_MAX_BYTES = 120 * 1024;

/**
 * `record` with the report's text under `report`, cut (and labelled as cut, with `reportBytes` the
 * size of the whole text) so that the record, as JSON, is at most `maxBytes`.
 * @example
 * withReport({ level: 'ERROR', message: 'error mail not sent' }, mail.text);
 */
export function withReport(record: LogRecord, text: string, maxBytes = LOG_RECORD_MAX_BYTES): LogRecord {
  const whole = { ...record, report: text };
  if (jsonBytes(whole) <= maxBytes) return whole;
  const textBytes = Buffer.byteLength(text);
  const label = (omitted: number) =>
    `\n${omittedBytesLabel(omitted)} (a log record is capped at ${formatCount(maxBytes)} bytes)`;
  // What JSON adds around the text, then the text scaled down by how much its escapes weigh, until it fits.
  const frame =
    jsonBytes({ ...record, report: '', reportBytes: textBytes }) + Buffer.byteLength(label(textBytes));
  let keep = Math.max(0, maxBytes - frame);
  for (;;) {
    const kept = cutBytes(text, keep);
    const cut = {
      ...record,
      report: kept + label(textBytes - Buffer.byteLength(kept)),
      reportBytes: textBytes,
    };
    const over = jsonBytes(cut) - maxBytes;
    if (over <= 0 || keep === 0) return cut;
    keep = Math.max(0, keep - over);
  }
}

/**
 * `record` with the text of a report whose mail was not sent, when it may be logged: not before
 * `beforeSend` has seen the report (the hook may be there to edit it), and said so when the report
 * the hook returned cannot be rendered. `text` renders it, on demand.
 * @example
 * withReportIfSeen(record, hooked, () => mail.text);
 */
export function withReportIfSeen(record: LogRecord, seen: boolean, text: () => string): LogRecord {
  if (!seen) return { ...record, report: 'not logged: beforeSend has not seen it' };
  let rendered: string;
  try {
    rendered = text();
  } catch {
    return { ...record, report: 'not logged: the report beforeSend returned cannot be rendered' };
  }
  return withReport(record, rendered);
}

function jsonBytes(record: LogRecord): number {
  return Buffer.byteLength(JSON.stringify(record));
}
