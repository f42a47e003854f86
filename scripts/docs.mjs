// `npm run docs`: runs the example service as `npm start` does (on free ports, with its own SES
// emulator), sends the README's sample requests, and writes the mails they produce into README.md
// (scripts/readme-samples.mjs). The end-to-end test fails when the README no longer matches.

import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startOffline } from './offline.mjs';
import {
  atSample,
  CLI_SAMPLES,
  DEMO_BUNDLE,
  runCommandSample,
  SAMPLE_REQUESTS,
  sampleOf,
  withSample,
} from './readme-samples.mjs';

const require = createRequire(import.meta.url);
const startSes = require('aws-ses-v2-local').default;
const readmeUrl = new URL('../README.md', import.meta.url);

const ses = await startSes({ host: '127.0.0.1', port: 0 });
const sesUrl = `http://127.0.0.1:${ses.address().port}`;
const prefix = `[${randomUUID()}] `;
const port = await freePort();
const service = await startOffline({
  port,
  lambdaPort: await freePort(),
  env: { AWS_ENDPOINT_URL_SES: sesUrl, EMAIL_SUBJECT_PREFIX: prefix },
});
try {
  let readme = await readFile(readmeUrl, 'utf8');
  const seen = new Set();
  for (const [name, request] of Object.entries(SAMPLE_REQUESTS)) {
    await fetch(`${service.url}${request.path}`, { headers: request.headers(service.url) });
    const mail = await nextMail(sesUrl, prefix, seen);
    readme = withSample(readme, name, `$ ${request.curl}\n\n${sampleOf(mail, { prefix, port })}`);
  }
  readme = withCommandSamples(readme);
  await writeFile(readmeUrl, readme);
  console.log(
    `README.md: ${Object.keys(SAMPLE_REQUESTS).length} sample mails and ${Object.keys(CLI_SAMPLES).length} command samples written`,
  );
} finally {
  await service.stop();
  ses.closeAllConnections();
  ses.close();
}

/** The first mail whose subject starts with `prefix` and whose id is not in `seen` (then added). */
async function nextMail(url, subjectPrefix, seen) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const { emails } = await (await fetch(`${url}/store`)).json();
    const mail = emails.find(
      (email) => email.subject.startsWith(subjectPrefix) && !seen.has(email.messageId),
    );
    if (mail !== undefined) {
      seen.add(mail.messageId);
      return mail;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the example service sent no mail for a sample request within 20 s');
}

/**
 * `readme` with the command samples as the built command prints them now, run in the repository
 * with only PATH from the shell (what a newcomer's terminal would add is not read: `--stage local`).
 */
function withCommandSamples(readme) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const outDir = mkdtempSync(join(tmpdir(), 'lem-docs-'));
  try {
    let written = readme;
    for (const [name, sample] of Object.entries(CLI_SAMPLES)) {
      written = withSample(written, name, runCommandSample(sample, root, outDir));
    }
    // The demo's bundle, which the service just built: where its throw is now.
    const at = atSample(readFileSync(join(root, DEMO_BUNDLE), 'utf8'));
    const printed = execFileSync('node', ['dist/cli.js', ...at.args], {
      cwd: root,
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    return withSample(written, 'preview-at', at.excerpt(printed));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
