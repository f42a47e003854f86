import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSourceMaps,
  MAP_PARSE_COST,
  MAPPINGS_COST,
  type ReadCost,
} from '../../../src/adapters/source-maps.js';

// A small TypeScript project with nested modules, bundled by esbuild in each form a Lambda bundle
// takes, and run in a plain Node.js process (no --enable-source-maps) for real stack positions.

const CHECK_TS = [
  'export function check(line: { readonly qty: number }): void {',
  '  if (line.qty > 1) {',
  "    throw new Error('a quantity over one');",
  '  }',
  '}',
  '',
].join('\r\n');

const TAX_TS = `import { rateOf } from './rates.js';

function check(total: number): number {
  if (total < 0) throw new RangeError('a negative total');
  return rateOf('standard');
}

export function taxOf(total: number): number {
  return total * check(total);
}
`;

const PRICE_TS = `import { check } from '../lib/check.js';
import { taxOf } from './tax.js';

interface Line {
  readonly qty: number;
  readonly unit: number;
}

export function priceOrder(lines: readonly Line[]): number {
  let total = 0;
  for (const line of lines) {
    check(line);
    total += line.qty * line.unit;
  }
  return total + taxOf(total);
}
`;

// Large enough that an inline map does not fit in the end of the bundle read to find its comment.
const RATES_TS = `const RATES: Readonly<Record<string, number>> = {
${Array.from({ length: 3000 }, (_, index) => `  rate${index}: ${index / 1000},`).join('\n')}
  standard: 0.2,
};

export function rateOf(name: string): number {
  return RATES[name] ?? 0;
}
`;

const SHARED_TS = `export function withinShared<T>(work: () => T): T {
  return work();
}
`;

const handlerTs = (sharedImport: string) => `import { priceOrder } from './orders/price.js';
import { taxOf } from './orders/tax.js';
import { withinShared } from '${sharedImport}';

export function run(): number {
  return priceOrder([{ qty: 2, unit: 3 }]);
}

export function runTax(): number {
  return taxOf(-1);
}

export function runShared(): number {
  return withinShared(() => taxOf(-1));
}
`;

const RUN_BUNDLES = `import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const require = createRequire(import.meta.url);
const stacks = {};
for (const [name, path] of JSON.parse(process.argv[2])) {
  const bundle = path.endsWith('.mjs') ? await import(pathToFileURL(path).href) : require(path);
  stacks[name] = {};
  for (const entry of ['run', 'runTax', 'runShared']) {
    try {
      bundle[entry]();
    } catch (error) {
      stacks[name][entry] = error.stack;
    }
  }
}
process.stdout.write(JSON.stringify(stacks));
`;

/** The bundles built, by name: each file's path under the task root. */
const BUNDLES = {
  cjs: 'dist/cjs/app.js',
  esm: 'dist/esm/app.mjs',
  inline: 'dist/inline/app.js',
  charset: 'dist/charset/app.js',
  plain: 'dist/plain/app.js',
  noContent: 'dist/no-content/app.js',
  broken: 'dist/broken/app.js',
  notAMap: 'dist/not-a-map/app.js',
  gone: 'dist/gone/app.js',
  unkept: 'dist/unkept/app.js',
  evictA: 'dist/evict-a/app.js',
  evictB: 'dist/evict-b/app.js',
  // Another deployment of the same project whose src/lib/check.ts is another version.
  twin: 'dist/twin/app.js',
} as const;
type Bundle = keyof typeof BUNDLES;
type Entry = 'run' | 'runTax' | 'runShared';

interface Frame {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

let root: string;
let outside: string;
let stacks: Record<Bundle, Record<Entry, string>>;

/** The frames of a stack V8 printed, as `file:line:column`. */
function framesOf(stack: string): Frame[] {
  return [...stack.matchAll(/^\s+at (?:.* \()?(.+?):(\d+):(\d+)\)?$/gm)].map(([, file, line, column]) => ({
    file: file ?? '',
    line: Number(line),
    column: Number(column),
  }));
}

/** The frames of one bundle's entry that are in the bundle itself. */
function bundleFrames(bundle: Bundle, entry: Entry): Frame[] {
  return framesOf(stacks[bundle][entry]).filter((frame) => frame.file.includes(BUNDLES[bundle]));
}

/** Where `snippet` starts in `source`: 1-based line and column. */
function at(source: string, snippet: string): { line: number; column: number } {
  const lines = source.split(/\r?\n/);
  const index = lines.findIndex((text) => text.includes(snippet));
  if (index === -1) throw new Error(`${snippet} is not in the source`);
  return { line: index + 1, column: (lines[index] ?? '').indexOf(snippet) + 1 };
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

async function bundle(outfile: string, options: BuildOptions): Promise<void> {
  await build({
    entryPoints: [join(root, 'src/handler.ts')],
    outfile: join(root, outfile),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    sourcemap: true,
    logLevel: 'error',
    ...options,
  });
}

/**
 * Generated files written by hand, for what a real bundle does not show. `hand`: two segments of one
 * generated line, a column apart, and a later text that names a map but is not a comment.
 */
function writeHandMadeBundles(): void {
  write(
    join(root, 'dist/hand/app.js'),
    "ab;\n//# sourceMappingURL=app.js.map\nconst text = 'sourceMappingURL=elsewhere.map';\n",
  );
  write(
    join(root, 'dist/hand/app.js.map'),
    JSON.stringify({
      version: 3,
      sources: ['../../src/hand.ts'],
      sourcesContent: ['first\n    second\n'],
      names: [],
      // Generated column 0 from line 1 column 0; generated column 1 from line 2 column 4 (0-based).
      mappings: 'AAAA,CACI',
    }),
  );
  write(join(root, 'dist/remote/app.js'), 'x;\n//# sourceMappingURL=https://example.com/app.js.map\n');
  write(join(root, 'dist/text-url/app.js'), 'x;\n//# sourceMappingURL=data:text/plain,abc\n');
  write(
    join(root, 'dist/escaping/app.js'),
    `x;\n//# sourceMappingURL=${pathToFileURL(join(outside, 'app.js.map')).href}\n`,
  );
  write(join(outside, 'app.js.map'), readFileSync(join(root, 'dist/hand/app.js.map'), 'utf8'));
  write(join(root, 'dist/folder/app.js'), 'x;\n//# sourceMappingURL=.\n');
}

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'lem-maps-root-')));
  outside = realpathSync(mkdtempSync(join(tmpdir(), 'lem-maps-outside-')));
  write(join(outside, 'shared.ts'), SHARED_TS);
  write(join(outside, 'secret.ts'), 'export const secret = "not for mail";\n');
  write(join(root, 'src/handler.ts'), handlerTs(relative(join(root, 'src'), join(outside, 'shared.js'))));
  write(join(root, 'src/orders/price.ts'), PRICE_TS);
  write(join(root, 'src/orders/tax.ts'), TAX_TS);
  write(join(root, 'src/orders/rates.ts'), RATES_TS);
  write(join(root, 'src/lib/check.ts'), CHECK_TS);
  symlinkSync(join(outside, 'secret.ts'), join(root, 'src/linked.ts'));

  await Promise.all([
    ...(['cjs', 'broken', 'notAMap', 'gone', 'unkept', 'evictA', 'evictB', 'twin'] as const).map((name) =>
      bundle(BUNDLES[name], {}),
    ),
    bundle(BUNDLES.esm, { format: 'esm' }),
    bundle(BUNDLES.inline, { sourcemap: 'inline' }),
    bundle(BUNDLES.plain, { sourcemap: false }),
    bundle(BUNDLES.noContent, { sourcesContent: false }),
  ]);
  const inline = readFileSync(join(root, BUNDLES.inline), 'utf8');
  write(
    join(root, BUNDLES.charset),
    inline.replace('data:application/json;base64,', 'data:application/json;charset=utf-8;base64,'),
  );
  const brokenMap = join(root, `${BUNDLES.broken}.map`);
  writeFileSync(brokenMap, readFileSync(brokenMap, 'utf8').slice(0, 200));
  writeFileSync(join(root, `${BUNDLES.notAMap}.map`), '{"version":3,"file":"app.js"}');
  const twinMap = join(root, `${BUNDLES.twin}.map`);
  const twin = JSON.parse(readFileSync(twinMap, 'utf8')) as { sources: string[]; sourcesContent: string[] };
  const checkIndex = twin.sources.findIndex((source) => source.endsWith('lib/check.ts'));
  twin.sourcesContent[checkIndex] = CHECK_TS.replace('a quantity over one', 'the twin version');
  writeFileSync(twinMap, JSON.stringify(twin));

  writeHandMadeBundles();

  const runner = join(root, 'run-bundles.mjs');
  write(runner, RUN_BUNDLES);
  const paths = Object.entries(BUNDLES).map(([name, path]) => [name, join(root, path)]);
  // A bare environment: no NODE_OPTIONS that would have Node.js map the stacks itself.
  stacks = JSON.parse(
    execFileSync(process.execPath, [runner, JSON.stringify(paths)], { env: {} }).toString(),
  );
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('source map lookups', () => {
  it('maps each frame of a CommonJS bundle to its TypeScript file, line and column', async () => {
    const lookup = createSourceMaps({ taskRoot: root }).lookupFor(undefined);
    const [thrown, caller, entry] = bundleFrames('cjs', 'run');

    const positions = [thrown, caller, entry].map(
      (frame) => frame && lookup.position(frame.file, frame.line, frame.column),
    );

    expect(positions).toEqual([
      { file: 'src/lib/check.ts', ...at(CHECK_TS, 'new Error') },
      { file: 'src/orders/price.ts', ...at(PRICE_TS, 'check(line)') },
      { file: 'src/handler.ts', ...at(handlerTs(''), 'priceOrder([') },
    ]);
    expect(lookup.notes()).toEqual([]);
  });

  it('maps the frames of an ES module bundle, which V8 prints as file URLs', async () => {
    const lookup = createSourceMaps({ taskRoot: root }).lookupFor(undefined);
    const [thrown] = bundleFrames('esm', 'run');

    expect(thrown?.file.startsWith('file://')).toBe(true);
    expect(thrown && lookup.position(thrown.file, thrown.line, thrown.column)).toEqual({
      file: 'src/lib/check.ts',
      ...at(CHECK_TS, 'new Error'),
    });
  });

  it('gives the original name of a function the bundle renamed, and no name where the map has none', async () => {
    const lookup = createSourceMaps({ taskRoot: root }).lookupFor(undefined);
    const [thrown, caller] = bundleFrames('cjs', 'runTax');

    const position = caller && lookup.position(caller.file, caller.line, caller.column);

    expect(readFileSync(join(root, BUNDLES.cjs), 'utf8')).toContain('function check2(');
    expect(position).toEqual({ file: 'src/orders/tax.ts', ...at(TAX_TS, 'check(total);'), name: 'check' });
    expect(thrown && lookup.position(thrown.file, thrown.line, thrown.column)).not.toHaveProperty('name');
  });

  it('reads an inline map, with or without a charset, from a bundle whose end is all map', async () => {
    const lookup = createSourceMaps({ taskRoot: root }).lookupFor(undefined);
    const expected = { file: 'src/lib/check.ts', ...at(CHECK_TS, 'new Error') };

    const positions = (['inline', 'charset'] as const).map((name) => {
      const [thrown] = bundleFrames(name, 'run');
      return thrown && lookup.position(thrown.file, thrown.line, thrown.column);
    });

    expect(statSync(join(root, BUNDLES.inline)).size).toBeGreaterThan(100_000);
    expect(positions).toEqual([expected, expected]);
    expect(lookup.excerpt('src/lib/check.ts', 3, 0)).toEqual({
      firstLine: 3,
      lines: ["    throw new Error('a quantity over one');"],
    });
  });

  it("takes V8's 1-based columns and answers 1-based ones, from the file's last map comment", async () => {
    const lookup = createSourceMaps({ taskRoot: root }).lookupFor(undefined);
    const file = join(root, 'dist/hand/app.js');

    expect(lookup.position(file, 1, 1)).toEqual({ file: 'src/hand.ts', line: 1, column: 1 });
    expect(lookup.position(file, 1, 2)).toEqual({ file: 'src/hand.ts', line: 2, column: 5 });
    expect(lookup.position(file, 1, 0)).toBeUndefined();
    expect(lookup.position(file, 2, 1)).toBeUndefined();
  });

  it('notes a map comment that names no map it may read: another scheme, a data URL of text, outside, a folder', async () => {
    const lookup = createSourceMaps({ taskRoot: root }).lookupFor(undefined);

    const positions = ['remote', 'text-url', 'escaping', 'folder'].map((name) =>
      lookup.position(join(root, `dist/${name}/app.js`), 1, 1),
    );

    expect(positions).toEqual([undefined, undefined, undefined, undefined]);
    expect(lookup.notes()).toEqual([
      'source map of dist/remote/app.js not read: its map is at https://example.com/app.js.map, not a file',
      'source map of dist/text-url/app.js not read: a data URL that is not base64 JSON',
      `source map of dist/escaping/app.js not read: ${join(outside, 'app.js.map')} is outside the task root`,
      'source map of dist/folder/app.js not read: dist/folder could not be read (not a file)',
    ]);
  });

  it('answers no position and makes no note for a bundle without a map comment', async () => {
    const lookup = createSourceMaps({ taskRoot: root }).lookupFor(undefined);
    const [thrown] = bundleFrames('plain', 'run');

    expect(thrown && lookup.position(thrown.file, thrown.line, thrown.column)).toBeUndefined();
    expect(lookup.notes()).toEqual([]);
  });

  it('answers no position for a file outside the task root, or one that is not a path', async () => {
    const [thrown] = bundleFrames('cjs', 'run');
    const lookup = createSourceMaps({ taskRoot: join(root, 'src') }).lookupFor(undefined);

    expect(thrown && lookup.position(thrown.file, thrown.line, thrown.column)).toBeUndefined();
    expect(lookup.position('node:internal/modules/cjs/loader', 1, 1)).toBeUndefined();
    expect(lookup.position('file://elsewhere/app.js', 1, 1)).toBeUndefined();
    expect(lookup.notes()).toEqual([]);
  });

  it("excerpts a mapped source from the map's sourcesContent, lines clipped to the file", async () => {
    const lookup = createSourceMaps({ taskRoot: root }).lookupFor(undefined);
    const [thrown] = bundleFrames('cjs', 'run');
    const position = thrown && lookup.position(thrown.file, thrown.line, thrown.column);

    const excerpt = position && lookup.excerpt(position.file, position.line, 2);

    expect(excerpt).toEqual({ firstLine: 1, lines: CHECK_TS.split('\r\n').slice(0, 5) });
    expect(lookup.excerpt('src/lib/check.ts', 5, 3)).toEqual({
      firstLine: 2,
      lines: CHECK_TS.split('\r\n').slice(1, 5),
    });
    expect(lookup.excerpt('src/lib/check.ts', 6, 1)).toBeUndefined();
  });

  it('excerpts from the TypeScript file on disk when the map has no sourcesContent, CRLF and all', async () => {
    const lookup = createSourceMaps({ taskRoot: root }).lookupFor(undefined);
    const [thrown] = bundleFrames('noContent', 'run');
    const position = thrown && lookup.position(thrown.file, thrown.line, thrown.column);

    const excerpt = position && lookup.excerpt(position.file, position.line, 1);

    expect(position).toEqual({ file: 'src/lib/check.ts', ...at(CHECK_TS, 'new Error') });
    expect(excerpt).toEqual({ firstLine: 2, lines: CHECK_TS.split('\r\n').slice(1, 4) });
  });

  it("keeps the map's name for a source outside the task root, and excerpts it only from the map", async () => {
    const sharedName = relative(join(root, 'dist/cjs'), join(outside, 'shared.ts')).split('\\').join('/');
    const sharedIn = async (name: Bundle) => {
      const lookup = createSourceMaps({ taskRoot: root }).lookupFor(undefined);
      const positions = bundleFrames(name, 'runShared').map((frame) =>
        lookup.position(frame.file, frame.line, frame.column),
      );
      const shared = positions.find((position) => position?.file.endsWith('/shared.ts'));
      return { shared, excerpt: shared && lookup.excerpt(shared.file, shared.line, 0) };
    };

    const withContent = await sharedIn('cjs');
    const withoutContent = await sharedIn('noContent');

    expect(withContent.shared).toEqual({ file: sharedName, ...at(SHARED_TS, 'work()') });
    expect(withContent.excerpt).toEqual({ firstLine: 2, lines: ['  return work();'] });
    expect(withoutContent.shared).toEqual(withContent.shared);
    expect(withoutContent.excerpt).toBeUndefined();
  });

  it('reads no file outside the task root, through a path, a file URL or a symlink inside it', async () => {
    const lookup = createSourceMaps({ taskRoot: root }).lookupFor(undefined);

    const inside = lookup.excerpt(join(root, 'src/orders/tax.ts'), 1, 0);

    expect(inside).toEqual({ firstLine: 1, lines: ["import { rateOf } from './rates.js';"] });
    expect(lookup.excerpt(pathToFileURL(join(root, 'src/orders/tax.ts')).href, 1, 0)).toEqual(inside);
    expect(lookup.excerpt(join(outside, 'secret.ts'), 1, 0)).toBeUndefined();
    expect(lookup.excerpt(join(root, 'src/linked.ts'), 1, 0)).toBeUndefined();
    expect(lookup.excerpt(pathToFileURL(join(root, 'src/linked.ts')).href, 1, 0)).toBeUndefined();
    expect(lookup.excerpt('src/linked.ts', 1, 0)).toBeUndefined();
    expect(lookup.excerpt('../secret.ts', 1, 0)).toBeUndefined();
  });

  it('keeps a source read from disk for the later reports of the container', async () => {
    const file = join(root, 'src/kept.ts');
    write(file, 'export const kept = 1;\n');
    const maps = createSourceMaps({ taskRoot: root });
    const first = maps.lookupFor(undefined).excerpt(file, 1, 0);

    unlinkSync(file);
    const later = maps.lookupFor(undefined).excerpt(file, 1, 0);

    expect(first).toEqual({ firstLine: 1, lines: ['export const kept = 1;'] });
    expect(later).toBeUndefined();
    expect(maps.heldBytes()).toBeGreaterThan(0);
  });

  it('takes a task root reached through a symlink, whose files stacks print by their real paths', async () => {
    const linkedRoot = join(outside, 'task-root');
    symlinkSync(root, linkedRoot);
    const lookup = createSourceMaps({ taskRoot: linkedRoot }).lookupFor(undefined);
    const [thrown] = bundleFrames('cjs', 'run');

    expect(thrown?.file.startsWith(root)).toBe(true);
    expect(thrown && lookup.position(thrown.file, thrown.line, thrown.column)?.file).toBe('src/lib/check.ts');
    expect(lookup.excerpt(join(linkedRoot, 'src/orders/tax.ts'), 1, 0)?.lines).toEqual([
      "import { rateOf } from './rates.js';",
    ]);
  });

  it('answers no position when the process maps stacks itself, and still excerpts', async () => {
    const lookup = createSourceMaps({ taskRoot: root, alreadyMapped: true }).lookupFor(undefined);
    const [thrown] = bundleFrames('cjs', 'run');

    expect(thrown && lookup.position(thrown.file, thrown.line, thrown.column)).toBeUndefined();
    expect(lookup.excerpt(join(root, 'src/lib/check.ts'), 3, 0)?.lines).toEqual([
      "    throw new Error('a quantity over one');",
    ]);
  });

  it('parses a map once per container: a later report still maps after the map file is gone', async () => {
    const maps = createSourceMaps({ taskRoot: root });
    const [thrown] = bundleFrames('gone', 'run');
    if (thrown === undefined) throw new Error('no frame');
    const first = maps.lookupFor(undefined).position(thrown.file, thrown.line, thrown.column);

    unlinkSync(join(root, `${BUNDLES.gone}.map`));
    const later = maps.lookupFor(undefined);
    const elsewhere = createSourceMaps({ taskRoot: root }).lookupFor(undefined);

    expect(first).toEqual({ file: 'src/lib/check.ts', ...at(CHECK_TS, 'new Error') });
    expect(later.position(thrown.file, thrown.line, thrown.column)).toEqual(first);
    expect(maps.heldBytes()).toBeGreaterThan(0);
    expect(elsewhere.position(thrown.file, thrown.line, thrown.column)).toBeUndefined();
    expect(elsewhere.notes()).toEqual([
      `source map of ${BUNDLES.gone} not read: ${BUNDLES.gone}.map not found`,
    ]);
  });

  it('notes a broken map once per report, and does not read it again in the container', async () => {
    const maps = createSourceMaps({ taskRoot: root });
    const frames = bundleFrames('broken', 'run');
    const first = maps.lookupFor(undefined);
    const note = `source map of ${BUNDLES.broken} not read: not valid JSON (at byte 200)`;

    const positions = frames.map((frame) => first.position(frame.file, frame.line, frame.column));
    copyFileSync(join(root, `${BUNDLES.cjs}.map`), join(root, `${BUNDLES.broken}.map`));
    const second = maps.lookupFor(undefined);
    const again = frames.map((frame) => second.position(frame.file, frame.line, frame.column));

    expect(frames.length).toBeGreaterThan(1);
    expect(positions.every((position) => position === undefined)).toBe(true);
    expect(first.notes()).toEqual([note]);
    expect(again.every((position) => position === undefined)).toBe(true);
    expect(second.notes()).toEqual([note]);
  });

  it('notes a map file that is JSON but not a source map', async () => {
    const lookup = createSourceMaps({ taskRoot: root }).lookupFor(undefined);
    const [thrown] = bundleFrames('notAMap', 'run');

    expect(thrown && lookup.position(thrown.file, thrown.line, thrown.column)).toBeUndefined();
    expect(lookup.notes()).toEqual([
      `source map of ${BUNDLES.notAMap} not read: not a source map (no \`version\` 3 with \`mappings\` or \`sections\`)`,
    ]);
  });

  it('reads no map over maxMapBytes, and says how large it is', async () => {
    const lookup = createSourceMaps({ taskRoot: root, maxMapBytes: 1000 }).lookupFor(undefined);
    const [thrown] = bundleFrames('cjs', 'run');
    const [inlineThrown] = bundleFrames('inline', 'run');
    const size = statSync(join(root, `${BUNDLES.cjs}.map`)).size;

    expect(thrown && lookup.position(thrown.file, thrown.line, thrown.column)).toBeUndefined();
    expect(
      inlineThrown && lookup.position(inlineThrown.file, inlineThrown.line, inlineThrown.column),
    ).toBeUndefined();
    expect(lookup.notes()).toEqual([
      `source map of ${BUNDLES.cjs} not read: ${(size / 1024).toFixed(1)} KiB, over the 1000 bytes bound`,
      `source map of ${BUNDLES.inline} not read: an inline map of more than 1000 bytes, over the bound`,
    ]);
  });

  it('checks the bound before the time: an inline map over it is noted with its size', async () => {
    const text = readFileSync(join(root, BUNDLES.inline), 'utf8');
    const base64 = text.slice(text.lastIndexOf('base64,') + 'base64,'.length).trim();
    const decoded = Buffer.from(base64, 'base64').length;
    const maxMapBytes = decoded - 4096;
    const lookup = createSourceMaps({ taskRoot: root, maxMapBytes }).lookupFor({
      leftMs: () => 0,
      cpuShare: 0.072,
    });
    const [thrown] = bundleFrames('inline', 'run');

    expect(thrown && lookup.position(thrown.file, thrown.line, thrown.column)).toBeUndefined();
    expect(lookup.notes()).toEqual([
      `source map of ${BUNDLES.inline} not read: ${(decoded / 1024).toFixed(1)} KiB, over the ${(maxMapBytes / 1024).toFixed(1)} KiB bound`,
    ]);
  });

  it('starts no map it has no time for, with one note, and reads it when there is time', async () => {
    const maps = createSourceMaps({ taskRoot: root });
    const frames = bundleFrames('cjs', 'run');
    const mapFile = join(root, `${BUNDLES.cjs}.map`);
    const size = statSync(mapFile).size;
    const mappings = (JSON.parse(readFileSync(mapFile, 'utf8')) as { mappings: string }).mappings.length;
    const atSmallest = (bytes: number, cost: ReadCost) =>
      Math.ceil((cost.fixedMs + (bytes / 1024 / 1024) * cost.msPerMib) / 0.072);
    const parseMs = atSmallest(size, MAP_PARSE_COST);
    const decodeMs = atSmallest(mappings, MAPPINGS_COST);
    // Less left at each frame: the map is weighed once per report.
    let leftMs = 2;
    const hurried = maps.lookupFor({ leftMs: () => leftMs--, cpuShare: 0.072 });
    // Time to read and parse it, not to decode its mappings.
    const parsedOnly = maps.lookupFor({ leftMs: () => Math.max(parseMs, decodeMs - 1), cpuShare: 0.072 });

    const refused = frames.map((frame) => hurried.position(frame.file, frame.line, frame.column));
    const [thrown] = frames;
    const notDecoded = thrown && parsedOnly.position(thrown.file, thrown.line, thrown.column);
    const unhurried = maps.lookupFor({ leftMs: () => Math.max(parseMs, decodeMs), cpuShare: 0.072 });

    expect(refused.every((position) => position === undefined)).toBe(true);
    expect(hurried.notes()).toEqual([
      `source map of ${BUNDLES.cjs} not read: about ${parseMs} ms to read at 7.2% of a vCPU, 2 ms were left`,
    ]);
    expect(notDecoded).toBeUndefined();
    expect(parsedOnly.notes()).toEqual([
      `source map of ${BUNDLES.cjs} not read: about ${decodeMs} ms to read at 7.2% of a vCPU, ${Math.max(parseMs, decodeMs - 1)} ms were left`,
    ]);
    expect(thrown && unhurried.position(thrown.file, thrown.line, thrown.column)?.file).toBe(
      'src/lib/check.ts',
    );
    expect(unhurried.notes()).toEqual([]);
    expect(
      maps.lookupFor({ leftMs: () => 0, cpuShare: 0.072 }).position(thrown?.file ?? '', 1, 1),
    ).toBeUndefined();
  });

  it('bounds what the cache holds, dropping the oldest map for a new one', async () => {
    const [a] = bundleFrames('evictA', 'run');
    const [b] = bundleFrames('evictB', 'run');
    if (a === undefined || b === undefined) throw new Error('no frame');
    const measured = createSourceMaps({ taskRoot: root });
    measured.lookupFor(undefined).position(a.file, a.line, a.column);
    const oneMap = measured.heldBytes();
    const maps = createSourceMaps({ taskRoot: root, maxCacheBytes: oneMap + 1000 });

    maps.lookupFor(undefined).position(a.file, a.line, a.column);
    maps.lookupFor(undefined).position(b.file, b.line, b.column);
    unlinkSync(join(root, `${BUNDLES.evictA}.map`));
    const later = maps.lookupFor(undefined);

    expect(maps.heldBytes()).toBeLessThanOrEqual(oneMap + 1000);
    expect(later.position(b.file, b.line, b.column)?.file).toBe('src/lib/check.ts');
    expect(later.position(a.file, a.line, a.column)).toBeUndefined();
    expect(later.notes()).toEqual([
      `source map of ${BUNDLES.evictA} not read: ${BUNDLES.evictA}.map not found`,
    ]);
  });

  it('reads a map once per report even when the cache keeps nothing', async () => {
    const maps = createSourceMaps({ taskRoot: root, maxCacheBytes: 0 });
    const [thrown, caller] = bundleFrames('unkept', 'run');
    if (thrown === undefined || caller === undefined) throw new Error('no frame');
    const lookup = maps.lookupFor(undefined);

    const first = lookup.position(thrown.file, thrown.line, thrown.column);
    unlinkSync(join(root, `${BUNDLES.unkept}.map`));
    const second = lookup.position(caller.file, caller.line, caller.column);

    expect(first?.file).toBe('src/lib/check.ts');
    expect(second?.file).toBe('src/orders/price.ts');
    expect(maps.heldBytes()).toBe(0);
    expect(maps.lookupFor(undefined).position(thrown.file, thrown.line, thrown.column)).toBeUndefined();
  });

  it('reads no source file over 2 MiB, and says so once', async () => {
    const big = join(root, 'dist/big.js');
    write(big, `${'// filler\n'.repeat(300_000)}`);
    const lookup = createSourceMaps({ taskRoot: root }).lookupFor(undefined);

    expect(lookup.excerpt(big, 1, 0)).toBeUndefined();
    expect(lookup.excerpt(big, 2, 0)).toBeUndefined();
    expect(lookup.notes()).toEqual(['source dist/big.js not read: 2.9 MiB, over the 2 MiB bound']);
  });

  it('never throws: a time that cannot be read, or positions that are not positions, answer undefined', async () => {
    const [thrown] = bundleFrames('cjs', 'run');
    if (thrown === undefined) throw new Error('no frame');
    const lookup = createSourceMaps({ taskRoot: root }).lookupFor({
      leftMs: () => {
        throw new Error('no clock');
      },
      cpuShare: 1,
    });

    expect(lookup.position(thrown.file, thrown.line, thrown.column)).toBeUndefined();
    expect(lookup.notes()).toEqual(['source lookup failed: no clock']);
    expect(lookup.position(thrown.file, Number.NaN, -1)).toBeUndefined();
    expect(lookup.excerpt(join(root, 'src/orders/tax.ts'), 0, 2)).toBeUndefined();
    expect(lookup.excerpt(join(root, 'src'), 1, 2)).toBeUndefined();
  });

  it('waits on no named pipe: a map or a source that is a FIFO is not opened for a writer', async () => {
    const pipe = join(root, 'dist/pipe.js.map');
    execFileSync('mkfifo', [pipe]);
    write(join(root, 'dist/piped.js'), 'throw new Error("x");\n//# sourceMappingURL=pipe.js.map\n');
    const lookup = createSourceMaps({ taskRoot: root }).lookupFor(undefined);

    // Each would block the process for good if the pipe were opened without O_NONBLOCK.
    expect(lookup.position(join(root, 'dist/piped.js'), 1, 1)).toBeUndefined();
    const codePipe = join(root, 'dist/fifo.js');
    execFileSync('mkfifo', [codePipe]);
    expect(lookup.excerpt(codePipe, 1, 0)).toBeUndefined();
    expect(lookup.notes().join('\n')).toContain('not a file');
    unlinkSync(pipe);
    unlinkSync(codePipe);
  });

  it("takes a frame's source from its own bundle's map when two maps hold a file of that name", () => {
    const lookup = createSourceMaps({ taskRoot: root }).lookupFor(undefined);
    const [own] = bundleFrames('cjs', 'run');
    const [twin] = bundleFrames('twin', 'run');
    if (own === undefined || twin === undefined) throw new Error('no frame');
    const ownAt = lookup.position(own.file, own.line, own.column);
    const twinAt = lookup.position(twin.file, twin.line, twin.column);

    expect(ownAt?.file).toBe('src/lib/check.ts');
    expect(twinAt?.file).toBe('src/lib/check.ts');
    expect(lookup.excerpt('src/lib/check.ts', 3, 0, twin.file)?.lines).toEqual([
      "    throw new Error('the twin version');",
    ]);
    expect(lookup.excerpt('src/lib/check.ts', 3, 0, own.file)?.lines).toEqual([
      "    throw new Error('a quantity over one');",
    ]);
  });

  it('refuses options it cannot use, naming each', () => {
    expect(() => createSourceMaps({ taskRoot: 'var/task', maxMapBytes: -1 })).toThrow(
      new TypeError(
        '`taskRoot` must be an absolute path; got "var/task"\n`maxMapBytes` must be a whole number of bytes; got -1',
      ),
    );
  });
});
