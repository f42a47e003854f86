import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built command, as `npx lambda-error-mail` runs it. */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  stdin?: string;
  timeoutMs?: number;
  cwd?: string;
}

/**
 * Runs `lambda-error-mail` in a child process with exactly `env` (plus PATH),
 * in `cwd` if given, feeding `stdin` if given; kills it after `timeoutMs`.
 * Nothing quiets the AWS SDK here: the command's own output is what a user sees.
 */
export function runCli(
  args: readonly string[],
  env: Record<string, string>,
  options: RunOptions = {},
): Promise<CliResult> {
  return runScript(CLI, args, { PATH: process.env.PATH ?? '', ...env }, options);
}

/**
 * Runs a Node.js script in a child process, as {@link runCli} runs the command, with the AWS
 * SDK's Node.js version warning turned off unless `env` sets it.
 */
export function runNode(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  options: RunOptions = {},
): Promise<CliResult> {
  return runScript(
    script,
    args,
    { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    options,
  );
}

function runScript(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  options: RunOptions,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** Where a bundled example throws `boom: …`, and the example's source it was built from. */
export interface BundledThrow {
  /** The bundle, as deployed. */
  readonly bundle: string;
  /** The example's handler source, which the bundle's source map names. */
  readonly source: string;
  /** The event the preview reports. */
  readonly event: string;
  /** The function's environment, from the example's template. */
  readonly env: Record<string, string>;
}

/**
 * Previews the failure thrown at the bundle's `boom: ${…}` line and returns the output with that
 * line's number in the source, so that a test can check the traceback names the source, not the bundle.
 * @example
 * const { result, sourceLine, sourceText } = await previewBundledThrow({ bundle, source, event, env });
 */
export async function previewBundledThrow(
  at: BundledThrow,
): Promise<{ result: CliResult; sourceLine: number; sourceText: string }> {
  const lines = readFileSync(at.bundle, 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes('boom: ${'));
  const column = (lines[index] ?? '').indexOf('throw') + 1;
  const source = readFileSync(at.source, 'utf8').split('\n');
  const sourceLine = source.findIndex((line) => line.includes('boom: ${')) + 1;
  const result = await runCli(
    [
      'preview',
      at.event,
      '--throw',
      'Error: boom: /boom',
      '--at',
      `${basename(at.bundle)}:${index + 1}:${column}`,
    ],
    at.env,
    { cwd: dirname(at.bundle) },
  );
  return { result, sourceLine, sourceText: source[sourceLine - 1]?.trim() ?? '' };
}
