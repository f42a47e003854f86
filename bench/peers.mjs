// `npm run bench`: lambda-error-mail against the peers a Lambda team would otherwise pick.
//   1. success path: ns added per successful invocation over a bare async handler, each contender in
//      fresh processes, bare and wrapped interleaved round by round;
//   2. cold start: import time, RSS and heap of each contender's handler module, unbundled and bundled
//      with esbuild (@aws-sdk/* external, as the Lambda runtime ships it), and the bundle's size.
// Then bench/errors.mjs: the error path and floods, through a local SES.
// Everything talks to 127.0.0.1 only. BENCH_PROCESSES and BENCH_ROUNDS trade time for steadiness.
// With BENCH_JSON set to a path, the figures are written there too, for bench/render.mjs.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { beforeContenders, CONTENDERS as CURRENT } from './contenders.mjs';
import { median } from './median.mjs';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const work = join(here, '.work');
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 5);
// BENCH_ONLY=success or BENCH_ONLY=cold runs one half.
const ONLY = process.env.BENCH_ONLY;
const IMPORT_PROCESSES = Number(process.env.BENCH_IMPORT_PROCESSES ?? 7);
const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

// A loopback sink for the peers' endpoints: 200 and an empty JSON object for anything.
let sinkRequests = 0;
const sink = createServer((request, response) => {
  sinkRequests += 1;
  request.resume();
  request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkUrl = `http://127.0.0.1:${sink.address().port}`;
const childEnv = {
  PATH: process.env.PATH ?? '',
  BENCH_SINK: sinkUrl,
  BENCH_SENTRY_DSN: `http://public@127.0.0.1:${sink.address().port}/1`,
  BENCH_ROUNDS: process.env.BENCH_ROUNDS ?? '9',
  ADMINS: 'ops@example.com',
  SERVER_EMAIL: 'errors@example.com',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_SES: sinkUrl,
  AWS_LAMBDA_FUNCTION_NAME: 'bench-fn',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  SENTRY_SUPPRESS_TRACING_WARNING: '1',
};

// bench/package.json links the library (file:..); replace the link with a copy of what `npm pack` ships, so
// that it is resolved and loaded as an installed package, like the peers.
const installed = join(here, 'node_modules', 'lambda-error-mail');
rmSync(installed, { recursive: true, force: true });
mkdirSync(installed);
cpSync(join(here, '..', 'package.json'), join(installed, 'package.json'));
cpSync(join(here, '..', 'dist'), join(installed, 'dist'), { recursive: true });

rmSync(work, { recursive: true, force: true });

// BENCH_BEFORE: a git revision of this repository, built with its own build script and installed beside
// the current build, so that its rows are measured in the same run.
const BEFORE = process.env.BENCH_BEFORE;
const CONTENDERS = BEFORE ? { ...CURRENT, ...beforeContenders(BEFORE) } : CURRENT;
if (BEFORE) {
  const source = join(work, 'before-source');
  mkdirSync(source, { recursive: true });
  const archive = join(work, 'before.tar');
  execFileSync('git', ['-C', join(here, '..'), 'archive', '--format=tar', '-o', archive, BEFORE]);
  execFileSync('tar', ['-xf', archive, '-C', source]);
  execFileSync(process.execPath, [join(source, 'scripts', 'build.mjs')], { cwd: source, stdio: 'ignore' });
  const before = join(work, 'node_modules', 'lambda-error-mail-before');
  mkdirSync(before, { recursive: true });
  cpSync(join(source, 'package.json'), join(before, 'package.json'));
  cpSync(join(source, 'dist'), join(before, 'dist'), { recursive: true });
}
mkdirSync(join(work, 'bundled'), { recursive: true });
// The warm-up module imports two packages through exports maps, as every contender but the bare handler
// imports one. Node's resolver checks each exports target with a regular expression of its own, and V8
// compiles it on the first use and again, to machine code, on the second: about 0.8 ms here, a cost of
// the loader that would otherwise fall on whichever contender's package comes first.
const warmUps = ['bench-warm-up-1', 'bench-warm-up-2'];
for (const name of warmUps) {
  const dir = join(work, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  const exports = { '.': { import: './index.mjs', require: './index.cjs' } };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, exports })}\n`);
  writeFileSync(join(dir, 'index.mjs'), 'export const warmUp = 1;\n');
  writeFileSync(join(dir, 'index.cjs'), 'exports.warmUp = 1;\n');
}
writeFileSync(
  join(work, 'warm.mjs'),
  `${warmUps.map((name) => `import '${name}';\n`).join('')}export const warm = 1;\n`,
);
writeFileSync(join(work, 'empty.mjs'), 'export const empty = 1;\n');
writeFileSync(
  join(work, 'warm.cjs'),
  `${warmUps.map((name) => `require('${name}');\n`).join('')}exports.warm = 1;\n`,
);
writeFileSync(join(work, 'empty.cjs'), 'exports.empty = 1;\n');
const files = {};
const bundles = {};
for (const [name, { source, external = [], successOnly = false }] of Object.entries(CONTENDERS)) {
  files[name] = join(work, `${name}.mjs`);
  writeFileSync(files[name], `${source}\n`);
  if (successOnly) continue;
  bundles[name] = join(work, 'bundled', `${name}.cjs`);
  await build({
    entryPoints: [files[name]],
    outfile: bundles[name],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['@aws-sdk/*', ...external],
    logLevel: 'error',
  });
}

async function child(args, node = []) {
  const { stdout } = await run(process.execPath, [...node, join(here, 'child.mjs'), ...args], {
    env: childEnv,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 600_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

// 1. Success path: every contender in PROCESSES fresh processes, contenders interleaved.
const summary = {};
if (ONLY !== 'cold') {
  const success = Object.fromEntries(
    Object.keys(CONTENDERS)
      .filter((n) => n !== 'bare' && !CONTENDERS[n].bundleOnly)
      .map((n) => [n, []]),
  );
  // A row built on middy is measured against that middy alone in the same process (its "over middy
  // alone"): middy's own cost is some microseconds and moves between processes by more than the tens
  // of nanoseconds a middleware adds, which a difference of two processes' medians would not show.
  const baselineOf = (name) => {
    const { middy } = CONTENDERS[name];
    return middy && name !== `middy${middy}` ? files[`middy${middy}`] : files.bare;
  };
  for (let p = 0; p < PROCESSES; p++) {
    for (const name of Object.keys(success)) {
      const before = sinkRequests;
      const sample = await child(['success', files[name], baselineOf(name)]);
      // Requests a child sends after its last response was timed are counted too; none should be ours.
      sample.requests = sinkRequests - before;
      success[name].push(sample);
    }
  }
  const summarize = (samples) => ({
    addedNs: median(samples.flatMap((s) => s.wrappedNs.map((w, i) => w - s.bareNs[i]))),
    bareNs: median(samples.flatMap((s) => s.bareNs)),
    wrappedNs: median(samples.flatMap((s) => s.wrappedNs)),
    calls: samples[0].calls,
    requestsPerCall:
      samples.reduce((n, s) => n + s.requests, 0) / samples.reduce((n, s) => n + s.wrappedCalls, 0),
  });
  for (const [name, samples] of Object.entries(success)) {
    if (baselineOf(name) === files.bare) summary[name] = summarize(samples);
  }
  // Over the bare handler, a middy row is its middy alone's figure plus what it adds to that middy.
  for (const [name, samples] of Object.entries(success)) {
    if (baselineOf(name) === files.bare) continue;
    const alone = summary[`middy${CONTENDERS[name].middy}`];
    const over = summarize(samples);
    summary[name] = {
      ...over,
      overMiddyNs: over.addedNs,
      addedNs: alone.addedNs + over.addedNs,
      bareNs: alone.bareNs,
      wrappedNs: alone.wrappedNs + over.addedNs,
    };
  }
}

// 2. Cold start: each handler module in fresh processes, unbundled (import) and bundled (require).
const imports = { unbundled: {}, bundled: {} };
const baseline = { unbundled: [], bundled: [] };
if (ONLY !== 'success') {
  for (const name of Object.keys(CONTENDERS)) {
    imports.unbundled[name] = [];
    imports.bundled[name] = [];
  }
  const probe = (file, warm) => child(['import', file, join(work, warm)], ['--expose-gc']);
  for (let p = 0; p < IMPORT_PROCESSES; p++) {
    baseline.unbundled.push(await probe(join(work, 'empty.mjs'), 'warm.mjs'));
    baseline.bundled.push(await probe(join(work, 'empty.cjs'), 'warm.cjs'));
    for (const name of Object.keys(CONTENDERS)) {
      if (CONTENDERS[name].successOnly) continue;
      if (!CONTENDERS[name].bundleOnly) imports.unbundled[name].push(await probe(files[name], 'warm.mjs'));
      imports.bundled[name].push(await probe(bundles[name], 'warm.cjs'));
    }
  }
}
const cold = (kind, name) => {
  const samples = imports[kind][name];
  const base = baseline[kind];
  return {
    ms: median(samples.map((s) => s.ms)) - median(base.map((s) => s.ms)),
    rssMiB: (median(samples.map((s) => s.rss)) - median(base.map((s) => s.rss))) / 1024 / 1024,
    heapMiB: (median(samples.map((s) => s.heap)) - median(base.map((s) => s.heap))) / 1024 / 1024,
  };
};

sink.close();

const version = (pkg) => {
  try {
    return JSON.parse(readFileSync(join(here, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return JSON.parse(readFileSync(join(here, '..', 'node_modules', pkg, 'package.json'), 'utf8')).version;
  }
};
const MIDDY = [5, 6, 7];
console.log(
  `## Machine\n\nNode ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${fmt(totalmem() / 1024 ** 3)} GiB, ${process.platform} ${process.arch}.`,
);
console.log(
  `\nVersions: lambda-error-mail ${version('lambda-error-mail')}, @sentry/aws-serverless ${version('@sentry/aws-serverless')}, @middy/core ${MIDDY.map((major) => version(`@middy/core-${major}`)).join(', ')}, @middy/error-logger ${MIDDY.map((major) => version(`@middy/error-logger-${major}`)).join(', ')}, @middy/http-error-handler ${MIDDY.map((major) => version(`@middy/http-error-handler-${major}`)).join(', ')}, @aws-lambda-powertools/logger ${version('@aws-lambda-powertools/logger')}, @honeybadger-io/js ${version('@honeybadger-io/js')}, @bugsnag/js ${version('@bugsnag/js')}, @bugsnag/plugin-aws-lambda ${version('@bugsnag/plugin-aws-lambda')}.`,
);

if (ONLY !== 'cold') printSuccess();
if (ONLY !== 'success') printCold();
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(results(), null, 2)}\n`);

/** The run's figures, self-contained: bench/render.mjs writes BENCHMARKS.md from them alone. */
function results() {
  const packages = [
    'lambda-error-mail',
    '@sentry/aws-serverless',
    '@aws-lambda-powertools/logger',
    '@honeybadger-io/js',
    '@bugsnag/js',
    '@bugsnag/plugin-aws-lambda',
    ...MIDDY.flatMap((major) =>
      ['core', 'error-logger', 'http-error-handler'].map((name) => `@middy/${name}-${major}`),
    ),
    'esbuild',
  ];
  const contenders = {};
  for (const [
    name,
    { label, peer = false, middy, bundleOnly = false, successOnly = false },
  ] of Object.entries(CONTENDERS)) {
    const entry = { label, peer, middy: middy ?? null, bundleOnly };
    if (summary[name] !== undefined) entry.success = summary[name];
    if (ONLY !== 'success' && !successOnly) {
      const bytes = readFileSync(bundles[name]);
      entry.cold = {
        unbundled: bundleOnly ? null : cold('unbundled', name),
        bundled: cold('bundled', name),
        bundleKiB: bytes.length / 1024,
        gzippedKiB: gzipSync(bytes).length / 1024,
      };
    }
    contenders[name] = entry;
  }
  return {
    node: process.version,
    settings: {
      processes: PROCESSES,
      rounds: Number(childEnv.BENCH_ROUNDS),
      importProcesses: IMPORT_PROCESSES,
      only: ONLY ?? null,
    },
    versions: Object.fromEntries(packages.map((pkg) => [pkg, version(pkg)])),
    contenders,
  };
}

function printSuccess() {
  const middyAlone = (name) => summary[`middy${CONTENDERS[name].middy}`].addedNs;
  console.log(
    `\n## Success path\n\nAdded per successful invocation over a bare async handler (median of ${PROCESSES} processes x ${childEnv.BENCH_ROUNDS} interleaved rounds; bare handler ${fmt(summary.ours.bareNs, 0)} ns per call):\n`,
  );
  console.log(
    '| contender | added per call | x bare | over middy alone | requests per call | calls per sample |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  const byCost = Object.entries(summary).sort((a, b) => a[1].addedNs - b[1].addedNs);
  for (const [name, s] of byCost) {
    const over =
      CONTENDERS[name].middy && name !== `middy${CONTENDERS[name].middy}`
        ? `${fmtNs(s.overMiddyNs ?? s.addedNs - middyAlone(name))}`
        : '';
    console.log(
      `| ${CONTENDERS[name].label} | ${fmtNs(s.addedNs)} | ${fmt(s.wrappedNs / s.bareNs, 1)} | ${over} | ${fmt(s.requestsPerCall, 2)} | ${fmt(s.calls)} |`,
    );
  }
}

function printCold() {
  console.log(
    `\n## Cold start\n\nImporting the handler module in a fresh process, over importing an empty module (median of ${IMPORT_PROCESSES} processes each). Bundled: esbuild, CommonJS, \`@aws-sdk/*\` external.\n`,
  );
  console.log(
    '| contender | import ms | RSS MiB | heap MiB | bundled: import ms | bundled: RSS MiB | bundle KiB | gzipped KiB |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const name of Object.keys(CONTENDERS)) {
    if (CONTENDERS[name].successOnly) continue;
    const b = cold('bundled', name);
    const bytes = readFileSync(bundles[name]);
    let unbundled = ' |  | ';
    if (!CONTENDERS[name].bundleOnly) {
      const u = cold('unbundled', name);
      unbundled = `${fmt(u.ms, 1)} | ${fmt(u.rssMiB, 1)} | ${fmt(u.heapMiB, 2)}`;
    }
    console.log(
      `| ${CONTENDERS[name].label} | ${unbundled} | ${fmt(b.ms, 1)} | ${fmt(b.rssMiB, 1)} | ${fmt(bytes.length / 1024, 1)} | ${fmt(gzipSync(bytes).length / 1024, 1)} |`,
    );
  }
}

function fmtNs(ns) {
  return Math.abs(ns) >= 10_000
    ? `${fmt(ns / 1e6, 2)} ms`
    : Math.abs(ns) >= 1000
      ? `${fmt(ns / 1000, 2)} µs`
      : `${fmt(ns)} ns`;
}
