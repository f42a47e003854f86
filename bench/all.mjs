// `npm run bench`: every table of BENCHMARKS.md from one run. For each Node.js in BENCH_NODES, one after
// the other, it runs the parts in BENCH_PARTS, each in its own process of that Node.js with BENCH_JSON
// pointing into bench/results/, then gathers them into bench/results/run.json and has bench/render.mjs
// write BENCHMARKS.md from that file alone.
//
// BENCH_NODES: majors or paths, comma-separated (default 20,22,24). A major is found as this process
//   (when it is that major), as BENCH_NODE_<major> when set, or as npm's cached `node@<major>` package.
// BENCH_PARTS: any of success, cold, errors, lowmem, logs (default all). errors includes the floods;
//   lowmem is the first report at 128 MB only (the full-CPU row is the errors part's).
// BENCH_LOWMEM_NODES: the majors the 128 MB part runs on (default all of BENCH_NODES).
// BENCH_QUICK=1: a few processes and rounds per part, to see the command work end to end; any count set
//   explicitly (BENCH_PROCESSES, BENCH_ROUNDS, ...) still wins.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderPage } from './render.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const results = join(here, 'results');
const PARTS = ['success', 'cold', 'errors', 'lowmem', 'logs'];
const QUICK = {
  BENCH_PROCESSES: '1',
  BENCH_ROUNDS: '3',
  BENCH_IMPORT_PROCESSES: '2',
  BENCH_ERROR_PROCESSES: '2',
  BENCH_LOWMEM_RUNS: '1',
  BENCH_LOG_PROCESSES: '1',
  BENCH_LOG_PAIRS: '1',
};
// The parts' own knobs, handed on as they are set here.
const KNOBS = [...Object.keys(QUICK), 'LOWMEM_TIMEOUT_MS', 'ERROR_MAIL_SEND_BUDGET_MS', 'BENCH_LOWMEM_SIZES'];

const list = (value, fallback) =>
  (value ?? fallback)
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
const parts = list(process.env.BENCH_PARTS, PARTS.join(','));
for (const part of parts) {
  if (!PARTS.includes(part)) throw new Error(`BENCH_PARTS: "${part}" is not one of ${PARTS.join(', ')}`);
}
const quick = process.env.BENCH_QUICK === '1';
const knobs = Object.fromEntries(
  KNOBS.map((name) => [name, process.env[name] ?? (quick ? QUICK[name] : undefined)]).filter(
    ([, value]) => value !== undefined,
  ),
);

/** The path of a Node.js binary for `spec`: a major (20) or a path. */
function findNode(spec) {
  if (!/^\d+$/.test(spec)) return spec;
  if (process.versions.node.split('.')[0] === spec) return process.execPath;
  const set = process.env[`BENCH_NODE_${spec}`];
  if (set) return set;
  try {
    // The npm package `node@<major>` ships the binary; --prefer-offline takes the cached one.
    const out = execFileSync(
      'npx',
      ['--prefer-offline', '-y', '-p', `node@${spec}`, '-c', 'node -p process.execPath'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return out.trim().split('\n').at(-1);
  } catch (error) {
    throw new Error(`BENCH_NODES: no Node.js ${spec} found; set BENCH_NODE_${spec} to its path`, {
      cause: error,
    });
  }
}

/** Runs `script` with `node`, its output shown as it comes; resolves when it exits 0. */
function runPart(node, script, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [join(here, script)], {
      env: { ...process.env, ...knobs, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${script} on ${node} ended with ${signal ?? code}`)),
    );
  });
}

const nodes = list(process.env.BENCH_NODES, '20,22,24').map((spec) => ({ spec, path: findNode(spec) }));
const lowmemNodes = list(process.env.BENCH_LOWMEM_NODES, nodes.map((node) => node.spec).join(','));
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const started = new Date();
const run = {
  startedAt: started.toISOString(),
  finishedAt: null,
  wallMs: null,
  commit: git(['rev-parse', '--short', 'HEAD']),
  changed: git(['status', '--porcelain', '--untracked-files=no', '--', 'src']) !== '',
  // BENCH_BEFORE: a revision built beside this one by each Node's peers part (bench/peers.mjs).
  before: process.env.BENCH_BEFORE ?? null,
  quick,
  parts,
  knobs,
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    memoryGiB: totalmem() / 1024 ** 3,
    platform: `${process.platform} ${process.arch}`,
  },
  nodes: [],
};

for (const { spec, path } of nodes) {
  const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
  const entry = { spec, version, partMs: {} };
  const json = (part) => join(results, `${version}-${part}.json`);
  const timed = async (part, script, env) => {
    console.log(`\n# ${version}: ${part}\n`);
    const start = performance.now();
    await runPart(path, script, { ...env, BENCH_JSON: json(part) });
    entry.partMs[part] = performance.now() - start;
    return JSON.parse(readFileSync(json(part), 'utf8'));
  };
  const peers = parts.filter((part) => part === 'success' || part === 'cold');
  if (peers.length > 0) {
    // One process of peers.mjs for both halves when both run: the bundles are built once.
    entry.peers = await timed(
      peers.join('+'),
      'peers.mjs',
      peers.length === 1 ? { BENCH_ONLY: peers[0] } : {},
    );
  }
  if (parts.includes('errors')) entry.errors = await timed('errors', 'errors.mjs', {});
  if (parts.includes('lowmem') && lowmemNodes.includes(spec)) {
    entry.lowmem = await timed('lowmem', 'lowmem.mjs', {
      BENCH_LOWMEM_SIZES: knobs.BENCH_LOWMEM_SIZES ?? '128',
      BENCH_LOWMEM_RUNS: knobs.BENCH_LOWMEM_RUNS ?? '3',
      BENCH_LOWMEM_FULL: '0',
      BENCH_LOWMEM_FLOOR: '0',
    });
  }
  if (parts.includes('logs')) entry.logs = await timed('logs', 'log-capture.mjs', {});
  run.nodes.push(entry);
}

const finished = new Date();
run.finishedAt = finished.toISOString();
run.wallMs = finished.getTime() - started.getTime();
writeFileSync(join(results, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
const page = join(here, '..', 'BENCHMARKS.md');
writeFileSync(page, renderPage(run, readFileSync(page, 'utf8')));
console.log(`\nBENCHMARKS.md written from bench/results/run.json (${(run.wallMs / 60_000).toFixed(1)} min).`);

function git(args) {
  try {
    return execFileSync('git', args, { cwd: here, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}
