import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { ENTRY } from '../../scripts/build-options.mjs';
import { COLD_START } from '../../scripts/cold-start.mjs';

// A cold start is importing the package and wrapping a handler. V8's function log
// (--log-function-events) names every function compiled on its first call ("parse-function"):
// what the build has compiled with the module does not appear there.
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'lem-cold-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The top-level functions of `file` that a cold start compiled on their first call. */
async function compiledOnFirstCall(file: string): Promise<string[]> {
  const log = join(work, `${Math.random().toString(36).slice(2)}.log`);
  const coldStart = `
    const { withErrorMail, errorMail } = await import(${JSON.stringify(pathToFileURL(file).href)});
    const env = { ADMINS: 'ops@example.com', SERVER_EMAIL: 'errors@example.com', AWS_LAMBDA_FUNCTION_NAME: 'fn' };
    withErrorMail(async () => ({ statusCode: 200 }), { env });
    errorMail({ env });`;
  await run(
    process.execPath,
    [
      '--log-function-events',
      `--logfile=${log}`,
      '--no-logfile-per-isolate',
      '--input-type=module',
      '-e',
      coldStart,
    ],
    { timeout: 15_000 },
  );
  const events = readFileSync(log, 'utf8').split('\n');
  const href = pathToFileURL(file).href;
  const scripts = new Set(
    events
      .filter((line) => line.startsWith('script-details,') && line.includes(href))
      .map((line) => line.split(',')[1]),
  );
  const topLevel = new Set(
    [...readFileSync(file, 'utf8').matchAll(/^(?:async )?function (\w+)\(/gm)].map((match) => match[1]),
  );
  const names = events
    .map((line) => line.split(','))
    .filter(
      ([kind, event, script]) =>
        kind === 'function' && event === 'parse-function' && scripts.has(script ?? ''),
    )
    .map((fields) => fields[7] ?? '')
    .filter((name) => topLevel.has(name));
  return [...new Set(names)].sort();
}

describe('the cold start', () => {
  it('runs exactly the functions that the build compiles with the module', async () => {
    // The entry as esbuild writes it, before the build rewrites its cold path.
    const plain = join(work, 'index.mjs');
    await build({ ...ENTRY, outfile: plain, sourcemap: false, logLevel: 'silent' });

    expect(await compiledOnFirstCall(plain)).toEqual([...COLD_START].sort());
  });

  it('compiles none of the entry’s own functions on first call in the built package', async () => {
    expect(await compiledOnFirstCall(join(process.cwd(), 'dist/index.js'))).toEqual([]);
  });
});
