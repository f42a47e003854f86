import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_SAMPLES, readmeSample, runCommandSample } from '../../scripts/readme-samples.mjs';

// The README's command samples are what the built command prints now, run as `npm run docs` runs
// them: in the repository, with the example's local stage and only PATH from the shell.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'lem-readme-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("the README's command samples", () => {
  it.each(Object.keys(CLI_SAMPLES))(
    'are what the command prints now for %s (`npm run docs` writes them)',
    (name) => {
      const sample = CLI_SAMPLES[name as keyof typeof CLI_SAMPLES];

      const shown = runCommandSample(sample, ROOT, outDir);

      const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
      expect(shown).toBe(readmeSample(readme, name) ?? `README.md has no sample:${name} block`);
    },
  );
});
