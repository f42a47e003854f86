import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureRealRuntime, RIC_VERSION } from '../../scripts/real-runtime.mjs';
import { httpApiEvent } from '../helpers/events.js';
import { readMailbox, type StoredMail } from '../helpers/local-ses.js';
import {
  type Invocation,
  type RuntimeRun,
  runtimeTargets,
  runUnderRuntime,
} from '../helpers/real-runtime.js';
import { startSesProxy } from '../helpers/ses-proxy.js';

// Every handler shape under the real Lambda runtime client (test/helpers/real-runtime.ts), on the
// Node.js versions Lambda runs: test/fixtures/real-runtime-shapes.mjs. After each invocation the
// runtime process is stopped where Lambda would freeze it (at its next request for an event) and the
// mail is counted then: what is not sent by the time the runtime posts the outcome never would be.
const sesUrl = inject('sesUrl');

const { cannotBuild, nodes, skipReasons } = await runtimeTargets();

let entry = '';
let proxy: Awaited<ReturnType<typeof startSesProxy>>;
beforeAll(async () => {
  // Every send goes through a proxy that counts requests: a success must make none.
  proxy = await startSesProxy(sesUrl);
  if (cannotBuild !== undefined) return;
  ({ entry } = await ensureRealRuntime());
}, 600_000);
afterAll(async () => {
  await proxy?.stop();
});

/** What had happened once an invocation's outcome was posted: the mails so far and the SES requests. */
interface Sent {
  subjects: string[];
  sesRequests: number;
}

interface ShapeRun extends RuntimeRun<Sent> {
  /** Every mail of the run, in the order sent. */
  mails: StoredMail[];
}

const ok = { event: httpApiEvent({ path: '/ok' }) };
const fail = { event: httpApiEvent({ path: '/fail' }) };

/** Runs `handler` of the fixture for `invocations` under the runtime client on Node.js `major`. */
async function runShape(
  major: 22 | 24,
  handler: string,
  invocations: readonly Invocation[],
  env: Record<string, string> = {},
): Promise<ShapeRun> {
  const marker = randomUUID();
  const marked = async () =>
    (await readMailbox(sesUrl)).filter((mail) => mail.subject.includes(marker)).sort((a, b) => a.at - b.at);
  const startRequests = proxy.requests();
  const run = await runUnderRuntime({
    node: nodes[major] as string,
    major,
    entry,
    handler: `real-runtime-shapes.${handler}`,
    invocations,
    env: {
      AWS_ENDPOINT_URL_SES: proxy.url,
      ADMINS: 'ops@example.com',
      MANAGERS: 'web@example.com',
      SERVER_EMAIL: 'errors@example.com',
      EMAIL_SUBJECT_PREFIX: `[${marker}] `,
      ...env,
    },
    snapshot: async () => ({
      subjects: (await marked()).map((mail) => mail.subject.replace(`[${marker}] `, '')),
      sesRequests: proxy.requests() - startRequests,
    }),
  });
  return { ...run, mails: await marked() };
}

for (const major of [22, 24] as const) {
  const reason = skipReasons[major];
  describe.skipIf(reason !== undefined)(
    `handler shapes under aws-lambda-ric ${RIC_VERSION} on Node.js ${major}${reason === undefined ? '' : ` (skipped: ${reason})`}`,
    () => {
      it('runs a callback-style handler once wrapped, mails its error before the outcome is posted, and makes no SES call for its success', async () => {
        const run = await runShape(major, 'callback', [ok, fail]);

        expect(run.posted.map(({ kind }) => kind)).toEqual(['response', 'error']);
        expect(run.posted[0]?.body).toBe('{"statusCode":200,"body":"ok by callback"}');
        expect(JSON.parse(run.posted[1]?.body ?? '{}')).toMatchObject({
          errorType: 'Error',
          errorMessage: 'callback handler failed',
        });
        expect(run.snapshots).toEqual([
          { subjects: [], sesRequests: 0 },
          { subjects: ['ERROR (EXTERNAL IP): Internal Server Error: /fail'], sesRequests: 1 },
        ]);
        expect(run.mails[0]?.body.text).toContain('callback handler failed');
      });

      it('refuses the same callback-style handler unwrapped: the rule the wrapper lifts', async () => {
        const run = await runShape(major, 'bareCallback', [ok]);

        expect(
          run.posted.map(({ kind, headers }) => [kind, headers['lambda-runtime-function-error-type']]),
        ).toEqual([['init/error', 'Runtime.CallbackHandlerDeprecated']]);
      });

      it("mails a streamed response's error once, after the part already written went out", async () => {
        const run = await runShape(major, 'streaming', [fail]);

        // The part written went out; the runtime ended the stream with the error in its trailers.
        expect(run.posted.map(({ kind, body }) => ({ kind, body }))).toEqual([
          { kind: 'response', body: 'partial body ' },
        ]);
        expect(run.posted[0]?.trailers['lambda-runtime-function-error-type']).toBe('Error');
        const posted = Buffer.from(
          run.posted[0]?.trailers['lambda-runtime-function-error-body'] ?? '',
          'base64',
        );
        expect(JSON.parse(posted.toString('utf8'))).toMatchObject({
          errorMessage: 'stream failed after writing',
        });
        expect(run.snapshots).toEqual([
          { subjects: ['ERROR (EXTERNAL IP): Internal Server Error: /fail'], sesRequests: 1 },
        ]);
        expect(run.mails[0]?.body.text).toContain('stream failed after writing');
      });

      it('under middy: nothing for a success, a broken link to MANAGERS, a failure to ADMINS', async () => {
        const missing = {
          event: httpApiEvent({ path: '/missing', headers: { referer: 'https://api.example.com/orders' } }),
        };
        const run = await runShape(major, 'viaMiddy', [ok, missing, fail], {
          SEND_BROKEN_LINK_EMAILS: 'true',
        });

        expect(run.posted.map(({ kind }) => kind)).toEqual(['response', 'response', 'error']);
        expect(run.snapshots).toEqual([
          { subjects: [], sesRequests: 0 },
          { subjects: ['Broken INTERNAL link on api.example.com'], sesRequests: 1 },
          {
            subjects: [
              'Broken INTERNAL link on api.example.com',
              'ERROR (EXTERNAL IP): Internal Server Error: /fail',
            ],
            sesRequests: 2,
          },
        ]);
        expect(run.mails.map((mail) => mail.destination.to)).toEqual([
          ['web@example.com'],
          ['ops@example.com'],
        ]);
      });

      it('warns of a possible timeout before the deadline, and the invocation still returns its result', async () => {
        // A deadline 3 s away, the warning 2 s before it; the handler returns after 1.6 s.
        const run = await runShape(major, 'slow', [{ ...ok, deadlineInMs: 3000 }], {
          ERROR_MAIL_TIMEOUT_WARNING_MS: '2000',
          SLOW_MS: '1600',
        });

        expect(run.posted.map(({ kind, body }) => ({ kind, body }))).toEqual([
          { kind: 'response', body: '{"statusCode":200,"body":"late but fine"}' },
        ]);
        expect(run.snapshots[0]?.subjects).toHaveLength(1);
        expect(run.snapshots[0]?.subjects[0]).toMatch(/^WARNING \(EXTERNAL IP\): .*Possible timeout.*\/ok/);
      });
    },
  );
}
