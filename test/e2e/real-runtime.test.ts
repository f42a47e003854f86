import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureRealRuntime, RIC_VERSION } from '../../scripts/real-runtime.mjs';
import { httpApiEvent } from '../helpers/events.js';
import { mailsMarked, type StoredMail } from '../helpers/local-ses.js';
import { type Frame, type RuntimeRun, runtimeTargets, runUnderRuntime } from '../helpers/real-runtime.js';

// The log capture under the real Lambda runtime client (test/helpers/real-runtime.ts):
// test/fixtures/real-runtime-handler.mjs logs through the runtime's console, which frames each line
// to its telemetry descriptor; the mail goes to the test run's SES emulator.
const sesUrl = inject('sesUrl');

// Decided while the file is collected: the cases are skipped only when the runtime client cannot be
// built here (the build itself runs in beforeAll, and a failed build fails them).
const { cannotBuild, nodes, skipReasons } = await runtimeTargets();
for (const [major, reason] of Object.entries(skipReasons)) {
  if (reason !== undefined) console.warn(`real runtime on Node.js ${major} skipped: ${reason}`);
}

let entry = '';
beforeAll(async () => {
  if (cannotBuild !== undefined) return;
  ({ entry } = await ensureRealRuntime());
}, 600_000);

/** What one process of the runtime did with the two invocations, and the mail. */
interface LoggingRun extends RuntimeRun<void> {
  mails: StoredMail[];
}

/**
 * Runs the runtime client on `node` for two invocations: the first succeeds after logging A lines,
 * the second fails after logging B lines.
 */
async function runLogging(node: string, major: number, captureLogs: boolean): Promise<LoggingRun> {
  const marker = randomUUID();
  const run = await runUnderRuntime({
    node,
    major,
    entry,
    handler: 'real-runtime-handler.handler',
    invocations: [
      { event: httpApiEvent({ path: '/first', body: '{"fail":false}' }) },
      { event: httpApiEvent({ path: '/second', body: '{"fail":true}' }) },
    ],
    env: {
      AWS_ENDPOINT_URL_SES: sesUrl,
      ADMINS: 'ops@example.com',
      SERVER_EMAIL: 'errors@example.com',
      EMAIL_SUBJECT_PREFIX: `[${marker}] `,
      ERROR_MAIL_CAPTURE_LOGS: String(captureLogs),
    },
    snapshot: async () => {},
  });
  return { ...run, mails: await mailsMarked(sesUrl, marker, 1) };
}

// What differs between two runs of the same invocations, and only that, is normalised before frames
// are compared: the header's time field is left out, and in the line the runtime's ISO time (at its
// start) and the request ids (fresh in each run) are replaced by placeholders. The type, the length
// (the replaced texts have the same length in both runs) and every other byte are compared as written.
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;
function normalised(frame: Frame, requestIds: readonly string[]) {
  let message = frame.message.toString('latin1').replace(ISO_TIME, '<time>');
  requestIds.forEach((id, index) => {
    message = message.replaceAll(id, `<request ${index + 1}>`);
  });
  return { type: `0x${frame.type.toString(16)}`, length: frame.length, message };
}

const text = (mail: StoredMail | undefined) => (mail?.body.text ?? '').replace(/\r\n/g, '\n');
/** The text part's log section: from its title to the blank line that ends it. */
function logSection(mail: StoredMail | undefined): string {
  const body = text(mail);
  const start = body.indexOf('Log lines (this invocation):');
  return start < 0 ? '' : body.slice(start, body.indexOf('\n\n', start));
}

/** The HTML part's log section: from its title to the next section's. */
function htmlLogSection(mail: StoredMail | undefined): string {
  const html = mail?.body.html ?? '';
  const start = html.indexOf('Log lines (this invocation)');
  return start < 0 ? '' : html.slice(start, html.indexOf('<h2', start));
}

// The runtime's TEXT frame type, ORed with each level's mask (bits 2 to 4).
const TEXT_FRAME = 0xa55a0003;
const LEVEL_MASK = { INFO: 12, WARN: 16, ERROR: 20 } as const;

for (const major of [22, 24] as const) {
  const reason = skipReasons[major];
  describe.skipIf(reason !== undefined)(
    `aws-lambda-ric ${RIC_VERSION} on Node.js ${major}${reason === undefined ? '' : ` (skipped: ${reason})`}`,
    () => {
      let captured: LoggingRun;
      let plain: LoggingRun;
      beforeAll(async () => {
        const node = nodes[major] as string;
        captured = await runLogging(node, major, true);
        plain = await runLogging(node, major, false);
      }, 120_000);

      it("mails the failing invocation's lines as the runtime framed them, scrubbed, and none of the invocation before", () => {
        const { mails } = captured;

        expect(mails).toHaveLength(1);
        expect(mails[0]?.subject).toContain('/second');
        const lines = logSection(mails[0]).split('\n');
        expect(lines[0]).toBe('Log lines (this invocation):');
        expect(lines.slice(1).map((line) => line.replace(/^\s*\+[\d,]+ ms /, ''))).toEqual([
          'INFO  B log { order: 42 }',
          'ERROR B error password=********************',
          'INFO  {"level":"INFO","message":"B json","apiKey":"********************"}',
        ]);
        const htmlLogs = htmlLogSection(mails[0]);
        expect(htmlLogs.match(/data-log-level="(\w+)"/g)).toEqual([
          'data-log-level="INFO"',
          'data-log-level="ERROR"',
          'data-log-level="INFO"',
        ]);
        // (The mail's source excerpts show the fixture's code, these strings included.)
        expect(`${logSection(mails[0])}${htmlLogs}`).not.toMatch(/A log|A warn|hunter2|k-B/);
        // With capture off the same failure mails too, without the section.
        expect(plain.mails).toHaveLength(1);
        expect(text(plain.mails[0])).toContain('failed after logging B');
        expect(text(plain.mails[0])).not.toContain('Log lines');
      });

      it('leaves every frame the runtime writes to its telemetry descriptor as it is with capture off', () => {
        const [first, second] = captured.requestIds;

        const lines = captured.frames.map((frame) => frame.message.toString('utf8'));
        expect(captured.frames.map((frame) => frame.type)).toEqual([
          (TEXT_FRAME | LEVEL_MASK.INFO) >>> 0,
          (TEXT_FRAME | LEVEL_MASK.WARN) >>> 0,
          (TEXT_FRAME | LEVEL_MASK.INFO) >>> 0,
          (TEXT_FRAME | LEVEL_MASK.ERROR) >>> 0,
          (TEXT_FRAME | LEVEL_MASK.ERROR) >>> 0,
        ]);
        expect(lines.slice(0, 4).map((line) => line.replace(ISO_TIME, '<time>'))).toEqual([
          `<time>\t${first}\tINFO\tA log { order: 41 }\n`,
          `<time>\t${first}\tWARN\tA warn\n`,
          `<time>\t${second}\tINFO\tB log { order: 42 }\n`,
          `<time>\t${second}\tERROR\tB error password=hunter2-B\n`,
        ]);
        expect(lines[4]).toMatch(
          new RegExp(`^\\S+\\t${second}\\tERROR\\tInvoke Error \\t\\{"errorType":"Error"`),
        );
        // Each header's time is its line's time, in microseconds.
        for (const frame of captured.frames) {
          const at = ISO_TIME.exec(frame.message.toString('latin1'))?.[0] ?? '';
          expect(frame.micros).toBe(BigInt(Date.parse(at)) * 1000n);
        }
        expect(captured.frames.map((frame) => normalised(frame, captured.requestIds))).toEqual(
          plain.frames.map((frame) => normalised(frame, plain.requestIds)),
        );
        // What went to stdout is not framed, and is the same too.
        expect(captured.stdout).toBe('{"level":"INFO","message":"B json","apiKey":"k-B"}\n');
        expect(plain.stdout).toBe(captured.stdout);
        expect(captured.stderr).toBe(plain.stderr);
      });

      it("posts the first invocation's result and the second one's error to the Runtime API, as with capture off", () => {
        const [first, second] = captured.requestIds;

        expect(captured.posted.map(({ kind, requestId }) => ({ kind, requestId }))).toEqual([
          { kind: 'response', requestId: first },
          { kind: 'error', requestId: second },
        ]);
        expect(captured.posted[0]?.body).toBe('{"statusCode":200,"body":"ok A"}');
        const error = JSON.parse(captured.posted[1]?.body ?? '{}');
        expect(error).toMatchObject({ errorType: 'Error', errorMessage: 'failed after logging B' });
        expect(error.trace[0]).toBe('Error: failed after logging B');
        expect(captured.posted.map(({ kind, body }) => ({ kind, body }))).toEqual(
          plain.posted.map(({ kind, body }) => ({ kind, body })),
        );
        const { host: _host, ...errorHeaders } = captured.posted[1]?.headers ?? {};
        const { host: _plainHost, ...plainErrorHeaders } = plain.posted[1]?.headers ?? {};
        expect(errorHeaders).toEqual(plainErrorHeaders);
      });
    },
  );
}
