// `npm run bench:lowmem`: the first report of a fresh container at the CPU share Lambda gives each
// memory size (1,769 MB is one vCPU, so 128 MB gets 7.2% of one), simulated with a cgroup v1 CPU
// quota: the time from the throw to the caller, whether the mail reached the local SES, and the CPU
// the process used (all its threads: V8 compiles and collects on helper threads, and the quota counts
// them too); then, in other fresh processes, how long the SES client and the composer take to import
// on their own. Default settings, a 3 s function timeout; median of BENCH_LOWMEM_RUNS (5) fresh
// processes per size. Needs root and /sys/fs/cgroup/cpu; without them only the full-CPU row runs.
// Everything on 127.0.0.1.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from './median.mjs';

const run = promisify(execFile);
const require = createRequire(new URL('../package.json', import.meta.url));
const RUNS = Number(process.env.BENCH_LOWMEM_RUNS ?? 5);
const SIZES = (process.env.BENCH_LOWMEM_SIZES ?? '128,256,512,1024').split(',').map(Number);
const CGROUP_ROOT = '/sys/fs/cgroup/cpu';
const PERIOD_US = 100_000;
const child = fileURLToPath(new URL('./lowmem-child.mjs', import.meta.url));
const importsOnly = fileURLToPath(new URL('./lowmem-import.mjs', import.meta.url));

const ses = await require('aws-ses-v2-local').default({ host: '127.0.0.1', port: 0 });
const sesUrl = `http://127.0.0.1:${ses.address().port}`;
const canLimit = process.getuid?.() === 0 && existsSync(`${CGROUP_ROOT}/cgroup.procs`);

/** Mails the local SES holds. */
async function mailCount() {
  const store = await (await fetch(`${sesUrl}/store`)).json();
  return store.emails.length;
}

/** Runs `script` in a fresh process, in `cgroup` (a path) or at full CPU; its JSON lines, merged. */
async function inProcess(script, env, cgroup) {
  // The shell joins the cgroup, then becomes node: every instruction of the child runs under the quota.
  const [file, args] =
    cgroup === undefined
      ? [process.execPath, [script]]
      : ['/bin/sh', ['-c', `echo $$ > ${cgroup}/tasks && exec "$0" "$1"`, process.execPath, script]];
  const { stdout } = await run(file, args, { env, timeout: 60_000 });
  return Object.assign(
    {},
    ...stdout
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line)),
  );
}

/** One fresh process's first report, in `cgroup` (a path) or at full CPU. */
async function firstReport(mb, cgroup) {
  const env = {
    PATH: process.env.PATH,
    ADMINS: 'ops@example.com',
    SERVER_EMAIL: 'errors@example.com',
    AWS_LAMBDA_FUNCTION_NAME: 'lowmem',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOWMEMBENCH',
    AWS_SECRET_ACCESS_KEY: 'lowmem-bench-secret',
    AWS_SESSION_TOKEN: 'lowmem-bench-session',
    AWS_ENDPOINT_URL_SES: sesUrl,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LOWMEM_MB: String(mb),
  };
  const before = await mailCount();
  // The child counts the stored mails after each invocation, once its first report is measured.
  const result = await inProcess(child, env, cgroup);
  return {
    ...result,
    mailed: result.afterFirst > before,
    mailedLate: result.afterFirst === before && result.afterSecond > before,
  };
}

const rows = [];
const sizes = canLimit ? [...SIZES, 'full'] : ['full'];
for (const size of sizes) {
  let cgroup;
  if (size !== 'full') {
    cgroup = `${CGROUP_ROOT}/lem-lowmem-${process.pid}-${size}`;
    mkdirSync(cgroup);
    writeFileSync(`${cgroup}/cpu.cfs_period_us`, String(PERIOD_US));
    writeFileSync(`${cgroup}/cpu.cfs_quota_us`, String(Math.round((PERIOD_US * size) / 1769)));
  }
  try {
    const samples = [];
    const imports = [];
    for (let i = 0; i < RUNS; i++) {
      samples.push(await firstReport(size === 'full' ? 1769 : size, cgroup));
      imports.push(
        await inProcess(
          importsOnly,
          { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
          cgroup,
        ),
      );
    }
    rows.push({ size, samples, imports });
  } finally {
    if (cgroup !== undefined) rmdirSync(cgroup);
  }
}
await new Promise((resolve) => ses.close(resolve));

if (!canLimit) console.log('(not root, or no cgroup v1 cpu controller: the CPU-limited rows were skipped)');
console.log(
  'memory | CPU share | throw -> caller (median, all runs) | mailed | sent with the next invocation (its duration, median) | CPU used (median) | importing the SES client alone | the composer alone',
);
console.log('--- | --- | --- | --- | --- | --- | --- | ---');
for (const { size, samples, imports } of rows) {
  const share = size === 'full' ? 'one vCPU (unlimited)' : `${((100 * size) / 1769).toFixed(1)}%`;
  const ms = samples.map((s) => s.ms);
  const mailed = samples.filter((s) => s.mailed).length;
  const late = samples.filter((s) => s.mailedLate);
  const lateCell =
    late.length === 0 ? '0' : `${late.length} (${median(late.map((s) => s.secondMs)).toFixed(0)} ms)`;
  console.log(
    `${size === 'full' ? 'full CPU' : `${size} MB`} | ${share} | ${median(ms).toFixed(0)} ms (${ms.map((m) => m.toFixed(0)).join(', ')}) | ${mailed} of ${samples.length} | ${lateCell} | ${median(samples.map((s) => s.cpuMs)).toFixed(0)} ms | ${median(imports.map((i) => i.ses.ms)).toFixed(0)} ms (${median(imports.map((i) => i.ses.cpuMs)).toFixed(0)} ms CPU) | ${median(imports.map((i) => i.composer.ms)).toFixed(0)} ms (${median(imports.map((i) => i.composer.cpuMs)).toFixed(0)} ms CPU)`,
  );
}
