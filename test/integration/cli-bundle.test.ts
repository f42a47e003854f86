import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const EVENT = new URL('../../events/http-api-500.json', import.meta.url).pathname;
const ENV = { ADMINS: 'ops@example.com', SERVER_EMAIL: 'errors@example.com' };

// A small TypeScript service: `price.ts` line 6 is where the error happens.
const PROJECT: Record<string, string> = {
  'src/handler.ts': [
    "import { priceLine } from './orders/price';",
    '',
    'export const handler = async (event: { body: string }) => {',
    '  const lines: { sku: string; qty: number }[] = JSON.parse(event.body);',
    '  return { statusCode: 200, body: String(lines.map(priceLine)) };',
    '};',
  ].join('\n'),
  'src/orders/price.ts': [
    'const PRICES: Record<string, { amount: number }> = { tea: { amount: 4 } };',
    '',
    'export function priceLine(line: { sku: string; qty: number }): number {',
    '  const unit = PRICES[line.sku] as { amount: number };',
    '  // a cake has no price yet',
    '  return unit.amount * line.qty;',
    '}',
  ].join('\n'),
};
const FAILING_LINE = '  return unit.amount * line.qty;';
const FAILING_COLUMN = FAILING_LINE.indexOf('unit.amount') + 1;

// Each build as deployed: `lost` names a map that was not shipped.
const BUILDS: Record<string, BuildOptions> = {
  mapped: { sourcemap: true },
  'no-map': { sourcemap: false },
  lost: { sourcemap: true },
};

let root: string;

beforeAll(async () => {
  // Real: the command prints the bundle's path as the working directory resolves it.
  root = realpathSync(mkdtempSync(join(tmpdir(), 'lem-preview-bundle-')));
  for (const [file, text] of Object.entries(PROJECT)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), `${text}\n`);
  }
  for (const [name, options] of Object.entries(BUILDS)) {
    await build({
      entryPoints: [join(root, 'src', 'handler.ts')],
      outfile: join(root, 'dist', name, 'handler.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'error',
      ...options,
    });
  }
  rmSync(join(root, 'dist', 'lost', 'handler.js.map'));
}, 60_000);

afterAll(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

/** Where the failing code is in a build's bundle: `handler.js:LINE:COLUMN`, relative to the project. */
function bundlePosition(name: string): { at: string; line: string } {
  const lines = readFileSync(join(root, 'dist', name, 'handler.js'), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes('unit.amount'));
  const line = lines[index] ?? '';
  return { at: `dist/${name}/handler.js:${index + 1}:${line.indexOf('unit.amount') + 1}`, line };
}

/** The traceback of a printed text part: from its heading to the line before `Exception Type:`. */
function traceback(stdout: string): string {
  return /Traceback \(most recent call last\):\n([\s\S]*?)\nException Type:/.exec(stdout)?.[1] ?? '';
}

describe('lambda-error-mail preview --at', () => {
  it('shows the frame at the source file and line the bundle maps it to, with the source line under it', async () => {
    const { at } = bundlePosition('mapped');

    const result = await runCli(
      ['preview', EVENT, '--throw', 'TypeError: price is undefined', '--at', at],
      ENV,
      {
        cwd: root,
      },
    );

    expect(result.code).toBe(0);
    expect(traceback(result.stdout)).toBe(
      [
        'TypeError: price is undefined',
        `    at <preview> (src/orders/price.ts:6:${FAILING_COLUMN})`,
        `        ${FAILING_LINE.trim()}`,
        '',
      ].join('\n'),
    );
    expect(result.stdout).toContain('TypeError at /boom\nprice is undefined\n');
    expect(result.stderr).toContain('Nothing was sent.');
  });

  it('maps a position without a column from the start of its line', async () => {
    const { at } = bundlePosition('mapped');
    const line = at.replace(/:\d+$/, '');

    const result = await runCli(['preview', EVENT, '--at', line], ENV, { cwd: root });

    expect(result.code).toBe(0);
    expect(traceback(result.stdout)).toContain('    at <preview> (src/orders/price.ts:6:');
    expect(traceback(result.stdout)).toContain(`        ${FAILING_LINE.trim()}`);
  });

  it('reads the sources under LAMBDA_TASK_ROOT when it is a folder, and FILE against the working directory', async () => {
    const { at } = bundlePosition('mapped');

    const result = await runCli(
      ['preview', EVENT, '--at', at.replace(/^dist\/mapped\//, '')],
      { ...ENV, LAMBDA_TASK_ROOT: root },
      { cwd: join(root, 'dist', 'mapped') },
    );

    expect(result.code).toBe(0);
    expect(traceback(result.stdout)).toContain(`    at <preview> (src/orders/price.ts:6:${FAILING_COLUMN})`);
  });

  it('keeps the bundle position and shows the bundle line when the bundle has no source map', async () => {
    const { at, line } = bundlePosition('no-map');
    const [, lineNumber, column] = at.split(':');

    const result = await runCli(['preview', EVENT, '--at', at], ENV, { cwd: root });

    expect(result.code).toBe(0);
    expect(traceback(result.stdout)).toBe(
      [
        'Error: Test error from lambda-error-mail preview',
        `    at <preview> (${join(root, 'dist', 'no-map', 'handler.js')}:${lineNumber}:${column})`,
        `        ${line.trim()}`,
        '',
      ].join('\n'),
    );
  });

  it('keeps the bundle position and says why when the source map cannot be read', async () => {
    const { at } = bundlePosition('lost');

    const result = await runCli(['preview', EVENT, '--at', at], ENV, { cwd: root });

    expect(result.code).toBe(0);
    expect(traceback(result.stdout)).toContain(
      `    at <preview> (${join(root, 'dist', 'lost', 'handler.js')}:`,
    );
    expect(result.stdout).toContain(
      '(source map of dist/lost/handler.js not read: dist/lost/handler.js.map not found)',
    );
  });

  it.each([
    [
      ['--at', 'dist/mapped/handler.js'],
      '`--at` must be FILE:LINE or FILE:LINE:COLUMN; got "dist/mapped/handler.js"',
    ],
    [['--at', ':12'], '`--at` must be FILE:LINE or FILE:LINE:COLUMN; got ":12"'],
    [
      ['--at', 'dist/mapped/handler.js:0'],
      '`--at` LINE must be a positive integer; got "0" in "dist/mapped/handler.js:0"',
    ],
    [
      ['--at', 'dist/mapped/handler.js:twelve'],
      '`--at` LINE must be a positive integer; got "twelve" in "dist/mapped/handler.js:twelve"',
    ],
    [
      ['--at', 'dist/mapped/handler.js:12:-3'],
      '`--at` COLUMN must be a positive integer; got "-3" in "dist/mapped/handler.js:12:-3"',
    ],
    [['--at', 'dist/gone.js:12'], '`--at` names dist/gone.js, which does not exist'],
    [['--at', 'dist:12'], '`--at` names dist, which is not a file'],
    [
      ['--at', 'dist/mapped/handler.js:12', '--status', '500'],
      '`--at` places a thrown error, and `--status` describes a returned result; give one',
    ],
  ])('refuses %j with exit code 2 and says why', async (args, message) => {
    const result = await runCli(['preview', EVENT, ...args], ENV, { cwd: root });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`lambda-error-mail preview: ${message}`);
    expect(result.stdout).toBe('');
  });

  it('refuses a FILE outside the task root, where no report reads source maps', async () => {
    const result = await runCli(['preview', EVENT, '--at', '../../src/handler.ts:1'], ENV, {
      cwd: join(root, 'dist', 'mapped'),
    });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('`--at` names ../../src/handler.ts, outside the task root');
    expect(result.stdout).toBe('');
  });
});
