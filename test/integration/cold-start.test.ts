import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ENTRY } from '../../scripts/build-options.mjs';
import { COLD_START } from '../../scripts/cold-start.mjs';
import { mailsMarked, reportingEnv } from '../helpers/local-ses.js';

// A cold start is importing the package and wrapping a handler. V8's function log
// (--log-function-events) names every function compiled on its first call ("parse-function"):
// what the build has compiled with the module does not appear there.
const run = promisify(execFile);
const sesUrl = inject('sesUrl');
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

/** The top-level function names of a built file. */
function topLevelFunctions(file: string): Set<string> {
  return new Set(
    [...readFileSync(file, 'utf8').matchAll(/^(?:async )?function (\w+)\(/gm)].map((match) => match[1] ?? ''),
  );
}

describe('the cold start of a bundled handler', () => {
  it('parses none of the report path, whose first report still mails', async () => {
    // A function as deployed: the package bundled (CommonJS), nodemailer and the SDK in node_modules.
    const root = join(work, 'bundled');
    mkdirSync(join(root, 'node_modules', '@aws-sdk'), { recursive: true });
    symlinkSync(process.cwd(), join(root, 'node_modules', 'lambda-error-mail'));
    for (const pkg of ['nodemailer', '@aws-sdk/client-ses']) {
      symlinkSync(join(process.cwd(), 'node_modules', pkg), join(root, 'node_modules', pkg));
    }
    writeFileSync(
      join(root, 'handler.mjs'),
      "import { withErrorMail } from 'lambda-error-mail';\nexport const handler = withErrorMail(async () => { throw new Error('bundled'); });\n",
    );
    const bundle = join(root, 'handler.cjs');
    await build({
      entryPoints: [join(root, 'handler.mjs')],
      outfile: bundle,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      external: ['@aws-sdk/*', 'nodemailer', 'nodemailer/*'],
      logLevel: 'error',
    });
    const log = join(work, 'bundled.log');
    const marker = randomUUID();

    await run(
      process.execPath,
      [
        '--log-function-events',
        `--logfile=${log}`,
        '--no-logfile-per-isolate',
        '-e',
        `require(${JSON.stringify(bundle)}).handler({}, {}).then(() => process.exit(2), () => process.exit(0));`,
      ],
      { cwd: root, timeout: 30_000, env: { PATH: process.env.PATH, ...reportingEnv(sesUrl, marker) } },
    );

    // Every function V8 parsed or pre-parsed in the bundle's own script, from the require to the mail.
    const events = readFileSync(log, 'utf8').split('\n');
    const script = events
      .find((line) => line.startsWith('script-details,') && line.includes(bundle))
      ?.split(',')[1];
    const parsed = new Set(
      events
        .map((line) => line.split(','))
        .filter(([kind, , id]) => kind === 'function' && id === script)
        .map((fields) => fields[7] ?? ''),
    );
    // The report path's own functions: not the entry's, and not its exports, whose names the bundle's
    // getters of the module's exports take.
    const entry = topLevelFunctions('dist/index.js');
    const exported = /^export \{([^}]*)\};/m.exec(readFileSync('dist/report-path.js', 'utf8'))?.[1] ?? '';
    const reportPathOnly = [...topLevelFunctions('dist/report-path.js')].filter(
      (name) => !entry.has(name) && !new RegExp(`\\b${name}\\b`).test(exported),
    );
    expect(script).toBeDefined();
    // The log names the bundle's functions (esbuild may append a digit to a name).
    expect([...parsed].some((name) => name.startsWith('withErrorMail'))).toBe(true);
    expect(reportPathOnly).toContain('createReporter');
    expect(reportPathOnly.filter((name) => parsed.has(name))).toEqual([]);
    const mails = await mailsMarked(sesUrl, marker);
    expect(mails.map((mail) => mail.subject)).toEqual([
      `[${marker}] ERROR: Error in Lambda function (Direct invocation)`,
    ]);
  });
});
