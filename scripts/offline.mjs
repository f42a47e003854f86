// Starts and stops the example service under serverless-offline (run by osls).
// Shared by `npm start` and the end-to-end test.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** A free TCP port on 127.0.0.1, picked by the system. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Rejects with one line naming `variable` when 127.0.0.1:`port` is taken, so a busy port reads as
 * a hint, not as serverless-offline's 48-line stack.
 */
export function assertPortFree(port, variable) {
  return new Promise((resolveFree, reject) => {
    const server = createServer();
    server.once('error', (error) => {
      if (error.code !== 'EADDRINUSE') reject(error);
      else reject(new Error(`Port ${port} on 127.0.0.1 is in use (set ${variable} to another port)`));
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree()));
  });
}

/**
 * Starts `osls offline start --stage local` on 127.0.0.1:`port` and resolves
 * once it answers. `env` is added to the service's environment.
 */
export async function startOffline({ port, lambdaPort, env = {}, onOutput, readyTimeoutMs = 120_000 }) {
  await assertPortFree(port, 'PORT');
  await assertPortFree(lambdaPort, 'LAMBDA_PORT');
  const osls = require.resolve('osls/bin/serverless.js');
  const child = spawn(process.execPath, [osls, 'offline', 'start', '--stage', 'local'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      // The SES emulator takes any credentials; the SDK needs some to sign.
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      PORT: String(port),
      LAMBDA_PORT: String(lambdaPort),
      ...env,
    },
  });
  let output = '';
  const collect = (chunk) => {
    const text = chunk.toString();
    output += text;
    onOutput?.(text);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  const exited = new Promise((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, 5000);
    await exited;
    clearTimeout(timer);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      // Taken between the check above and the service's start.
      const busy = output.match(/EADDRINUSE[^\n]*?:(\d+)/);
      if (busy) {
        const variable = Number(busy[1]) === lambdaPort ? 'LAMBDA_PORT' : 'PORT';
        throw new Error(`Port ${busy[1]} on 127.0.0.1 is in use (set ${variable} to another port)`);
      }
      throw new Error(
        `serverless-offline exited with code ${child.exitCode} before it was ready:\n${output}`,
      );
    }
    if (output.includes('Server ready')) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`serverless-offline was not ready within ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop, output: () => output };
}
