import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ensureRealRuntime,
  findNode,
  missingPrerequisite,
  RIC_VERSION,
} from '../../scripts/real-runtime.mjs';
import { httpApiEvent } from '../helpers/events.js';
import { mailsMarked, type StoredMail } from '../helpers/local-ses.js';

// The real Lambda runtime client (aws-lambda-ric, built by scripts/real-runtime.mjs outside the
// repository) runs test/fixtures/real-runtime-handler.mjs against a Runtime API served here, logging
// to a telemetry file descriptor as on Lambda; the mail goes to the test run's SES emulator.
const sesUrl = inject('sesUrl');
const TASK_ROOT = fileURLToPath(new URL('../fixtures/', import.meta.url));
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:shop-prod-api';
const RUN_TIMEOUT_MS = 30_000;

// Decided while the file is collected: the cases are skipped only when the runtime client cannot be
// built here (the build itself runs in beforeAll, and a failed build fails them).
const cannotBuild = await missingPrerequisite();
const nodes = { 22: await findNode(22), 24: await findNode(24) } as const;
const skipReasons = {
  22: cannotBuild ?? (nodes[22] === undefined ? 'no Node.js 22 (`npx -y -p node@22` gave none)' : undefined),
  24: cannotBuild ?? (nodes[24] === undefined ? 'no Node.js 24 (`npx -y -p node@24` gave none)' : undefined),
};
for (const [major, reason] of Object.entries(skipReasons)) {
  if (reason !== undefined) console.warn(`real runtime on Node.js ${major} skipped: ${reason}`);
}

let entry = '';
beforeAll(async () => {
  if (cannotBuild !== undefined) return;
  ({ entry } = await ensureRealRuntime());
}, 600_000);

/** What the runtime posted to the Runtime API. */
interface Posted {
  kind: 'response' | 'error' | 'init/error';
  requestId: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One line the runtime wrote to the telemetry descriptor: its 16-byte header's fields, and the line. */
interface Frame {
  type: number;
  length: number;
  micros: bigint;
  message: Buffer;
}

/** What one process of the runtime did with the two invocations. */
interface RuntimeRun {
  requestIds: readonly [string, string];
  posted: Posted[];
  frames: Frame[];
  stdout: string;
  stderr: string;
  mails: StoredMail[];
}

/**
 * A Runtime API on 127.0.0.1 handing out `invocations` in order; `done` resolves once each has its
 * response or error posted (or initialisation failed). A `next` after the last is held, as Lambda
 * holds it until an event comes.
 */
async function startRuntimeApi(invocations: readonly { requestId: string; event: unknown }[]) {
  const queue = [...invocations];
  const posted: Posted[] = [];
  const unexpected: string[] = [];
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const server = createServer((request, response) => {
    const url = request.url ?? '';
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
        const next = queue.shift();
        if (next === undefined) return;
        response.writeHead(200, {
          'Content-Type': 'application/json',
          'Lambda-Runtime-Aws-Request-Id': next.requestId,
          'Lambda-Runtime-Deadline-Ms': String(Date.now() + RUN_TIMEOUT_MS),
          'Lambda-Runtime-Invoked-Function-Arn': FUNCTION_ARN,
          'Lambda-Runtime-Trace-Id':
            'Root=1-6746a6b2-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0',
        });
        response.end(JSON.stringify(next.event));
        return;
      }
      const match = /^\/2018-06-01\/runtime\/(?:invocation\/([^/]+)\/(response|error)|init\/error)$/.exec(
        url,
      );
      if (request.method === 'POST' && match !== null) {
        posted.push({
          kind: (match[2] as 'response' | 'error' | undefined) ?? 'init/error',
          requestId: match[1] === undefined ? undefined : decodeURIComponent(match[1]),
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"OK"}');
        if (posted.length >= invocations.length || match[2] === undefined) finish();
        return;
      }
      unexpected.push(`${request.method} ${url}`);
      response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    posted,
    unexpected,
    done,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Runs the runtime client on `node` for two invocations: the first succeeds after logging A lines,
 * the second fails after logging B lines. Its telemetry descriptor (fd 3) is a file read afterwards.
 */
async function runUnderRuntime(node: string, major: number, captureLogs: boolean): Promise<RuntimeRun> {
  const marker = randomUUID();
  const requestIds = [randomUUID(), randomUUID()] as const;
  const api = await startRuntimeApi([
    { requestId: requestIds[0], event: httpApiEvent({ path: '/first', body: '{"fail":false}' }) },
    { requestId: requestIds[1], event: httpApiEvent({ path: '/second', body: '{"fail":true}' }) },
  ]);
  const folder = mkdtempSync(join(tmpdir(), 'lem-telemetry-'));
  const telemetryFile = join(folder, 'telemetry');
  const telemetry = openSync(telemetryFile, 'w');
  let child: ChildProcess | undefined;
  let stdout = '';
  let stderr = '';
  try {
    // aws-lambda-ric 4 reads the handler from _HANDLER only (its command line is not read).
    child = spawn(node, [entry], {
      cwd: TASK_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        TZ: ':UTC',
        LANG: 'en_US.UTF-8',
        AWS_LAMBDA_RUNTIME_API: api.address,
        _HANDLER: 'real-runtime-handler.handler',
        LAMBDA_TASK_ROOT: TASK_ROOT,
        _LAMBDA_TELEMETRY_LOG_FD: '3',
        AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${major}.x`,
        AWS_LAMBDA_FUNCTION_NAME: 'shop-prod-api',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/shop-prod-api',
        AWS_LAMBDA_LOG_STREAM_NAME: '2026/12/01/[$LATEST]0123456789abcdef0123456789abcdef',
        AWS_REGION: 'us-east-1',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local-test-key',
        AWS_SECRET_ACCESS_KEY: 'local-test-secret',
        AWS_SESSION_TOKEN: 'local-test-token',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_ENDPOINT_URL_SES: sesUrl,
        ADMINS: 'ops@example.com',
        SERVER_EMAIL: 'errors@example.com',
        EMAIL_SUBJECT_PREFIX: `[${marker}] `,
        ERROR_MAIL_CAPTURE_LOGS: String(captureLogs),
      },
      stdio: ['ignore', 'pipe', 'pipe', telemetry],
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const running = child;
    const exited = new Promise<never>((_, reject) =>
      running.once('exit', (code, signal) =>
        reject(new Error(`the runtime exited (${signal ?? code}) before both invocations ended:\n${stderr}`)),
      ),
    );
    exited.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`the runtime had not ended both invocations in ${RUN_TIMEOUT_MS} ms:\n${stderr}`)),
        RUN_TIMEOUT_MS,
      );
    });
    await Promise.race([api.done, exited, late]).finally(() => clearTimeout(timer));
  } finally {
    closeSync(telemetry);
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const stopped = child;
      await new Promise((resolve) => {
        stopped.once('exit', resolve);
        stopped.kill('SIGTERM');
      });
    }
    await api.stop();
  }
  const frames = decodeFrames(readFileSync(telemetryFile));
  rmSync(folder, { recursive: true, force: true });
  expect(api.unexpected).toEqual([]);
  return {
    requestIds,
    posted: api.posted,
    frames,
    stdout,
    stderr,
    mails: await mailsMarked(sesUrl, marker, 1),
  };
}

/** The frames of the runtime's telemetry format: type, length and time (big-endian), then the line. */
function decodeFrames(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < 16) throw new Error(`a cut frame header at byte ${offset}`);
    const length = bytes.readInt32BE(offset + 4);
    const message = bytes.subarray(offset + 16, offset + 16 + length);
    if (message.length !== length) throw new Error(`a frame of ${length} bytes cut at ${message.length}`);
    frames.push({
      type: bytes.readUInt32BE(offset),
      length,
      micros: bytes.readBigInt64BE(offset + 8),
      message,
    });
    offset += 16 + length;
  }
  return frames;
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
      let captured: RuntimeRun;
      let plain: RuntimeRun;
      beforeAll(async () => {
        const node = nodes[major] as string;
        captured = await runUnderRuntime(node, major, true);
        plain = await runUnderRuntime(node, major, false);
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
