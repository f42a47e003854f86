// A process at the CPU share Lambda gives a memory size (1,769 MB is one vCPU, so 128 MB gets 7.2% of
// one), made with a cgroup v1 CPU quota: used by `npm run bench:lowmem` and by the test of a 128 MB
// function's first report. Needs root and the cpu controller at /sys/fs/cgroup/cpu.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';

const CGROUP_ROOT = '/sys/fs/cgroup/cpu';
const PERIOD_US = 100_000;
/** The memory size at which Lambda gives a function one full vCPU. */
export const ONE_VCPU_MB = 1769;

/** Why no CPU-limited process can be made here, or undefined when one can. */
export function cpuLimitUnavailable() {
  if (process.getuid?.() !== 0) return 'a CPU quota needs root';
  if (!existsSync(`${CGROUP_ROOT}/cgroup.procs`)) return `no cgroup v1 cpu controller at ${CGROUP_ROOT}`;
  try {
    accessSync(CGROUP_ROOT, constants.W_OK);
  } catch {
    return `${CGROUP_ROOT} is not writable`;
  }
  return undefined;
}

/**
 * Makes a cgroup whose processes get the CPU share of `memoryMb`; `dispose` removes it (its processes
 * must have ended).
 */
export function createCpuLimit(name, memoryMb) {
  const path = `${CGROUP_ROOT}/${name}-${process.pid}-${memoryMb}`;
  mkdirSync(path);
  writeFileSync(`${path}/cpu.cfs_period_us`, String(PERIOD_US));
  writeFileSync(`${path}/cpu.cfs_quota_us`, String(Math.round((PERIOD_US * memoryMb) / ONE_VCPU_MB)));
  return { path, dispose: () => rmdirSync(path) };
}

/**
 * Runs the Node.js `script` in a fresh process, in the cgroup at `cgroup` (a path) or, without one, at
 * full CPU; resolves to its standard output and error. The shell joins the cgroup, then becomes node: every
 * instruction of the child runs under the quota.
 */
export function runNode(script, env, cgroup, timeoutMs = 60_000) {
  const [file, args] =
    cgroup === undefined
      ? [process.execPath, [script]]
      : ['/bin/sh', ['-c', `echo $$ > ${cgroup}/tasks && exec "$0" "$1"`, process.execPath, script]];
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) =>
      error ? reject(error) : resolve({ stdout, stderr }),
    );
  });
}

/** The JSON objects of a child's output lines (those that start with `{`), merged into one. */
export function jsonLines(stdout) {
  return Object.assign(
    {},
    ...stdout
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line)),
  );
}
