import { randomUUID } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { sourcesFor, taskRootOf } from '../adapters/report-path.js';
import { systemClock, systemRandom, systemTimer } from '../adapters/system.js';
import { loadConfig } from '../config/load.js';
import { skipMessage } from '../core/decide/skip.js';
import type { Outcome } from '../core/input/outcome.js';
import type { LogRecord, SourcePosition } from '../core/ports.js';
import type { Mail } from '../core/render/mail.js';
import { formatCount } from '../core/text.js';
import { createReporter } from '../pipeline/reporter.js';
import { composeMime } from '../transports/compose.js';
import { FUNCTION_ENV_HELP, FUNCTION_ENV_OPTIONS, functionEnv } from './function-env.js';
import { type CliIo, EXIT, UsageError } from './io.js';
import { parse } from './parse.js';

export const PREVIEW_HELP = `Usage: lambda-error-mail preview <event.json> [[--throw "Type: message"] [--at FILE:LINE[:COLUMN]] | --status N] [--out FILE]
                                [--stage NAME | --env-file FILE]

Renders the mail that the current settings would send for that event (a file,
or - for standard input) without sending it. The handler is taken to throw
"Error: Test error from lambda-error-mail preview" unless told otherwise.

Options:
  --throw "TypeError: message"   the handler throws this error
  --at FILE:LINE[:COLUMN]        the error is thrown at this position of FILE (column 1 unless
                                 given), a bundle as deployed: its frame is mapped through the
                                 bundle's source map and shown with its source, as in a real
                                 mail. FILE must be under the task root (the working directory,
                                 or LAMBDA_TASK_ROOT when that is a folder)
  --status N                     the handler returns this HTTP status (404: broken-link mail)
  --out FILE                     write the mail to FILE: .eml for the whole MIME message,
                                 .html for the HTML part; without it, the headers and the
                                 text part are printed
${FUNCTION_ENV_HELP}
  -h, --help                     show this help

DEBUG is ignored, so that a stage with DEBUG=true can be previewed too.
Without --stage or --env-file, the mail's Settings section lists the shell's
variables (PATH, HOME...), and a line on standard error says so.

Exit codes: 0 a mail was rendered; 1 the settings would send no mail for this
event (the reason is printed); 2 bad usage, an unreadable event, a stage or
env file that cannot be read, or invalid settings.

Examples:
  ADMINS=ops@example.com npx lambda-error-mail preview events/http-api-500.json --out mail.html
  npx lambda-error-mail preview events/http-api-500.json --at .esbuild/.build/src/handler.js:120:11
  npx lambda-error-mail preview events/http-api-500.json --stage prod`;

const BUILT_IN_ERRORS: Readonly<Record<string, ErrorConstructor>> = {
  Error,
  TypeError,
  RangeError,
  ReferenceError,
  SyntaxError,
  EvalError,
  URIError,
};

/**
 * The error `--throw` describes: `TypeError: message`, a bare message, or a custom `NameError: message`;
 * thrown `at` a position of a file when given (`--at`).
 *
 * @example
 * previewError('TypeError: x', { file: '/app/dist/index.js', line: 9, column: 5 }).stack; // 'TypeError: x\n    at <preview> (/app/dist/index.js:9:5)'
 */
export function previewError(spec: string, at?: SourcePosition): Error {
  const match = /^([A-Za-z_$][\w$]*):\s?([\s\S]*)$/.exec(spec);
  const type = match?.[1] ?? 'Error';
  const message = match?.[2] ?? spec;
  const error = new (BUILT_IN_ERRORS[type] ?? Error)(message);
  if (error.name !== type) {
    Object.defineProperty(error, 'name', { value: type, writable: true, configurable: true });
  }
  // A stack of the command itself would only show its own frames: say where the error came from instead.
  const where =
    at === undefined ? 'thrown by lambda-error-mail preview' : `${at.file}:${at.line}:${at.column}`;
  error.stack = `${type}: ${message}\n    at <preview> (${where})`;
  return error;
}

/**
 * The position `--at FILE:LINE[:COLUMN]` names, FILE made absolute against the working directory.
 * Throws a {@link UsageError} when the position is not one, or FILE is not a file under the task root
 * (where no report reads a map).
 *
 * @example
 * await previewPosition('dist/index.js:120', undefined); // { file: '/app/dist/index.js', line: 120, column: 1 }
 */
async function previewPosition(spec: string, namedTaskRoot: string | undefined): Promise<SourcePosition> {
  const parts = spec.split(':');
  // FILE may hold a colon (C:\...): a position is the last one or two parts, all digits but the last.
  const withColumn = parts.length >= 3 && /^\d+$/.test(parts[parts.length - 2] ?? '');
  const file = parts.slice(0, parts.length - (withColumn ? 2 : 1)).join(':');
  if (parts.length < 2 || file === '') {
    throw new UsageError(`\`--at\` must be FILE:LINE or FILE:LINE:COLUMN; got ${JSON.stringify(spec)}`);
  }
  const line = positiveInteger('LINE', withColumn ? parts[parts.length - 2] : parts[parts.length - 1], spec);
  const column = withColumn ? positiveInteger('COLUMN', parts[parts.length - 1], spec) : 1;
  const absolute = resolve(file);
  let isFile: boolean;
  try {
    isFile = (await stat(absolute)).isFile();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `\`--at\` names ${file}, which does not exist (${absolute})`
        : `\`--at\` names ${file}, which cannot be read: ${(error as Error).message}`,
    );
  }
  if (!isFile) throw new UsageError(`\`--at\` names ${file}, which is not a file (${absolute})`);
  const root = await realpath(taskRootOf(namedTaskRoot));
  const rel = relative(root, await realpath(absolute));
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new UsageError(
      `\`--at\` names ${file}, outside the task root ${root}, where no report reads source maps; run the command in the project, or set LAMBDA_TASK_ROOT`,
    );
  }
  return { file: absolute, line, column };
}

/** `text` as a whole number from 1, else a {@link UsageError} quoting it and the `--at` it is in. */
function positiveInteger(what: string, text: string | undefined, spec: string): number {
  const value = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(
      `\`--at\` ${what} must be a positive integer; got ${JSON.stringify(text ?? '')} in ${JSON.stringify(spec)}`,
    );
  }
  return value;
}

/** `lambda-error-mail preview`: renders the mail for an event, sends nothing. */
export async function preview(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    throw: { type: 'string' },
    status: { type: 'string' },
    at: { type: 'string' },
    out: { type: 'string' },
    ...FUNCTION_ENV_OPTIONS,
  });
  if (values.help) {
    io.out(PREVIEW_HELP);
    return EXIT.ok;
  }
  const [file, ...extra] = positionals;
  if (file === undefined) throw new UsageError('name the event file to preview, or - for standard input');
  if (extra.length > 0) throw new UsageError(`one event file at a time; also got ${extra.join(' ')}`);
  if (values.throw !== undefined && values.status !== undefined) {
    throw new UsageError('`--throw` and `--status` describe two different outcomes; give one');
  }
  if (values.at !== undefined && values.status !== undefined) {
    throw new UsageError(
      '`--at` places a thrown error, and `--status` describes a returned result; give one',
    );
  }
  const out = values.out;
  if (out !== undefined && !/\.(eml|html?)$/i.test(out)) {
    throw new UsageError(`\`--out\` must name a .eml or .html file; got ${JSON.stringify(out)}`);
  }
  let status: number | undefined;
  if (values.status !== undefined) {
    status = Number(values.status);
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new UsageError(
        `\`--status\` must be an HTTP status from 100 to 599; got ${JSON.stringify(values.status)}`,
      );
    }
  }
  const event = await readEvent(file, io);
  const { env, shell } = await functionEnv(values, io);

  const config = loadConfig(env, { debug: false });
  const at = values.at === undefined ? undefined : await previewPosition(values.at, config.taskRoot);
  const outcome: Outcome =
    status === undefined
      ? {
          kind: 'threw',
          error: previewError(values.throw ?? 'Error: Test error from lambda-error-mail preview', at),
        }
      : { kind: 'returned', result: { statusCode: status, body: '' } };
  let captured: Mail | undefined;
  const logs: LogRecord[] = [];
  const reporter = createReporter({
    config,
    transport: {
      async send(mail) {
        captured = mail;
      },
    },
    log: (record) => logs.push(record),
    clock: systemClock,
    timer: systemTimer,
    random: systemRandom,
    nodeVersion: process.version,
    reportedInvocations: new WeakSet(),
    // The lookup a real report makes: an `--at` frame shows as a mail from the bundle would show it.
    sources: (time) => sourcesFor(config.taskRoot, time),
  });
  const startedAt = Date.now();
  const delivery = await reporter.report(outcome, {
    event,
    context: previewContext(config.functionName ?? 'my-function', config.region ?? 'us-east-1', startedAt),
    startedAt,
    coldStart: true,
  });
  for (const record of logs) io.err(JSON.stringify(record));
  if (delivery.status === 'skipped' || captured === undefined) {
    const reason =
      delivery.status === 'skipped'
        ? skipMessage(delivery.reason)
        : delivery.status === 'failed'
          ? delivery.reason
          : 'nothing reached the transport';
    io.err(`No mail: these settings send nothing for this event (${reason}).`);
    return EXIT.failed;
  }
  const mail = captured;
  if (out === undefined) {
    io.out(`From: ${mail.from}`);
    io.out(`To: ${mail.to.join(', ')}`);
    io.out(`Subject: ${mail.subject}`);
    io.out('');
    io.out(mail.text);
  } else if (/\.eml$/i.test(out)) {
    const raw = await composeMime(mail);
    await io.writeFile(out, raw);
    io.err(`Wrote ${out} (${formatCount(raw.length)} bytes, the whole MIME message).`);
  } else {
    if (mail.html === undefined) {
      throw new UsageError(
        'this mail has no HTML part (a broken-link mail is text only); use `--out FILE.eml`',
      );
    }
    await io.writeFile(out, mail.html);
    io.err(`Wrote ${out} (${formatCount(Buffer.byteLength(mail.html))} bytes, the HTML part).`);
  }
  // The mail's Settings section shows PATH, HOME and the rest: say how to see the function's own.
  if (shell) {
    io.err(
      "Settings lists this shell's variables; `--stage NAME` or `--env-file FILE` lists only the function's.",
    );
  }
  io.err(`Subject: ${mail.subject}`);
  io.err(`Would go to: ${mail.to.join(', ')}. Nothing was sent.`);
  return EXIT.ok;
}

async function readEvent(file: string, io: CliIo): Promise<unknown> {
  let text: string;
  try {
    text = await io.readText(file);
  } catch (error) {
    throw new UsageError(
      `cannot read ${file === '-' ? 'standard input' : file}: ${(error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${file === '-' ? 'standard input' : file} is not JSON: ${(error as Error).message}`,
    );
  }
}

/** A Lambda context as the runtime would hand it, for a function of that name, with 30 s left. */
function previewContext(functionName: string, region: string, startedAt: number): Record<string, unknown> {
  const day = new Date(startedAt).toISOString().slice(0, 10).replace(/-/g, '/');
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]preview`,
    getRemainingTimeInMillis: () => Math.max(0, 30_000 - (Date.now() - startedAt)),
  };
}
