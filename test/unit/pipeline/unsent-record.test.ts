import { describe, expect, it } from 'vitest';
import { LOG_RECORD_MAX_BYTES, withReport } from '../../../src/pipeline/unsent-record.js';

const base = { level: 'ERROR', message: 'error mail not sent', fingerprint: '0123456789abcdef' } as const;
const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('withReport', () => {
  it('carries a report that fits whole, as it is', () => {
    const text = 'Internal Server Error: /orders\n\nTypeError at /orders\n';

    expect(withReport(base, text)).toEqual({ ...base, report: text });
  });

  it('cuts a report to keep the record, as JSON, within the cap, and says how much was left out', () => {
    const text = `${'a'.repeat(200_000)}END`;

    const record = withReport(base, text);

    expect(jsonBytes(record)).toBeLessThanOrEqual(LOG_RECORD_MAX_BYTES);
    expect(jsonBytes(record)).toBeGreaterThan(LOG_RECORD_MAX_BYTES - 100);
    expect(record.reportBytes).toBe(200_003);
    expect(String(record.report)).toMatch(
      /\n\.\.\. [\d,]+ more bytes not shown \(a log record is capped at 122,880 bytes\)$/,
    );
    expect(String(record.report)).not.toContain('END');
  });

  it('counts the escapes JSON adds and the bytes of non-ASCII text', () => {
    const text = '"\\\n\u0001é€'.repeat(30_000);

    const record = withReport(base, text);

    expect(jsonBytes(record)).toBeLessThanOrEqual(LOG_RECORD_MAX_BYTES);
    expect(String(record.report)).not.toContain('\uFFFD');
  });

  it('stays under half of what CloudWatch Logs takes in one event, so one more escaping still fits', () => {
    expect(LOG_RECORD_MAX_BYTES * 2 + 1024).toBeLessThanOrEqual(256 * 1024 - 26);
  });
});
