import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { readMailbox } from '../helpers/local-ses.js';

const sesUrl = inject('sesUrl');
const EVENTS = new URL('../../events/', import.meta.url);
const event = (name: string) => new URL(name, EVENTS).pathname;

/** The environment of a stage whose SES is the local emulator. */
function stageEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local-test-key',
    AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    AWS_ENDPOINT_URL_SES: sesUrl,
    ADMINS: 'ops@example.com,"Ng, Mary" <mary@example.com>',
    MANAGERS: 'content@example.com',
    SERVER_EMAIL: 'errors@example.com',
    ...extra,
  };
}

describe('lambda-error-mail sendtestemail', () => {
  it('sends one mail to ADMINS and one to MANAGERS through SES, each with the subject prefix', async () => {
    const marker = randomUUID();

    const result = await runCli(
      ['sendtestemail', '--admins', '--managers'],
      stageEnv({ EMAIL_SUBJECT_PREFIX: `[${marker}] ` }),
    );

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `Sending from errors@example.com through Amazon SES (SendRawEmail) in us-east-1, endpoint ${sesUrl}`,
    );
    expect(result.stdout).toMatch(
      /Sent to ADMINS \(ops@example.com, "Ng, Mary" <mary@example.com>\): "\[.+\] Test email from .+ on \d{4}-/,
    );
    expect(result.stdout).toMatch(/Sent to MANAGERS \(content@example.com\)/);
    const mails = (await readMailbox(sesUrl)).filter((mail) =>
      mail.subject.startsWith(`[${marker}] Test email from `),
    );
    expect(mails.map((mail) => [mail.destination.to, mail.body.text])).toEqual([
      [['ops@example.com, "Ng, Mary" <mary@example.com>'], 'This email was sent to the site admins.\n'],
      [['content@example.com'], 'This email was sent to the site managers.\n'],
    ]);
    expect(mails.every((mail) => mail.from === 'errors@example.com')).toBe(true);
  });

  it('sends one mail, without the prefix, to the addresses given', async () => {
    const to = [`a-${randomUUID()}@example.com`, `b-${randomUUID()}@example.com`];

    const result = await runCli(['sendtestemail', ...to], stageEnv({ EMAIL_SUBJECT_PREFIX: '[never] ' }));

    expect(result.code).toBe(0);
    const mails = (await readMailbox(sesUrl)).filter((mail) =>
      mail.destination.to.join().includes(to[0] as string),
    );
    expect(mails).toHaveLength(1);
    expect(mails[0]?.destination.to).toEqual([to.join(', ')]);
    expect(mails[0]?.subject).toMatch(/^Test email from /);
    expect(mails[0]?.body.text).toBe("If you're reading this, it was successful.\n");
  });

  it.each([
    [[], {}, 'You must specify some email recipients, or pass the --managers or --admins options.'],
    [['ops@'], {}, 'not an e-mail address: "ops@"'],
    [['--admins'], { ADMINS: '' }, '`--admins`: ADMINS is empty'],
    [['--managers'], { MANAGERS: '' }, '`--managers`: MANAGERS is empty'],
    [['--everyone'], {}, "Unknown option '--everyone'"],
  ])('refuses %j with exit code 2 and says why', async (args, extra, message) => {
    const result = await runCli(['sendtestemail', ...args], stageEnv(extra));

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Run `lambda-error-mail sendtestemail --help` for usage.');
    expect(result.stdout).toBe('');
  });

  it('lists every invalid setting and exits 2 before sending anything', async () => {
    const result = await runCli(
      ['sendtestemail', '--admins'],
      stageEnv({ ADMINS: 'ops@', EMAIL_PORT: 'x', EMAIL_HOST_PASSWORD: 'pw-never-printed' }),
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('2 invalid settings');
    expect(result.stderr).toContain('`ADMINS`');
    expect(result.stderr).toContain('`EMAIL_PORT`');
    expect(result.stderr + result.stdout).not.toContain('pw-never-printed');
  });

  it('exits 1 and prints the reason when SES cannot be reached', async () => {
    const result = await runCli(
      ['sendtestemail', '--admins'],
      stageEnv({ AWS_ENDPOINT_URL_SES: 'http://127.0.0.1:9' }),
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^Not sent to ADMINS \(ops@example.com, "Ng, Mary" <mary@example.com>\): SesSendError: SES SendRawEmail failed: ECONNREFUSED/m,
    );
    expect(result.stderr).not.toContain('local-test-secret');
  });
});

describe('lambda-error-mail preview', () => {
  it('prints the headers and text part of the server-error mail for an event, and sends nothing', async () => {
    const marker = randomUUID();
    const before = (await readMailbox(sesUrl)).length;

    const result = await runCli(
      ['preview', event('http-api-500.json'), '--throw', 'TypeError: price is undefined'],
      stageEnv({ EMAIL_SUBJECT_PREFIX: `[${marker}] `, AWS_LAMBDA_FUNCTION_NAME: 'shop-prod-api' }),
    );

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^From: errors@example.com\nTo: ops@example.com, "Ng, Mary" <mary@example.com>\n/,
    );
    expect(result.stdout).toContain(
      `Subject: [${marker}] ERROR (EXTERNAL IP): Internal Server Error: /boom\n`,
    );
    expect(result.stdout).toContain('TypeError at /boom\nprice is undefined\n');
    expect(result.stdout).toContain('log-group/$252Faws$252Flambda$252Fshop-prod-api');
    expect(result.stderr).toContain('Nothing was sent.');
    expect((await readMailbox(sesUrl)).length).toBe(before);
  });

  it('writes the HTML part to a .html file and the whole MIME message to a .eml file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lem-preview-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const html = join(dir, 'mail.html');
    const eml = join(dir, 'mail.eml');

    const toHtml = await runCli(
      ['preview', event('sqs.json'), '--out', html],
      stageEnv({ AWS_LAMBDA_FUNCTION_NAME: 'worker' }),
    );
    const toEml = await runCli(
      ['preview', event('sqs.json'), '--out', eml],
      stageEnv({ AWS_LAMBDA_FUNCTION_NAME: 'worker' }),
    );

    expect([toHtml.code, toEml.code]).toEqual([0, 0]);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!DOCTYPE html>.*<h1 style="[^"]*">Error<\/h1>/s);
    const parsed = await simpleParser(readFileSync(eml));
    expect(parsed.subject).toBe('[worker] ERROR: Error in worker (SQS orders-queue)');
    expect(parsed.text).toContain('Test error from lambda-error-mail preview');
    expect(parsed.html).toContain('Raw event (scrubbed)');
    expect(toEml.stderr).toMatch(/Wrote .*mail\.eml \([\d,]+ bytes, the whole MIME message\)/);
  });

  it('renders the broken-link mail for --status 404 when SEND_BROKEN_LINK_EMAILS is on, read from standard input', async () => {
    const result = await runCli(
      ['preview', '-', '--status', '404'],
      stageEnv({ SEND_BROKEN_LINK_EMAILS: 'true' }),
      {
        stdin: readFileSync(event('http-api-404.json'), 'utf8'),
      },
    );

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('To: content@example.com\n');
    expect(result.stdout).toContain(
      'Referrer: https://abc123.execute-api.us-east-1.amazonaws.com/hello\nRequested URL: /missing?page=2\n',
    );
  });

  it.each([
    [['--status', '404'], {}, 'SEND_BROKEN_LINK_EMAILS is false'],
    [['--status', '404'], { SEND_BROKEN_LINK_EMAILS: 'true', MANAGERS: '' }, 'MANAGERS is empty'],
    [['--status', '200'], {}, 'not an error'],
    [[], { ADMINS: '' }, 'ADMINS is empty'],
  ])(
    'exits 1 and names the reason when the settings would send no mail (%j)',
    async (args, extra, reason) => {
      const result = await runCli(['preview', event('http-api-404.json'), ...args], stageEnv(extra));

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`No mail: these settings send nothing for this event (${reason}).`);
    },
  );

  it('previews a stage with DEBUG=true as if DEBUG were off', async () => {
    const result = await runCli(['preview', event('http-api-500.json')], stageEnv({ DEBUG: 'true' }));

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Internal Server Error: /boom');
  });

  it.each([
    [['--throw', 'Error: x', '--status', '500'], '`--throw` and `--status` describe two different outcomes'],
    [['--status', '42'], '`--status` must be an HTTP status from 100 to 599; got "42"'],
    [['--out', 'mail.txt'], '`--out` must name a .eml or .html file; got "mail.txt"'],
  ])('refuses %j with exit code 2', async (args, message) => {
    const result = await runCli(['preview', event('http-api-500.json'), ...args], stageEnv());

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('exits 2 when the event file is missing or not JSON', async () => {
    const missing = await runCli(['preview', '/nonexistent/event.json'], stageEnv());
    const garbled = await runCli(['preview', '-'], stageEnv(), { stdin: '{"version": ' });

    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read /nonexistent/event.json: ENOENT');
    expect(garbled.code).toBe(2);
    expect(garbled.stderr).toContain('standard input is not JSON');
  });
});

describe('lambda-error-mail check-config', () => {
  it('prints the effective settings, marks defaults and masks the SMTP login', async () => {
    const result = await runCli(
      ['check-config'],
      stageEnv({
        EMAIL_HOST: 'smtp.example.com',
        EMAIL_PORT: '587',
        EMAIL_USE_TLS: 'true',
        EMAIL_HOST_USER: 'mailer-user',
        EMAIL_HOST_PASSWORD: 'pw-never-printed',
      }),
    );

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}ADMINS +ops@example.com, "Ng, Mary" <mary@example.com>$/m);
    expect(result.stdout).toMatch(/^ {2}EMAIL_BACKEND +smtp \(default\)$/m);
    expect(result.stdout).toMatch(/^ {2}EMAIL_HOST_PASSWORD +\*{20}$/m);
    expect(result.stdout).toMatch(/^ {2}EMAIL_HOST_USER +\*{20}$/m);
    expect(result.stdout).toMatch(/^ {2}ERROR_MAIL_THROTTLE_SECONDS +300 \(default\)$/m);
    expect(result.stdout).toContain('Mail goes out through SMTP smtp.example.com:587 (STARTTLS, a login).');
    expect(result.stdout).toContain('Server errors: mailed to 2 addresses in ADMINS.');
    expect(result.stdout).toContain('Broken links: not mailed (SEND_BROKEN_LINK_EMAILS is false).');
    expect(result.stdout + result.stderr).not.toMatch(/pw-never-printed|mailer-user/);
  });

  it('prints the warnings a cold start would log', async () => {
    const result = await runCli(['check-config'], { ADMINS: 'ops@example.com', DEBUG: 'express:*' });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Warnings:');
    expect(result.stdout).toContain('DEBUG="express:*" is not a boolean');
    expect(result.stdout).toContain('SERVER_EMAIL is not set');
  });

  it('exits 2 and lists every invalid setting', async () => {
    const result = await runCli(['check-config'], {
      ADMINS: 'ops@',
      DEBUG: 'true',
      ERROR_MAIL_MAX_BYTES: '10',
      EMAIL_BACKEND: 'pigeon',
    });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('3 invalid settings');
    expect(result.stderr).toMatch(/`ADMINS`.*got "ops@"/);
    expect(result.stderr).toMatch(/`ERROR_MAIL_MAX_BYTES`: a whole number from 16384 to 10485760; got "10"/);
    expect(result.stderr).toMatch(/`EMAIL_BACKEND`: one of "ses", "smtp", "console"; got "pigeon"/);
  });
});

describe('lambda-error-mail', () => {
  it.each(['sendtestemail', 'preview', 'check-config'])(
    'prints the usage of %s with --help and exits 0',
    async (command) => {
      const result = await runCli([command, '--help'], {});

      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: lambda-error-mail ${command}`));
      expect(result.stdout).toContain('Exit codes:');
    },
  );

  it('lists the commands without arguments (exit 2) and refuses an unknown one (exit 2)', async () => {
    const bare = await runCli([], {});
    const unknown = await runCli(['deploy'], {});

    expect(bare.code).toBe(2);
    expect(bare.stdout).toContain('sendtestemail [--admins] [--managers] [address...]');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'unknown command "deploy"; the commands are sendtestemail, preview, check-config',
    );
  });

  it('stops quietly when the reader has closed the pipe, as `| head -1` does', async () => {
    const child = spawn(process.execPath, [CLI, 'check-config'], {
      env: { PATH: process.env.PATH ?? '', ADMINS: 'ops@example.com' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // Close our end before the command writes, as head has by the time a long output reaches it.
    child.stdout.destroy();

    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
