import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { cpuLimitUnavailable, createCpuLimit, jsonLines, runNode } from '../../bench/cpu-limit.mjs';

const sesUrl = inject('sesUrl');
const unavailable = cpuLimitUnavailable();
// The child the low-memory benchmark runs: the built package, a handler that throws on its first
// invocation and succeeds on the next ones (up to four, until the mail is out), each with a 3 s timeout.
const child = fileURLToPath(new URL('../../bench/lowmem-child.mjs', import.meta.url));

describe('a 128 MB function (a process held to 7.2% of a vCPU by a cgroup CPU quota)', () => {
  it.skipIf(unavailable !== undefined)(
    `returns its first error before the deadline, and its report reaches SES within the next four invocations${unavailable === undefined ? '' : ` (skipped: ${unavailable})`}`,
    async () => {
      const limit = createCpuLimit('lem-test', 128);
      let output: { stdout: string; stderr: string };
      try {
        output = await runNode(
          child,
          {
            PATH: process.env.PATH,
            ADMINS: 'ops@example.com',
            SERVER_EMAIL: 'errors@example.com',
            AWS_LAMBDA_FUNCTION_NAME: 'lowmem',
            AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: 'local-test-key',
            AWS_SECRET_ACCESS_KEY: 'local-test-secret',
            AWS_ENDPOINT_URL_SES: sesUrl,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            LOWMEM_MB: '128',
          },
          limit.path,
          50_000,
        );
      } finally {
        limit.dispose();
      }
      const result = jsonLines(output.stdout);
      const records = output.stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);

      // The caller got its own error back, and no later than the function's deadline.
      expect(result.caught).toBe(true);
      expect(result.leftMs).toBeGreaterThan(0);
      expect(result.mailedIn).toBeGreaterThanOrEqual(1);
      expect(result.statuses).toEqual((result.laterMs as number[]).map(() => 200));
      if (result.mailedIn !== 1) {
        // Not mailed at once: the log holds the whole report, and says that a later send takes the rest.
        expect(records[0]).toMatchObject({
          level: 'ERROR',
          message: 'error mail not sent',
          reason: expect.stringMatching(/^NotInTimeError: .* was not started: .* a later send takes it$/),
          report: expect.stringContaining('lowmem bench: the first error of a fresh container'),
        });
        expect(records).toContainEqual(expect.objectContaining({ message: 'late error mail sent' }));
      }
    },
    60_000,
  );
});
