import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findNode, missingPrerequisite } from '../../scripts/real-runtime.mjs';

// The real Lambda runtime client (aws-lambda-ric, built by scripts/real-runtime.mjs outside the
// repository) runs a handler of test/fixtures/ against a Runtime API served here, logging to a
// telemetry file descriptor as on Lambda.

/** The folder the runtime loads handlers from, as Lambda's /var/task. */
export const TASK_ROOT = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:shop-prod-api';
const RUN_TIMEOUT_MS = 30_000;

/** The Node.js versions Lambda runs, each with its binary here, or why its cases are skipped. */
export interface RuntimeTargets {
  /** Why the runtime client cannot be built here, when it cannot. */
  readonly cannotBuild: string | undefined;
  readonly nodes: { readonly 22: string | undefined; readonly 24: string | undefined };
  readonly skipReasons: { readonly 22: string | undefined; readonly 24: string | undefined };
}

/**
 * Finds Node.js 22 and 24 and whether the runtime client can be built; for the test files to decide,
 * while they are collected, which cases to skip (the build itself runs in their beforeAll).
 */
export async function runtimeTargets(): Promise<RuntimeTargets> {
  const cannotBuild = await missingPrerequisite();
  const nodes = { 22: await findNode(22), 24: await findNode(24) } as const;
  const reason = (major: 22 | 24) =>
    cannotBuild ??
    (nodes[major] === undefined ? `no Node.js ${major} (\`npx -y -p node@${major}\` gave none)` : undefined);
  return { cannotBuild, nodes, skipReasons: { 22: reason(22), 24: reason(24) } };
}

/** One invocation to hand out: its event, and how long until its deadline (30 s unless said). */
export interface Invocation {
  event: unknown;
  deadlineInMs?: number;
}

/** What the runtime posted to the Runtime API. */
export interface Posted {
  kind: 'response' | 'error' | 'init/error';
  requestId: string | undefined;
  headers: IncomingHttpHeaders;
  /** A streamed response's trailers (the error a stream ended with). */
  trailers: NodeJS.Dict<string>;
  body: string;
}

/** One line the runtime wrote to the telemetry descriptor: its 16-byte header's fields, and the line. */
export interface Frame {
  type: number;
  length: number;
  micros: bigint;
  message: Buffer;
}

/** What one process of the runtime did with its invocations. */
export interface RuntimeRun<Snapshot> {
  requestIds: readonly string[];
  posted: Posted[];
  frames: Frame[];
  /**
   * Taken after each invocation, while the runtime process was stopped (SIGSTOP) at its next
   * request for an event: what the invocation had done once the runtime had posted its outcome,
   * with nothing of it still able to run, as when Lambda freezes the environment.
   */
  snapshots: Snapshot[];
  stdout: string;
  stderr: string;
}

export interface RunOptions<Snapshot> {
  /** The Node.js binary and its major version (the runtime's AWS_EXECUTION_ENV). */
  node: string;
  major: number;
  /** The runtime client's entry (scripts/real-runtime.mjs builds it). */
  entry: string;
  /** `module.export` in TASK_ROOT, as Lambda's handler setting. */
  handler: string;
  invocations: readonly Invocation[];
  env: Record<string, string>;
  /** Called after each invocation with the process stopped. */
  snapshot: () => Promise<Snapshot>;
}

/**
 * Runs the runtime client on `node` for `invocations`, then stops it. Its telemetry descriptor
 * (fd 3) is a file read afterwards. Ends when the runtime asks for the event after the last one
 * (or posts an initialisation error, or exits).
 */
export async function runUnderRuntime<Snapshot>(
  options: RunOptions<Snapshot>,
): Promise<RuntimeRun<Snapshot>> {
  const requestIds = options.invocations.map(() => randomUUID());
  const queue = options.invocations.map((invocation, index) => ({
    ...invocation,
    requestId: requestIds[index] as string,
  }));
  const posted: Posted[] = [];
  const snapshots: Snapshot[] = [];
  const unexpected: string[] = [];
  let child: ChildProcess | undefined;
  let handedOut = 0;
  let finish = () => {};
  let fail = (_error: Error) => {};
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });

  // Stops the runtime where Lambda would freeze it, takes the snapshot, lets it go on.
  const afterInvocation = async () => {
    const running = child as ChildProcess;
    running.kill('SIGSTOP');
    try {
      snapshots.push(await options.snapshot());
    } finally {
      running.kill('SIGCONT');
    }
  };

  const server = createServer((request, response) => {
    const url = request.url ?? '';
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
        const next = queue.shift();
        const handOut = () => {
          // After the last invocation the request is held, as Lambda holds it until an event comes.
          if (next === undefined) return finish();
          handedOut += 1;
          response.writeHead(200, {
            'Content-Type': 'application/json',
            'Lambda-Runtime-Aws-Request-Id': next.requestId,
            'Lambda-Runtime-Deadline-Ms': String(Date.now() + (next.deadlineInMs ?? RUN_TIMEOUT_MS)),
            'Lambda-Runtime-Invoked-Function-Arn': FUNCTION_ARN,
            'Lambda-Runtime-Trace-Id':
              'Root=1-6746a6b2-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0',
          });
          response.end(JSON.stringify(next.event));
        };
        if (handedOut === 0) handOut();
        else afterInvocation().then(handOut, fail);
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
          trailers: request.trailers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"OK"}');
        if (match[2] === undefined) finish();
        return;
      }
      unexpected.push(`${request.method} ${url}`);
      response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  const folder = mkdtempSync(join(tmpdir(), 'lem-telemetry-'));
  const telemetryFile = join(folder, 'telemetry');
  const telemetry = openSync(telemetryFile, 'w');
  let stdout = '';
  let stderr = '';
  try {
    // aws-lambda-ric 4 reads the handler from _HANDLER only (its command line is not read).
    child = spawn(options.node, [options.entry], {
      cwd: TASK_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        TZ: ':UTC',
        LANG: 'en_US.UTF-8',
        AWS_LAMBDA_RUNTIME_API: address,
        _HANDLER: options.handler,
        LAMBDA_TASK_ROOT: TASK_ROOT,
        _LAMBDA_TELEMETRY_LOG_FD: '3',
        AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${options.major}.x`,
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
        ...options.env,
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
        reject(new Error(`the runtime exited (${signal ?? code}) before its invocations ended:\n${stderr}`)),
      ),
    );
    exited.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`the runtime had not ended its invocations in ${RUN_TIMEOUT_MS} ms:\n${stderr}`)),
        RUN_TIMEOUT_MS,
      );
    });
    await Promise.race([done, exited, late]).finally(() => clearTimeout(timer));
  } finally {
    closeSync(telemetry);
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const stopped = child;
      await new Promise((resolve) => {
        stopped.once('exit', resolve);
        stopped.kill('SIGCONT');
        stopped.kill('SIGTERM');
      });
    }
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  const frames = decodeFrames(readFileSync(telemetryFile));
  rmSync(folder, { recursive: true, force: true });
  if (unexpected.length > 0)
    throw new Error(`the runtime made unexpected requests: ${unexpected.join(', ')}`);
  return { requestIds, posted, frames, snapshots, stdout, stderr };
}

/** The frames of the runtime's telemetry format: type, length and time (big-endian), then the line. */
export function decodeFrames(bytes: Buffer): Frame[] {
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
