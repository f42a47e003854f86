import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { mailsMarked } from '../helpers/local-ses.js';

const sesUrl = inject('sesUrl');
const event = (name: string) => new URL(`../../events/${name}`, import.meta.url).pathname;
const nodeMajor = Number(process.versions.node.split('.')[0]);

function stageEnv(marker: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local-test-key',
    AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    AWS_ENDPOINT_URL_SES: sesUrl,
    ADMINS: 'ops@example.com',
    SERVER_EMAIL: 'errors@example.com',
    EMAIL_SUBJECT_PREFIX: `[${marker}] `,
    ...extra,
  };
}

describe("the command's output", () => {
  it('holds no AWS SDK warning about the Node.js version when it sends through SES', async () => {
    const marker = randomUUID();

    const result = await runCli(['sendtestemail', '--admins'], stageEnv(marker));

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Sent to ADMINS \(ops@example.com\)/m);
    expect(await mailsMarked(sesUrl, marker)).toHaveLength(1);
  });

  it("does not add the variable that quiets the SDK to the environment a preview's mail lists", async () => {
    const result = await runCli(['preview', event('sqs.json')], stageEnv(randomUUID()));

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Test error from lambda-error-mail preview');
    expect(result.stdout).not.toContain('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED');
  });

  it.runIf(nodeMajor < 22)("keeps the SDK's warning when the user asked for it on Node.js 20", async () => {
    const marker = randomUUID();

    const result = await runCli(
      ['sendtestemail', '--admins'],
      stageEnv(marker, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' }),
    );

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('NodeVersionSupportWarning');
    expect(await mailsMarked(sesUrl, marker)).toHaveLength(1);
  });
});
