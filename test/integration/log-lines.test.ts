import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { SETTINGS } from '../../src/config/settings.js';
import { runNode } from '../helpers/cli.js';
import { mailsMarked, reportingEnv, type StoredMail } from '../helpers/local-ses.js';

const sesUrl = inject('sesUrl');
const FIXTURE = new URL('../fixtures/log-lines.mjs', import.meta.url).pathname;
const DEFAULT_MAX_BYTES = SETTINGS.maxBytes.default;

/** Runs one scenario of the fixture in a fresh process against the local SES; its mails, by subject. */
async function scenario(
  name: string,
  count: number,
  /** The value of ERROR_MAIL_CAPTURE_LOGS; null: not set. */
  capture: string | null = 'true',
  env: Record<string, string> = {},
): Promise<{ mails: StoredMail[]; stdout: string; stderr: string }> {
  const marker = randomUUID();
  const { stdout, stderr } = await runNode(FIXTURE, [name], {
    ...reportingEnv(sesUrl, marker),
    ...(capture === null ? {} : { ERROR_MAIL_CAPTURE_LOGS: capture }),
    ...env,
  });
  return { mails: await mailsMarked(sesUrl, marker, count), stdout, stderr };
}

const text = (mail: StoredMail | undefined) => (mail?.body.text ?? '').replace(/\r\n/g, '\n');
/** The text part's log section: from its title to the blank line that ends it. */
const logSection = (mail: StoredMail | undefined) => {
  const body = text(mail);
  const start = body.indexOf('Log lines (this invocation):');
  return start < 0 ? '' : body.slice(start, body.indexOf('\n\n', start));
};

describe("a failing invocation's mail", () => {
  it.each(['wrapper', 'middy', 'wrapper-around-middy', 'middy-around-wrapper'])(
    'shows the lines it logged, each with its level, and none of the invocation before (%s)',
    async (name) => {
      const { mails, stdout } = await scenario(name, 1);

      expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '').outcomes).toEqual([
        'returned',
        'threw failed after logging B',
      ]);
      expect(mails).toHaveLength(1);
      const lines = logSection(mails[0]).split('\n');
      expect(lines[0]).toBe('Log lines (this invocation):');
      const shown = lines.slice(1).map((line) => line.replace(/^\s*\+[\d,]+ ms /, ''));
      // Node.js's console, outside the Lambda runtime, writes the streams: the level is the stream's,
      // or the JSON line's own (the real runtime's frames carry theirs: test/e2e/real-runtime.test.ts).
      expect(shown).toEqual([
        'stdout B log { order: 42 }',
        'stdout B info',
        'stderr B warn',
        'stderr B error password=********************',
        'stdout B debug',
        'INFO   {"level":"INFO","message":"B json","apiKey":"********************"}',
        'stderr B stderr',
      ]);
      const html = mails[0]?.body.html ?? '';
      const htmlLogs = html.slice(
        html.indexOf('Log lines (this invocation)'),
        html.indexOf('<h2', html.indexOf('Log lines (this invocation)')),
      );
      expect(htmlLogs).toMatch(/data-log-level="stderr"[^>]*>.*B error password=\*+/);
      expect(htmlLogs.match(/data-log-level=/g)).toHaveLength(7);
      // Nothing of the first invocation, or of the time between the two; no secret anywhere.
      expect(`${logSection(mails[0])}${htmlLogs}`).not.toMatch(/A log|A info|between the invocations/);
      expect(`${text(mails[0])}${html}`).not.toMatch(/hunter2|k-B/);
    },
  );

  it('keeps a mail of 5,000 log lines under the size cap, with the last lines and how many came before', async () => {
    const { mails } = await scenario('many', 1);

    const section = logSection(mails[0]);
    expect(section).toContain('(4,900 earlier lines left out)');
    expect(section).toMatch(/progress 4999 of 5000$/);
    expect(section.split('\n').filter((line) => line.includes('progress'))).toHaveLength(100);
    // Both parts within ERROR_MAIL_MAX_BYTES's default.
    const bytes = Buffer.byteLength(text(mails[0])) + Buffer.byteLength(mails[0]?.body.html ?? '');
    expect(bytes).toBeLessThan(DEFAULT_MAX_BYTES);
  });

  it('never shows a line of another invocation running at the same time, and shows lines again once it runs alone', async () => {
    const { mails } = await scenario('overlapping', 3);

    const bySubject = (path: string) => mails.find((mail) => mail.subject.includes(path));
    for (const path of ['/one', '/two']) {
      expect(logSection(bySubject(path))).toBe(
        'Log lines (this invocation): not shown: other invocations ran in this process at the same time, and nothing tells their lines apart.',
      );
    }
    expect(logSection(mails.find((mail) => mail.subject.includes('alone')))).toMatch(/stdout alone again$/);
  });

  it('shows the lines logged so far in a possible-timeout warning', async () => {
    const { mails } = await scenario('timeout', 1);

    expect(mails[0]?.subject).toContain('Possible timeout');
    expect(logSection(mails[0])).toMatch(
      /^Log lines \(this invocation\):\n\s*\+\d+ ms stdout C waiting for the payment service$/,
    );
  });

  it("leaves the library's own output out: the console backend's printed mail, a log option's lines", async () => {
    const { stdout } = await scenario('own-lines', 0, 'true', { EMAIL_BACKEND: 'console' });

    const printed = stdout
      .split('\n')
      .filter((line) => line.startsWith('{"level":"INFO","message":"error mail (EMAIL_BACKEND=console'))
      .map((line) => JSON.parse(line) as { subject: string; text: string });
    expect(printed.map((mail) => mail.subject.replace(/^\[[^\]]+\] /, ''))).toEqual([
      'WARNING (EXTERNAL IP): Possible timeout: /own',
      'ERROR (EXTERNAL IP): Internal Server Error: /own',
    ]);
    const section = logSection({ body: { text: printed[1]?.text ?? '' } } as StoredMail);
    expect(section).toMatch(/^Log lines \(this invocation\):\n\s*\+\d+ ms stdout D before the wait$/);
  });

  it.each(['false', null])(
    'shows no log section with ERROR_MAIL_CAPTURE_LOGS=%s (off by default)',
    async (value) => {
      const { mails } = await scenario('wrapper', 1, value);

      expect(text(mails[0])).toContain('failed after logging B');
      expect(text(mails[0])).not.toContain('Log lines');
    },
  );
});
