import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CapturedWrite,
  type InvocationWrites,
  readLogSection,
} from '../../../../src/core/input/log-lines.js';
import { createScrubber } from '../../../../src/core/scrub/scrubber.js';
import '../../../helpers/fast-check.js';

const scrubber = createScrubber();
const BOUNDS = { lines: 100, chars: 16 * 1024, lineChars: 1000 };
const STARTED = 1_700_000_000_000;

const write = (
  data: string | Uint8Array,
  level: CapturedWrite['level'] = 'INFO',
  after = 0,
): CapturedWrite => ({
  at: STARTED + after,
  level,
  data: typeof data === 'string' ? Buffer.from(data) : data,
  cut: false,
});
const writes = (...items: CapturedWrite[]): InvocationWrites => ({
  kind: 'writes',
  writes: items,
  earlier: 0,
});

describe('readLogSection', () => {
  it("shows the runtime's lines without its time and request id, its level kept, its \\r as line breaks", () => {
    const section = readLogSection(
      writes(
        write('2026-12-01T10:00:00.123Z\tc0ffee\tWARN\tretrying orders-db\n', 'INFO', 12),
        write(
          Buffer.from('2026-12-01T10:00:01.000Z\tc0ffee\tERROR\tError: boom\r    at run (app.ts:3:9)\n'),
          'STDOUT',
          1012,
        ),
      ),
      STARTED,
      scrubber,
      BOUNDS,
    );

    expect(section).toEqual({
      kind: 'lines',
      earlier: 0,
      lines: [
        { offsetMs: 12, level: 'WARN', text: 'retrying orders-db', json: false },
        { offsetMs: 1012, level: 'ERROR', text: 'Error: boom\n    at run (app.ts:3:9)', json: false },
      ],
    });
  });

  it('shows a JSON line compactly, its level taken from it (a name or pino’s number), sensitive members hidden', () => {
    const section = readLogSection(
      writes(
        write('{\n  "level": "warning", "message": "slow", "apiKey": "k-123", "ms": 812\n}\n', 'STDOUT'),
        write('{"level":50,"msg":"failed","user":{"password":"hunter2"}}\n', 'STDOUT'),
      ),
      STARTED,
      scrubber,
      BOUNDS,
    );

    expect(
      section?.kind === 'lines' && section.lines.map(({ level, text, json }) => ({ level, text, json })),
    ).toEqual([
      {
        level: 'WARN',
        text: '{"level":"warning","message":"slow","apiKey":"********************","ms":812}',
        json: true,
      },
      {
        level: 'ERROR',
        text: '{"level":50,"msg":"failed","user":{"password":"********************"}}',
        json: true,
      },
    ]);
  });

  it('hides the value of a sensitive name in key=value text, and keys by their shape anywhere', () => {
    const section = readLogSection(
      writes(write('login user=ana password=hunter2 token: "abc def" next=/cart key AKIAIOSFODNN7EXAMPLE\n')),
      STARTED,
      scrubber,
      BOUNDS,
    );

    expect(section?.kind === 'lines' && section.lines[0]?.text).toBe(
      'login user=ana password=******************** token: ******************** next=/cart key ********************',
    );
  });

  it('hides secrets in the shapes common log lines have: inspected objects, JSON after a prefix, cookies, colours', () => {
    const inspected = [
      'EVENT {',
      "  headers: { 'x-api-key': 'key-789', 'x-amz-security-token': 'IQoJb3Jp', host: 'api.example.com' },",
      "  cookies: [ 'connect.sid=s%3Aabc123', 'PHPSESSID=php456' ],",
      "  queryStringParameters: { 'access-token': 'qs-token', page: '2' }",
      '}',
    ].join('\n');
    const section = readLogSection(
      writes(
        write(`${inspected}\n`, 'STDOUT'),
        write('event {"password":"hunter2","x-api-key":"abc123","page":2}\n', 'STDOUT'),
        write('Cookie: theme=dark; uid=u123; remember=r456\n', 'STDOUT'),
        write(
          '{"level":30,"msg":"a","password":"p-1"}\n{"level":50,"msg":"b","token":"tok-123"}\n',
          'STDOUT',
        ),
        write("{ password: \x1b[32m'hunter3'\x1b[39m } \x1b[36mpassword\x1b[0m=hunter4\n", 'STDOUT'),
        write('escaped password="a\\"b c" then\n', 'STDOUT'),
      ),
      STARTED,
      scrubber,
      BOUNDS,
    );
    const texts = section?.kind === 'lines' ? section.lines.map((line) => line.text) : [];
    const all = texts.join('\n');

    for (const secret of [
      'key-789',
      'IQoJb3Jp',
      's%3Aabc123',
      'php456',
      'qs-token',
      'hunter2',
      'abc123',
      'u123',
      'r456',
      'p-1',
      'tok-123',
      'hunter3',
      'hunter4',
      'b c',
    ]) {
      expect(all, secret).not.toContain(secret);
    }
    expect(all).toContain("host: 'api.example.com'");
    expect(all).toContain('"page":2');
    // pino's two lines in one write are two lines, each with its level.
    expect(
      section?.kind === 'lines' && section.lines.filter((line) => line.json).map((line) => line.level),
    ).toEqual(['INFO', 'ERROR']);
  });

  it('says when earlier lines may be missing, how many not known', () => {
    const section = readLogSection(
      { kind: 'writes', writes: [write('last\n')], earlier: 0, someLost: true },
      STARTED,
      scrubber,
      BOUNDS,
    );

    expect(section).toEqual({
      kind: 'lines',
      lines: [{ offsetMs: 0, level: 'INFO', text: 'last', json: false }],
      earlier: 0,
      someLost: true,
    });
  });

  it('keeps the last lines within the caps, says how many earlier ones were left out, and cuts a long line', () => {
    const many = Array.from({ length: 150 }, (_, index) => write(`line ${index}\n`, 'INFO', index));
    const section = readLogSection({ kind: 'writes', writes: many, earlier: 7 }, STARTED, scrubber, {
      lines: 100,
      chars: 16 * 1024,
      lineChars: 1000,
    });
    const long = readLogSection(writes(write(`${'x'.repeat(1500)}\n`)), STARTED, scrubber, BOUNDS);
    const tight = readLogSection({ kind: 'writes', writes: many, earlier: 0 }, STARTED, scrubber, {
      lines: 100,
      chars: 300,
      lineChars: 1000,
    });

    expect(section?.kind === 'lines' && section.lines.length).toBe(100);
    expect(section?.kind === 'lines' && section.lines[0]?.text).toBe('line 50');
    expect(section?.kind === 'lines' && section.earlier).toBe(7 + 50);
    expect(long?.kind === 'lines' && long.lines[0]?.text).toBe(
      `${'x'.repeat(1000)}... 500 more characters not shown`,
    );
    expect(tight?.kind === 'lines' && tight.lines.at(-1)?.text).toBe('line 149');
    expect(tight?.kind === 'lines' && tight.lines.length + tight.earlier).toBe(150);
  });

  it('passes on why lines are not shown, and shows nothing when nothing was captured', () => {
    const reason = 'other invocations ran in this process at the same time';

    expect(readLogSection({ kind: 'unattributed', reason }, STARTED, scrubber, BOUNDS)).toEqual({
      kind: 'unattributed',
      reason,
    });
    expect(readLogSection(undefined, STARTED, scrubber, BOUNDS)).toBeUndefined();
    expect(readLogSection(writes(write('\n'), write('   ')), STARTED, scrubber, BOUNDS)).toEqual({
      kind: 'lines',
      lines: [],
      earlier: 0,
    });
  });

  it('never shows a secret logged after a sensitive name, nor a control character but line breaks and tabs', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{12,24}$/);
    const noise = fc.string({ unit: 'binary', maxLength: 40 }).map((text) => text.replace(/[=:"'\s]/g, ''));
    fc.assert(
      fc.property(
        noise,
        fc.constantFrom('password', 'api_key', 'secret', 'Authorization', 'accessToken'),
        fc.constantFrom('=', ': ', ' = '),
        secret,
        noise,
        fc.boolean(),
        (before, name, between, value, after, asJson) => {
          const line = asJson
            ? `${JSON.stringify({ message: before, [name]: value })}\n`
            : `${before} ${name}${between}${value} ${after}\n`;
          const section = readLogSection(writes(write(line, 'STDOUT')), STARTED, scrubber, BOUNDS);
          const text = section?.kind === 'lines' ? (section.lines[0]?.text ?? '') : '';
          expect(text).not.toContain(value);
          expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
        },
      ),
      { numRuns: 500 },
    );
  });
});
