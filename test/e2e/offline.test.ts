import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, startOffline } from '../../scripts/offline.mjs';
import {
  atSample,
  DEMO_BUNDLE,
  readmeSample,
  SAMPLE_REQUESTS,
  sampleOf,
  withoutRunDetails,
} from '../../scripts/readme-samples.mjs';
import { mailsMarked, readMailbox, type StoredMail } from '../helpers/local-ses.js';

// The example service under serverless-offline, on 127.0.0.1, sending to the test run's SES emulator.
const sesUrl = inject('sesUrl');
const marker = randomUUID();
let service: Awaited<ReturnType<typeof startOffline>>;

beforeAll(async () => {
  service = await startOffline({
    port: await freePort(),
    lambdaPort: await freePort(),
    env: { AWS_ENDPOINT_URL_SES: sesUrl, EMAIL_SUBJECT_PREFIX: `[${marker}] ` },
  });
}, 180_000);

afterAll(async () => {
  await service?.stop();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${service.url}${path}`, { headers, signal: AbortSignal.timeout(30_000) });
  return { status: response.status, body: await response.text() };
}

async function mailsFor(subjectEnd: string) {
  const mails = await mailsMarked(sesUrl, marker, 1, 10_000);
  return mails.filter((mail) => mail.subject.endsWith(subjectEnd));
}

// Plain and middy handlers, each on an HTTP API route and a REST API route.
describe.each(['', '/middy', '/rest', '/rest/middy'])('the example service at %s', (prefix) => {
  it('answers /hello with 200 and sends no mail', async () => {
    const marked = async () => (await readMailbox(sesUrl)).filter((m) => m.subject.includes(marker)).length;
    const before = await marked();

    const response = await get(`${prefix}/hello`);

    expect(response).toEqual({ status: 200, body: '{"message":"hello from lambda-error-mail"}' });
    // The handler awaits any send before it answers, so a mail would already be stored.
    expect(await marked()).toBe(before);
  });

  it('lets the /boom error through unchanged and mails ADMINS once', async () => {
    const response = await get(`${prefix}/boom`);

    if (prefix.startsWith('/rest')) {
      // A REST API answers a failed invocation with 502, as API Gateway does.
      expect(response).toEqual({ status: 502, body: '' });
    } else {
      // Offline answers an HTTP API route's thrown error with the error itself (API Gateway: 500).
      expect(response.body).toContain('"errorMessage":"could not load the order list"');
    }
    const mails = await mailsFor(`ERROR (EXTERNAL IP): Internal Server Error: ${prefix}/boom`);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.destination.to).toEqual(['ops@example.com, "Mary Ng" <mary@example.com>']);
    expect(mails[0]?.body.text).toContain(
      'The above exception (connection to orders-db timed out after 3000 ms) was the direct cause of the following exception:',
    );
    // The example's own build (serverless-esbuild with source maps): its frames name demo/*.ts, each
    // with its line of code, and no frame points into the bundle.
    const text = (mails[0]?.body.text ?? '').replace(/\r\n/g, '\n');
    expect(text).toMatch(/\n {4}at \S+ \(demo\/[\w-]+\.ts:\d+:\d+\)\n {8}\S/);
    expect(text).not.toMatch(/\.cjs:\d+:\d+/);
    // The plain handler's stack runs through the wrapper, whose frame, from the library's sources in
    // this repository, is the library's: no source line under it. (middy calls the handler itself.)
    if (!prefix.includes('middy'))
      expect(text).toMatch(/\n {4}at \S+ \(lambda-error-mail\/src\/[\w/-]+\.ts:\d+:\d+\)\n {4}at /);
    expect(mails[0]?.body.html).not.toMatch(/data-frame="app"[^>]*>[^<]*lambda-error-mail\//);
  });

  it('mails the same /boom again, as the walkthrough shows (the local stage turns the flood window off)', async () => {
    const subject = `ERROR (EXTERNAL IP): Internal Server Error: ${prefix}/boom`;
    const before = (await mailsFor(subject)).length;

    await get(`${prefix}/boom`);

    const deadline = Date.now() + 10_000;
    let after = before;
    while (after === before && Date.now() < deadline) {
      after = (await mailsFor(subject)).length;
      if (after === before) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(after).toBe(before + 1);
  });

  it('answers /missing with the 404 and mails MANAGERS when the Referer is internal', async () => {
    const host = new URL(service.url).host;

    const response = await get(`${prefix}/missing?from=e2e`, { Referer: `${service.url}/hello` });

    expect(response).toEqual({ status: 404, body: '{"message":"Not Found"}' });
    const mails = (await mailsFor(`Broken INTERNAL link on ${host}`)).filter((m) =>
      m.body.text?.includes(`Requested URL: ${prefix}/missing?from=e2e`),
    );
    expect(mails).toHaveLength(1);
    expect(mails[0]?.destination.to).toEqual(['content@example.com']);
    expect(mails[0]?.body.text).toContain(`Referrer: ${service.url}/hello\n`);
  });
});

describe("the README's sample mails", () => {
  it.each(Object.keys(SAMPLE_REQUESTS))(
    'are what the example sends now for %s (`npm run docs` writes them)',
    async (name) => {
      const request = SAMPLE_REQUESTS[name as keyof typeof SAMPLE_REQUESTS];
      const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
      const before = new Set((await mailsMarked(sesUrl, marker, 0)).map((mail) => mail.messageId));

      await get(request.path, request.headers(service.url));

      const deadline = Date.now() + 10_000;
      let mail: StoredMail | undefined;
      while (mail === undefined && Date.now() < deadline) {
        mail = (await mailsMarked(sesUrl, marker, 0)).find((each) => !before.has(each.messageId));
        if (mail === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(mail, 'the mail of the sample request').toBeDefined();
      const sample = sampleOf(mail as StoredMail, {
        prefix: `[${marker}] `,
        port: new URL(service.url).port,
      });
      expect(withoutRunDetails(`$ ${request.curl}\n\n${sample}`)).toBe(
        withoutRunDetails(readmeSample(readme, name) ?? `README.md has no sample:${name} block`),
      );
    },
  );

  it("shows `preview --at` against the demo's bundle as the service built it now", () => {
    const root = new URL('../../', import.meta.url);
    const at = atSample(readFileSync(new URL(DEMO_BUNDLE, root), 'utf8'));

    const printed = execFileSync('node', ['dist/cli.js', ...at.args], {
      cwd: root,
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });

    const readme = readFileSync(new URL('README.md', root), 'utf8');
    // The throw's line in the bundle moves with every change to the library's sources (the bundle
    // holds them): the position is left out of the comparison, what it maps to is not.
    const position = (sample: string) => sample.replace(/(plain\.cjs):\d+:\d+/, '$1:<line>:<column>');
    expect(position(at.excerpt(printed))).toBe(
      position(readmeSample(readme, 'preview-at') ?? 'README.md has no sample:preview-at block'),
    );
  });
});
