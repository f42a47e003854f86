// What Node's --enable-source-maps costs a bundled function, against leaving it off (lambda-error-mail
// then reads the map itself, on the error path only). Two bundles built here with esbuild as
// serverless-esbuild, CDK's NodejsFunction and SAM build them (a .map beside the bundle, sources
// inside it): a large one (the AWS SDK's SES and DynamoDB clients, nodemailer, fast-check and
// mailparser) and a one-file TypeScript handler. Each sample is a fresh process, with and without the
// flag interleaved, on each Node found: the one running this script and the paths in BENCH_NODES
// (split on ':'), by default the Node 22 and 24 that npx left on this machine.
//
//   node bench/enable-source-maps.mjs            BENCH_SOURCE_MAP_PROCESSES=9 (at least 7)
//
// Per process: the require of the bundle (wall and process CPU, and the RSS then), the first
// `new Error().stack` read from inside it, the mean of 1,000 further throws with a stack read, and RSS
// and heap (after a full GC) once the first stack was read.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const FLAG = '--enable-source-maps';
const THROWS = 1000;

if (process.argv[2] === '--child') {
  // One sample: argv is --child <bundle>; prints one JSON line.
  const require = createRequire(import.meta.url);
  const ms = (cpu) => (cpu.user + cpu.system) / 1000;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const handler = require(process.argv[3]);
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  const requiredRss = process.memoryUsage.rss();
  const t1b = performance.now();
  const c1b = process.cpuUsage();
  let firstStack = '';
  try {
    handler.boom();
  } catch (error) {
    firstStack = error.stack;
  }
  const t2 = performance.now();
  const c2 = process.cpuUsage();
  globalThis.gc();
  const memory = process.memoryUsage();
  let chars = 0;
  const t3 = performance.now();
  const c3 = process.cpuUsage();
  for (let i = 0; i < THROWS; i++) {
    try {
      handler.boom();
    } catch (error) {
      chars += error.stack.length;
    }
  }
  const t4 = performance.now();
  const c4 = process.cpuUsage();
  process.stdout.write(
    `${JSON.stringify({
      requireMs: t1 - t0,
      requireCpuMs: ms(c1) - ms(c0),
      readyMs: t1,
      requiredRssMiB: requiredRss / 2 ** 20,
      firstMs: t2 - t1b,
      firstCpuMs: ms(c2) - ms(c1b),
      eachUs: ((t4 - t3) * 1000) / THROWS,
      eachCpuUs: ((ms(c4) - ms(c3)) * 1000) / THROWS,
      rssMiB: memory.rss / 2 ** 20,
      heapMiB: memory.heapUsed / 2 ** 20,
      firstStack,
      chars,
    })}\n`,
  );
  process.exit(0);
}

const { median } = await import('./median.mjs');
const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const esbuild = createRequire(join(root, 'package.json'))('esbuild');
const PROCESSES = Math.max(7, Number(process.env.BENCH_SOURCE_MAP_PROCESSES ?? 9));
const fmt = (n, digits = 1) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const size = (bytes) => (bytes < 2 ** 20 ? `${fmt(bytes / 1024)} KiB` : `${fmt(bytes / 2 ** 20)} MiB`);

const candidates = [
  process.execPath,
  ...(process.env.BENCH_NODES?.split(':').filter(Boolean) ?? [
    '/root/.npm/_npx/52027bd8fc0022aa/node_modules/node/bin/node',
    '/root/.npm/_npx/387698761821791d/node_modules/node/bin/node',
  ]),
];
const nodes = [];
for (const bin of candidates) {
  if (!existsSync(bin)) continue;
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  if (!nodes.some((node) => node.version === version)) nodes.push({ bin, version });
}

const dir = mkdtempSync(join(tmpdir(), 'enable-source-maps-'));
try {
  writeFileSync(
    join(dir, 'large.mjs'),
    `import { SESClient } from '@aws-sdk/client-ses';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import nodemailer from 'nodemailer';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';

const parts = [SESClient, DynamoDBClient, nodemailer, fc, simpleParser];
function check(count) {
  throw new Error(\`boom after \${count} imports\`);
}
export function boom() {
  check(parts.length);
}
`,
  );
  writeFileSync(
    join(dir, 'small.ts'),
    `type Currency = 'EUR' | 'USD';

interface Line {
  sku: string;
  quantity: number;
  unitCents: number;
}

interface Order {
  id: string;
  currency: Currency;
  lines: Line[];
  coupon?: string;
}

class PricingError extends Error {
  constructor(
    message: string,
    readonly sku: string,
  ) {
    super(message);
    this.name = 'PricingError';
  }
}

const discounts: Record<string, number> = { SPRING: 10, VIP: 25 };

function priceLine(line: Line): number {
  if (line.unitCents <= 0) {
    throw new PricingError(\`no price for \${line.sku}\`, line.sku);
  }
  return line.quantity * line.unitCents;
}

function subtotal(order: Order): number {
  return order.lines.reduce((sum, line) => sum + priceLine(line), 0);
}

export function total(order: Order): number {
  const percent = order.coupon ? (discounts[order.coupon] ?? 0) : 0;
  return Math.round((subtotal(order) * (100 - percent)) / 100);
}

export function boom(): number {
  return total({
    id: 'o-1',
    currency: 'EUR',
    lines: [{ sku: 'A-1', quantity: 2, unitCents: 450 }, { sku: 'B-2', quantity: 1, unitCents: 0 }],
    coupon: 'SPRING',
  });
}
`,
  );
  const bundles = [
    { name: 'large', entry: 'large.mjs', source: 'large.mjs' },
    { name: 'small', entry: 'small.ts', source: 'small.ts' },
  ].map((bundle) => {
    const outfile = join(dir, `${bundle.name}.cjs`);
    // What the three tools run: esbuild --bundle --platform=node --sourcemap, sources in the map.
    esbuild.buildSync({
      entryPoints: [join(dir, bundle.entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      sourcemap: true,
      mainFields: ['module', 'main'],
      nodePaths: [join(root, 'node_modules')],
      logLevel: 'error',
    });
    return { ...bundle, outfile, bytes: statSync(outfile).size, mapBytes: statSync(`${outfile}.map`).size };
  });

  const sample = async (node, bundle, on) => {
    const args = [
      ...(on ? [FLAG] : []),
      '--expose-gc',
      fileURLToPath(import.meta.url),
      '--child',
      bundle.outfile,
    ];
    const { stdout } = await run(node.bin, args, {
      env: { PATH: process.env.PATH ?? '' },
      timeout: 300_000,
      maxBuffer: 16 * 2 ** 20,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1));
    result.mapped = result.firstStack.includes(bundle.source);
    return result;
  };

  // samples[node][bundle][on|off]: rounds interleave every cell, and alternate which of a pair runs first.
  const samples = new Map();
  const cell = (node, bundle, on) => {
    const key = `${node.version} ${bundle.name} ${on}`;
    if (!samples.has(key)) samples.set(key, []);
    return samples.get(key);
  };
  for (let round = 0; round < PROCESSES; round++) {
    for (const node of nodes) {
      for (const [index, bundle] of bundles.entries()) {
        const order = (round + index) % 2 === 0 ? [false, true] : [true, false];
        for (const on of order) cell(node, bundle, on).push(await sample(node, bundle, on));
      }
    }
    process.stderr.write(`round ${round + 1} of ${PROCESSES}\n`);
  }

  const stat = (values, digits) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `${fmt(median(values), digits)} (${fmt(sorted[0], digits)}–${fmt(sorted.at(-1), digits)})`;
  };
  const columns = [
    ['require, wall ms', 'requireMs', 1],
    ['require, CPU ms', 'requireCpuMs', 1],
    ['start to required, wall ms', 'readyMs', 1],
    ['RSS after require, MiB', 'requiredRssMiB', 1],
    ['first stack, wall ms', 'firstMs', 2],
    ['first stack, CPU ms', 'firstCpuMs', 1],
    [`each later throw + stack, wall µs (mean of ${fmt(THROWS, 0)})`, 'eachUs', 1],
    ['each later throw + stack, CPU µs', 'eachCpuUs', 1],
    ['RSS after first stack, MiB', 'rssMiB', 1],
    ['heap after first stack and a GC, MiB', 'heapMiB', 1],
  ];
  console.log(
    `\n## --enable-source-maps\n\nMedian (min–max) of ${PROCESSES} fresh processes per row, with and without the flag interleaved. Bundles (esbuild ${esbuild.version}, CommonJS, external map with sourcesContent):\n`,
  );
  for (const bundle of bundles) {
    console.log(`- ${bundle.name}: ${size(bundle.bytes)} bundle, ${size(bundle.mapBytes)} map`);
  }
  console.log(`\n| Node | bundle | flag | stack mapped | ${columns.map(([title]) => title).join(' | ')} |`);
  console.log(`| --- | --- | --- | --- | ${columns.map(() => '---:').join(' | ')} |`);
  for (const node of nodes) {
    for (const bundle of bundles) {
      for (const on of [false, true]) {
        const rows = cell(node, bundle, on);
        const mappedRuns = rows.filter((row) => row.mapped).length;
        const mapped =
          mappedRuns === rows.length ? 'yes' : mappedRuns === 0 ? 'no' : `${mappedRuns} of ${rows.length}`;
        const values = columns.map(([, key, digits]) =>
          stat(
            rows.map((row) => row[key]),
            digits,
          ),
        );
        console.log(
          `| ${node.version} | ${bundle.name} | ${on ? 'on' : 'off'} | ${mapped} | ${values.join(' | ')} |`,
        );
      }
    }
  }
  console.log('\nWhat the flag adds (median with it minus median without):\n');
  console.log(`| Node | bundle | ${columns.map(([title]) => title).join(' | ')} |`);
  console.log(`| --- | --- | ${columns.map(() => '---:').join(' | ')} |`);
  for (const node of nodes) {
    for (const bundle of bundles) {
      const delta = columns.map(([, key, digits]) => {
        const on = median(cell(node, bundle, true).map((row) => row[key]));
        const off = median(cell(node, bundle, false).map((row) => row[key]));
        const shown = fmt(Math.abs(on - off), digits);
        return Number(shown) === 0 ? shown : `${on > off ? '+' : '−'}${shown}`;
      });
      console.log(`| ${node.version} | ${bundle.name} | ${delta.join(' | ')} |`);
    }
  }
  const example = cell(nodes[0], bundles[1], true)[0].firstStack.split('\n').slice(0, 3).join('\n');
  console.log(
    `\nThe small bundle's first stack with the flag, on ${nodes[0].version}:\n\n\`\`\`\n${example}\n\`\`\``,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
