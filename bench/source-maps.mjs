// `npm run bench:source-maps`: what mapping a bundled function's stack adds to its reports. A bundle of
// a small TypeScript project (nested modules, the error thrown three calls deep) with the AWS SDK's
// DynamoDB client, nodemailer, fast-check and mailparser in it (a 5 MB map, its sources in it), built
// twice: with an external map beside it and without one. Each fresh process requires a bundle as
// /var/task would hold it, and times two failing invocations from the call to the caller's error
// (the mail goes to an in-process transport: no network in the figure), then the heap after a full
// GC. The difference between the two builds is what mapping costs: the first report reads, walks
// and indexes the map; the second finds it in the container's cache. BENCH_SOURCE_MAP_RUNS (9) fresh
// processes per build and Node version, the builds interleaved; Node 22 and 24 too where
// BENCH_NODE_22 / BENCH_NODE_24 (or the npx cache) has them. BENCH_DIST names another build of the
// library (its dist folder) to compare with.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuLimitUnavailable, createCpuLimit, jsonLines, runNode } from './cpu-limit.mjs';
import { median } from './median.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const require = createRequire(join(root, 'package.json'));
const esbuild = require('esbuild');
const RUNS = Number(process.env.BENCH_SOURCE_MAP_RUNS ?? 9);
const dist = process.env.BENCH_DIST ?? join(root, 'dist');
const child = join(here, 'source-maps-child.mjs');

const PROJECT = {
  'src/orders/price.ts': `export interface Line { readonly sku: string; readonly cents: number; readonly quantity: number }

export function lineTotal(line: Line): number {
  if (!Number.isInteger(line.quantity)) {
    throw new RangeError(\`quantity of \${line.sku} is not a whole number: \${line.quantity}\`);
  }
  return line.cents * line.quantity;
}
`,
  'src/orders/total.ts': `import { type Line, lineTotal } from './price';

export function orderTotal(lines: readonly Line[]): number {
  return lines.reduce((sum, line) => sum + lineTotal(line), 0);
}
`,
  'src/handler.ts': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { withErrorMail } from 'lambda-error-mail';
import { orderTotal } from './orders/total';

// What a real function bundles besides its own code.
export const libraries = [DynamoDBClient, fc, simpleParser, nodemailer];

export function makeHandler(send: (mail: { text: string }) => Promise<void>) {
  return withErrorMail(
    async (event: { rawPath: string; body: string }) => ({ statusCode: 200, body: String(orderTotal(JSON.parse(event.body))) }),
    { transport: { send }, throttleSeconds: 0, maxPerMinute: 0 },
  );
}
`,
};

/** Node binaries to measure with: this one, and 22 and 24 where they are found. */
function nodes() {
  const found = [{ name: process.version, path: process.execPath }];
  const npx = join(process.env.HOME ?? '/root', '.npm', '_npx');
  const candidates = (major) => {
    const named = process.env[`BENCH_NODE_${major}`];
    if (named) return [named];
    if (!existsSync(npx)) return [];
    return execFileSync('find', [npx, '-path', '*/node_modules/node/bin/node'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  };
  for (const major of [22, 24]) {
    for (const path of candidates(major)) {
      const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
      if (version.startsWith(`v${major}.`) && !found.some((node) => node.name === version)) {
        found.push({ name: version, path });
        break;
      }
    }
  }
  return found;
}

function build(dir, sourcemap) {
  const out = join(dir, sourcemap ? 'mapped' : 'plain', 'index.js');
  esbuild.buildSync({
    entryPoints: [join(dir, 'src/handler.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: out,
    sourcemap: sourcemap ? 'linked' : false,
    sourcesContent: true,
    // The SDK's SES client is in the Lambda runtime; the rest is the function's own.
    external: ['@aws-sdk/client-ses'],
    alias: { 'lambda-error-mail': join(dist, 'index.js') },
    nodePaths: [join(root, 'node_modules')],
    mainFields: ['module', 'main'],
    logLevel: 'error',
  });
  return out;
}

function runChild(node, bundle) {
  const stdout = execFileSync(node.path, ['--expose-gc', child, bundle], {
    encoding: 'utf8',
    cwd: dirname(dirname(bundle)),
    env: {
      PATH: process.env.PATH,
      // The project: its sources are inside the task root, as a deployed function's map names them.
      LAMBDA_TASK_ROOT: dirname(dirname(bundle)),
      ADMINS: 'ops@example.com',
      SERVER_EMAIL: 'errors@example.com',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

/**
 * At 128 MB (7.2% of a vCPU, a cgroup CPU quota; root only) with a 3 s timeout: the map's estimated
 * read time does not fit a quarter of the send budget there, so the first report goes out with the
 * bundle positions and a note, in about the time of a bundle without a map.
 */
async function smallestFunction(bundles) {
  const unavailable = cpuLimitUnavailable();
  if (unavailable !== undefined) {
    console.log(`\n128 MB: not measured (${unavailable}).`);
    return;
  }
  const limit = createCpuLimit('lem-bench-maps', 128);
  try {
    const results = { plain: [], mapped: [] };
    for (let run = 0; run < Math.min(RUNS, 5); run += 1) {
      for (const kind of ['plain', 'mapped']) {
        const env = {
          PATH: process.env.PATH,
          LAMBDA_TASK_ROOT: dirname(dirname(bundles[kind])),
          ADMINS: 'ops@example.com',
          SERVER_EMAIL: 'errors@example.com',
          AWS_REGION: 'us-east-1',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          BENCH_BUNDLE: bundles[kind],
          BENCH_MEMORY_MB: '128',
          BENCH_TIMEOUT_MS: '3000',
        };
        results[kind].push(jsonLines((await runNode(child, env, limit.path, 120_000)).stdout));
      }
    }
    const of = (kind) => median(results[kind].map((result) => result.first));
    const mapped = results.mapped.filter((result) => result.mapped).length;
    console.log(
      `\n128 MB, ${process.version}, ${results.plain.length} fresh processes each: first report ${of('plain').toFixed(0)} ms without a map, ${of('mapped').toFixed(0)} ms with it; mapped ${mapped} of ${results.mapped.length}; the mail's note: ${results.mapped[0]?.note ?? '(none)'}`,
    );
  } finally {
    limit.dispose();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'lem-bench-maps-'));
try {
  for (const [file, text] of Object.entries(PROJECT)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  const bundles = { plain: build(dir, false), mapped: build(dir, true) };
  const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);
  const mapBytes = statSync(`${bundles.mapped}.map`).size;
  console.log(
    `Bundle ${mib(statSync(bundles.mapped).size)} MiB, its map ${mib(mapBytes)} MiB; ${RUNS} fresh processes per build; library from ${dist}\n`,
  );
  console.log(
    '| Node | first report, no map | first report, mapped | added | second report, no map | second, mapped | added | heap held by mapping |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const node of nodes()) {
    const results = { plain: [], mapped: [] };
    for (let run = 0; run < RUNS; run += 1) {
      for (const kind of run % 2 === 0 ? ['plain', 'mapped'] : ['mapped', 'plain']) {
        const result = runChild(node, bundles[kind]);
        if (result.mapped !== (kind === 'mapped')) {
          throw new Error(
            `the ${kind} build's mail ${result.mapped ? 'was' : 'was not'} mapped: ${result.frame}`,
          );
        }
        results[kind].push(result);
      }
    }
    const of = (kind, key) => median(results[kind].map((result) => result[key]));
    const range = (kind, key) => {
      const values = results[kind].map((result) => result[key]).sort((a, b) => a - b);
      return `${values[0].toFixed(1)} to ${values.at(-1).toFixed(1)}`;
    };
    const cell = (kind, key) => `${of(kind, key).toFixed(1)} ms (${range(kind, key)})`;
    const added = (key) => `${(of('mapped', key) - of('plain', key)).toFixed(1)} ms`;
    const heldMb = (of('mapped', 'heapBytes') - of('plain', 'heapBytes')) / 1024 / 1024;
    console.log(
      `| ${node.name} | ${cell('plain', 'first')} | ${cell('mapped', 'first')} | ${added('first')} | ${cell('plain', 'second')} | ${cell('mapped', 'second')} | ${added('second')} | ${heldMb.toFixed(1)} MiB (${(heldMb / (mapBytes / 1024 / 1024)).toFixed(2)}x the map) |`,
    );
  }
  console.log(`\nThe mapped build's mail shows: ${runChild(nodes()[0], bundles.mapped).frame}`);
  await smallestFunction(bundles);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
