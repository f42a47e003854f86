// `npm run bench:lowmem`: the first report of a fresh container at the CPU share Lambda gives each
// memory size (1,769 MB is one vCPU, so 128 MB gets 7.2% of one), simulated with a cgroup v1 CPU
// quota: the time from the throw to the caller, the invocation the mail reached the local SES with (that
// one, or one of the next four, which the child runs until it is out), and the CPU the process used (all its threads: V8 compiles and
// collects on helper threads, and the quota counts them too). Then, in other fresh processes, what the
// dependencies take on their own (bench/lowmem-floor.mjs): the floor no code of ours can lower.
// Default settings, a 3 s function timeout (ERROR_MAIL_SEND_BUDGET_MS and LOWMEM_TIMEOUT_MS, when set,
// are handed to the child); median of BENCH_LOWMEM_RUNS (5) fresh processes per size.
// Needs root and /sys/fs/cgroup/cpu; without them only the full-CPU row runs. Everything on 127.0.0.1.
// BENCH_LOWMEM_FULL=0 leaves out the full-CPU row and BENCH_LOWMEM_FLOOR=0 the dependencies' own
// figures (`npm run bench` runs 128 MB alone so); with BENCH_JSON set to a path, the figures are
// written there too, for bench/render.mjs.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cpuLimitUnavailable, createCpuLimit, jsonLines, ONE_VCPU_MB, runNode } from './cpu-limit.mjs';
import { median } from './median.mjs';

const require = createRequire(new URL('../package.json', import.meta.url));
const RUNS = Number(process.env.BENCH_LOWMEM_RUNS ?? 5);
const SIZES = (process.env.BENCH_LOWMEM_SIZES ?? '128,256,512,1024').split(',').map(Number);
const FULL = process.env.BENCH_LOWMEM_FULL !== '0';
const FLOOR = process.env.BENCH_LOWMEM_FLOOR !== '0';
const child = fileURLToPath(new URL('./lowmem-child.mjs', import.meta.url));
const floor = fileURLToPath(new URL('./lowmem-floor.mjs', import.meta.url));

const ses = await require('aws-ses-v2-local').default({ host: '127.0.0.1', port: 0 });
const sesUrl = `http://127.0.0.1:${ses.address().port}`;
const unavailable = cpuLimitUnavailable();
const env = {
  PATH: process.env.PATH,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDLOWMEMBENCH',
  AWS_SECRET_ACCESS_KEY: 'lowmem-bench-secret',
  AWS_SESSION_TOKEN: 'lowmem-bench-session',
  AWS_ENDPOINT_URL_SES: sesUrl,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** One fresh process's first report (and the invocation after it), in `cgroup` (a path) or at full CPU. */
async function firstReport(mb, cgroup) {
  const { stdout } = await runNode(
    child,
    {
      ...env,
      ADMINS: 'ops@example.com',
      SERVER_EMAIL: 'errors@example.com',
      AWS_LAMBDA_FUNCTION_NAME: 'lowmem',
      LOWMEM_MB: String(mb),
      ...Object.fromEntries(
        ['ERROR_MAIL_SEND_BUDGET_MS', 'LOWMEM_TIMEOUT_MS']
          .filter((name) => process.env[name] !== undefined)
          .map((name) => [name, process.env[name]]),
      ),
    },
    cgroup,
  );
  return jsonLines(stdout);
}

const rows = [];
const limited = unavailable === undefined ? SIZES : [];
for (const size of FULL ? [...limited, 'full'] : limited) {
  const limit = size === 'full' ? undefined : createCpuLimit('lem-lowmem', size);
  try {
    const samples = [];
    const floors = [];
    for (let i = 0; i < RUNS; i++) {
      samples.push(await firstReport(size === 'full' ? ONE_VCPU_MB : size, limit?.path));
      if (FLOOR) floors.push(jsonLines((await runNode(floor, env, limit?.path)).stdout));
    }
    rows.push({ size, samples, floors });
  } finally {
    limit?.dispose();
  }
}
await new Promise((resolve) => ses.close(resolve));

if (unavailable !== undefined) console.log(`(${unavailable}: the CPU-limited rows were skipped)`);
const ms = (values) => `${median(values).toFixed(0)} ms`;
const label = (size) => (size === 'full' ? 'full CPU' : `${size} MB`);
console.log('The first report: from the throw to the caller, and where the mail went\n');
console.log(
  'memory | CPU share | throw -> caller (median; all runs) | mailed with invocation 1, 2, 3, 4, 5 (of the runs) | the later invocations (duration, median) | CPU used (median)',
);
console.log('--- | --- | --- | --- | --- | ---');
for (const { size, samples } of rows) {
  const share = size === 'full' ? 'one vCPU (unlimited)' : `${((100 * size) / ONE_VCPU_MB).toFixed(1)}%`;
  const mailedIn = [1, 2, 3, 4, 5].map((n) => samples.filter((s) => s.mailedIn === n).length).join(', ');
  const later = samples.flatMap((s) => s.laterMs);
  console.log(
    `${label(size)} | ${share} | ${ms(samples.map((s) => s.ms))} (${samples.map((s) => s.ms.toFixed(0)).join(', ')}) | ${mailedIn} (of ${samples.length}) | ${later.length === 0 ? '-' : ms(later)} | ${ms(samples.map((s) => s.cpuMs))}`,
  );
}
if (process.env.BENCH_JSON) {
  const results = {
    node: process.version,
    unavailable: unavailable ?? null,
    settings: {
      runs: RUNS,
      timeoutMs: Number(process.env.LOWMEM_TIMEOUT_MS ?? 3000),
      sendBudgetMs: process.env.ERROR_MAIL_SEND_BUDGET_MS ?? null,
    },
    rows: rows.map(({ size, samples, floors }) => ({
      size,
      cpuShare: size === 'full' ? 1 : size / ONE_VCPU_MB,
      samples,
      floors,
    })),
  };
  writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(results, null, 2)}\n`);
}
if (FLOOR) {
  console.log('\nThe dependencies on their own, as the package loads them (median ms; CPU ms in brackets)\n');
  const STEPS = ['sesClient', 'composer', 'firstCompose', 'firstSesRequest'];
  console.log(
    'memory | loading the SES client | loading the composer | first composing | first SES request | the SES client alone (load and first request)',
  );
  console.log('--- | --- | --- | --- | --- | ---');
  for (const { size, floors } of rows) {
    const cell = (pick) =>
      `${ms(floors.map((f) => pick(f).ms))} (${median(floors.map((f) => pick(f).cpuMs)).toFixed(0)})`;
    const sdkAlone = (f) => ({
      ms: f.sesClient.ms + f.firstSesRequest.ms,
      cpuMs: f.sesClient.cpuMs + f.firstSesRequest.cpuMs,
    });
    console.log(
      `${label(size)} | ${STEPS.map((step) => cell((f) => f[step])).join(' | ')} | ${cell(sdkAlone)}`,
    );
  }
}
