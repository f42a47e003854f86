import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { runNode } from '../helpers/cli.js';
import { mailsMarked, reportingEnv, type StoredMail } from '../helpers/local-ses.js';

// Lambda Managed Instances run many invocations at once in one process, never frozen: 64 overlapping
// invocations with every outcome (test/fixtures/managed-instances.mjs), mail read from the local SES.
const sesUrl = inject('sesUrl');
const FIXTURE = new URL('../fixtures/managed-instances.mjs', import.meta.url).pathname;

const text = (mail: StoredMail) => (mail.body.text ?? '').replace(/\r\n/g, '\n');

describe('64 invocations at once in one process (Managed Instances)', () => {
  it('mails each failure once with only its own request, and gives each caller its own result', async () => {
    const marker = randomUUID();
    const { stdout } = await runNode(
      FIXTURE,
      [],
      {
        ...reportingEnv(sesUrl, marker),
        MANAGERS: 'web@example.com',
        SEND_BROKEN_LINK_EMAILS: 'true',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances',
        AWS_LAMBDA_MAX_CONCURRENCY: '64',
        // The per-minute cap is the process's: above the 48 distinct failures here.
        ERROR_MAIL_MAX_PER_MINUTE: '100',
      },
      { timeoutMs: 60_000 },
    );
    const { results, flood } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');

    // Each caller got what its own invocation produced.
    expect(results).toEqual(
      Array.from(
        { length: 64 },
        (_, index) =>
          [
            { statusCode: 200, body: `ok ${index}` },
            { threw: `order ${index} failed at /orders/${index}` },
            { statusCode: 503, body: `busy ${index}` },
            { statusCode: 404, body: `no order ${index}` },
          ][index % 4],
      ),
    );
    expect(flood).toEqual(Array.from({ length: 16 }, () => ({ threw: 'payments service down' })));

    // 16 thrown, 16 returned 503 and 16 broken links, each mailed once; the 16 identical failures once.
    const mails = await mailsMarked(sesUrl, marker, 49, 20_000);
    expect(mails).toHaveLength(49);
    const failing = Array.from({ length: 64 }, (_, index) => index).filter((index) => index % 4 !== 0);
    const byPath = new Map<string, StoredMail[]>();
    for (const mail of mails) {
      const path = /\/orders\/\d+|\/pay/.exec(mail.subject)?.[0] ?? text(mail).match(/\/orders\/\d+/)?.[0];
      byPath.set(path ?? '?', [...(byPath.get(path ?? '?') ?? []), mail]);
    }
    expect(byPath.get('/pay')).toHaveLength(1);
    for (const index of failing) {
      const own = mails.filter(
        (mail) => text(mail).includes(`/orders/${index}\n`) || mail.subject.endsWith(`/orders/${index}`),
      );
      expect(own, `the mails of /orders/${index}`).toHaveLength(1);
      const [mail] = own as [StoredMail];
      const body = text(mail);
      // Only its own request: no other invocation's path or request id anywhere in its mail.
      const paths = new Set(body.match(/\/orders\/\d+/g));
      expect([...paths], `paths in the mail of /orders/${index}`).toEqual([`/orders/${index}`]);
      if (index % 4 === 3) {
        expect(mail.subject).toBe(`[${marker}] Broken INTERNAL link on api.example.com`);
        expect(mail.destination.to).toEqual(['web@example.com']);
        expect(body).toContain(`Requested URL: /orders/${index}\n`);
      } else {
        expect(mail.destination.to).toEqual(['ops@example.com']);
        expect(new Set(body.match(/req-\d+/g))).toEqual(new Set([`req-${index}`]));
        expect(mail.subject).toBe(
          `[${marker}] ERROR (EXTERNAL IP): ${index % 4 === 1 ? 'Internal Server Error' : 'Service Unavailable'}: /orders/${index}`,
        );
      }
    }
  }, 90_000);

  it('mails "Timed out" once for an invocation still running past its deadline, and nothing for its later error', async () => {
    const marker = randomUUID();
    const { stdout } = await runNode(
      FIXTURE,
      ['past-deadline'],
      {
        ...reportingEnv(sesUrl, marker),
        AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances',
        ERROR_MAIL_TIMEOUT_WARNING_MS: '1000',
      },
      { timeoutMs: 30_000 },
    );

    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
      caught: { threw: 'orders-db: socket closed after the deadline' },
    });
    // The process has exited: every mail it would send is in the mailbox.
    const mails = await mailsMarked(sesUrl, marker, 3, 1000);
    expect(mails.map((mail) => mail.subject)).toEqual([
      `[${marker}] WARNING (EXTERNAL IP): Possible timeout: /slow`,
      `[${marker}] ERROR (EXTERNAL IP): Timed out: /slow`,
    ]);
    expect(text(mails[1] as StoredMail)).toMatch(
      /Still running after 1,5\d\d ms, its timeout 2,000 ms: \d+ ms past the deadline, and nothing stops it \(Lambda Managed Instances\)\./,
    );
  }, 60_000);
});
