import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // .ci/run sets LEM_TEST_REPORT to count passed and failed tests from vitest's JSON report.
    reporters: process.env.LEM_TEST_REPORT ? ['default', 'json'] : ['default'],
    ...(process.env.LEM_TEST_REPORT ? { outputFile: { json: process.env.LEM_TEST_REPORT } } : {}),
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 20_000,
    hookTimeout: 120_000,
    env: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local-test-key',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
