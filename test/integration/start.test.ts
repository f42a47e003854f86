import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/offline.mjs';
import { runNode } from '../helpers/cli.js';

const START = fileURLToPath(new URL('../../scripts/start.mjs', import.meta.url));

let busy: Server;
let busyPort: number;

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
});

describe('npm start', () => {
  it('says in one line that PORT is taken, and starts nothing, when the service port is busy', async () => {
    const sesPort = await freePort();

    const result = await runNode(START, [], { PORT: String(busyPort), SES_PORT: String(sesPort) });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Port ${busyPort} on 127.0.0.1 is in use (set PORT to another port)\n`);
    expect(result.stdout).toBe('');
    // The SES emulator was never started: its port is still free.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(sesPort, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => probe.close(resolve));
  });
});
