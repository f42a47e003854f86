import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// A clone as `npm install` leaves it: the sources and the dependencies, and whatever npm's last
// step, the `prepare` script, made. Nothing else builds dist/ here.
let clone: string;

beforeAll(async () => {
  clone = mkdtempSync(join(tmpdir(), 'lem-clone-'));
  for (const path of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'scripts']) {
    cpSync(join(ROOT, path), join(clone, path), { recursive: true });
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(clone, 'node_modules'));
  await run('npm', ['run', 'prepare'], { cwd: clone, timeout: 170_000 });
}, 180_000);
afterAll(() => {
  if (clone !== undefined) rmSync(clone, { recursive: true, force: true });
});

describe('the command in a fresh clone', () => {
  it('runs through npx right after npm install, from a file each build leaves executable', async () => {
    const npx = (args: string[]) =>
      run('npx', ['--yes', 'lambda-error-mail', ...args], {
        cwd: clone,
        timeout: 110_000,
        // A cache of its own: npx links this folder's command into it, as on a new machine. Offline:
        // the command and its dependencies are all here already.
        env: {
          ...process.env,
          npm_config_cache: join(clone, '.npm'),
          npm_config_offline: 'true',
          npm_config_update_notifier: 'false',
        },
      });

    const { stdout } = await npx(['--help']);

    expect(stdout).toMatch(/^Usage: lambda-error-mail <command> \[options\]/);
    // npx made the file executable once, when it linked it; each build must keep it so.
    expect(statSync(join(clone, 'dist', 'cli.js')).mode & 0o111).toBe(0o111);
  }, 120_000);
});
