import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import type { TlsOptions } from 'node:tls';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mail, mailManagers, withErrorMail } from '../../src/index.js';
import { createSmtpTransport } from '../../src/transports/smtp.js';
import { runCli, runNode } from '../helpers/cli.js';
import { httpApiEvent, lambdaContext } from '../helpers/events.js';
import { mailEnv } from '../helpers/recording-transport.js';
import { makeTestCertificate, type TestCertificate } from '../helpers/tls-cert.js';

const USER = 'mailer';
const PASSWORD = 'smtp-pw-never-shown';

/** A real SMTP server on 127.0.0.1 that writes down, in order, what each session did. */
interface TestSmtp {
  port: number;
  transcript: string[];
  received: ParsedMail[];
  /** How many client connections are open now. */
  openConnections(): number;
  /** Resolves true when the server has seen `count` connections close in all, false after `withinMs`. */
  closedConnections(count: number, withinMs: number): Promise<boolean>;
  close(): Promise<void>;
}

async function startSmtp(options: SMTPServerOptions): Promise<TestSmtp> {
  const transcript: string[] = [];
  const received: ParsedMail[] = [];
  const tls = (session: { secure: boolean }) => (session.secure ? ' [TLS]' : ' [plain]');
  let closes = 0;
  const closeWaiters = new Set<() => void>();
  const server = new SMTPServer({
    logger: false,
    ...options,
    onConnect(_session, callback) {
      transcript.push('connect');
      callback();
    },
    onSecure(_socket, _session, callback) {
      transcript.push('TLS established');
      callback();
    },
    onAuth(auth, session, callback) {
      const ok = auth.username === USER && auth.password === PASSWORD;
      transcript.push(`AUTH ${auth.method} ${auth.username}${tls(session)} ${ok ? 'accepted' : 'refused'}`);
      callback(ok ? null : new Error('Invalid username or password'), ok ? { user: USER } : undefined);
    },
    onMailFrom(address, session, callback) {
      transcript.push(`MAIL FROM ${address.address}${tls(session)}`);
      callback();
    },
    onRcptTo(address, session, callback) {
      transcript.push(`RCPT TO ${address.address}${tls(session)}`);
      callback();
    },
    onData(stream, session, callback) {
      transcript.push(`DATA${tls(session)}`);
      simpleParser(stream)
        .then((mail) => {
          received.push(mail);
          callback();
        })
        .catch(callback);
    },
    onClose() {
      closes += 1;
      for (const waiter of closeWaiters) waiter();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    transcript,
    received,
    openConnections: () => server.connections.size,
    closedConnections: (count, withinMs) =>
      new Promise<boolean>((resolve) => {
        const check = () => {
          if (closes < count) return;
          clearTimeout(timer);
          closeWaiters.delete(check);
          resolve(true);
        };
        const timer = setTimeout(() => {
          closeWaiters.delete(check);
          resolve(false);
        }, withinMs);
        closeWaiters.add(check);
        check();
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let certificate: TestCertificate;
let plain: TestSmtp;
let starttls: TestSmtp;
let implicitTls: TestSmtp;

beforeAll(async () => {
  certificate = makeTestCertificate();
  plain = await startSmtp({ authOptional: true, disabledCommands: ['STARTTLS'] });
  const identity: TlsOptions = { key: certificate.key, cert: certificate.cert };
  starttls = await startSmtp({ ...identity, authMethods: ['PLAIN', 'LOGIN'] });
  implicitTls = await startSmtp({ ...identity, secure: true, authMethods: ['PLAIN', 'LOGIN'] });
});
afterAll(async () => {
  await Promise.all([plain?.close(), starttls?.close(), implicitTls?.close()]);
  certificate?.remove();
});

/** Django's SMTP settings for one of the servers above; the child trusts the test certificate. */
function smtpEnv(server: TestSmtp, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...mailEnv(),
    EMAIL_HOST: '127.0.0.1',
    EMAIL_PORT: String(server.port),
    EMAIL_HOST_USER: USER,
    EMAIL_HOST_PASSWORD: PASSWORD,
    EMAIL_TIMEOUT: '5',
    NODE_EXTRA_CA_CERTS: certificate.certFile,
    ...extra,
  };
}

/** Runs the built package in a Lambda-like child process whose handler throws. */
function reportFromChild(env: Record<string, string>) {
  return runNode(new URL('../fixtures/report-over-smtp.mjs', import.meta.url).pathname, [], env);
}

describe('the SMTP backend', () => {
  it('is chosen by EMAIL_HOST and delivers the report to every admin', async () => {
    const failure = new Error('smtp path');
    const before = plain.received.length;
    const handler = withErrorMail(
      async () => {
        throw failure;
      },
      { env: mailEnv({ EMAIL_HOST: '127.0.0.1', EMAIL_PORT: String(plain.port), EMAIL_TIMEOUT: '5' }) },
    );

    const caught = await handler(httpApiEvent({ path: '/smtp' }), lambdaContext()).catch((e: unknown) => e);

    expect(caught).toBe(failure);
    const mail = plain.received[before];
    expect(plain.received).toHaveLength(before + 1);
    expect(mail?.subject).toBe('[shop] ERROR (EXTERNAL IP): Internal Server Error: /smtp');
    expect(mail?.text).toContain('Error at /smtp\nsmtp path');
    expect(mail?.html).toContain('Error at /smtp');
  });

  it('delivers the mail of mailManagers, with its HTML part and the automatic-mail headers', async () => {
    const before = plain.received.length;
    const env = mailEnv({ EMAIL_HOST: '127.0.0.1', EMAIL_PORT: String(plain.port), EMAIL_TIMEOUT: '5' });

    await mailManagers('New sign-up', 'ada@example.org signed up.', {
      html: '<p>ada@example.org signed up.</p>',
      env,
      failSilently: false,
    });

    expect(plain.received).toHaveLength(before + 1);
    const mail = plain.received[before];
    expect(mail?.subject).toBe('[shop] New sign-up');
    expect(mail?.from?.text).toBe('errors@example.com');
    expect(mail?.to).toMatchObject({ text: 'content@example.com' });
    expect(mail?.text).toBe('ada@example.org signed up.');
    expect(mail?.html).toBe('<p>ada@example.org signed up.</p>');
    expect(mail?.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('upgrades with STARTTLS before it logs in, with EMAIL_USE_TLS, and the caller keeps its error', async () => {
    starttls.transcript.length = 0;
    const before = starttls.received.length;

    const result = await reportFromChild(smtpEnv(starttls, { EMAIL_USE_TLS: 'true' }));

    expect(result.stdout).toBe('{"rethrown":true}');
    expect(result.stderr).toBe('');
    expect(starttls.transcript).toEqual([
      'connect',
      'TLS established',
      `AUTH PLAIN ${USER} [TLS] accepted`,
      'MAIL FROM errors@example.com [TLS]',
      'RCPT TO ops@example.com [TLS]',
      'RCPT TO mary@example.com [TLS]',
      'DATA [TLS]',
    ]);
    const mail = starttls.received[before];
    expect(mail?.subject).toBe('[shop] ERROR (EXTERNAL IP): Internal Server Error: /smtp');
    expect(mail?.text).toContain('Error at /smtp\nsmtp over starttls');
    expect(mail?.text).not.toContain(PASSWORD);
    expect(mail?.text).toContain(`EMAIL_HOST_PASSWORD = '********************'`);
  });

  it('speaks TLS from the first byte with EMAIL_USE_SSL', async () => {
    implicitTls.transcript.length = 0;

    const result = await runCli(
      ['sendtestemail', '--admins'],
      smtpEnv(implicitTls, { EMAIL_USE_SSL: 'true' }),
    );

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`SMTP 127.0.0.1:${implicitTls.port} (TLS, a login)`);
    expect(implicitTls.transcript.slice(0, 3)).toEqual([
      'connect',
      'TLS established',
      `AUTH PLAIN ${USER} [TLS] accepted`,
    ]);
    expect(implicitTls.received.at(-1)?.text).toBe('This email was sent to the site admins.\n');
  });

  it('sends nothing, and never the password, when the login is refused', async () => {
    starttls.transcript.length = 0;

    const result = await runCli(
      ['sendtestemail', '--admins'],
      smtpEnv(starttls, { EMAIL_USE_TLS: 'true', EMAIL_HOST_PASSWORD: 'wrong-pw-never-shown' }),
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Not sent to ADMINS .*Invalid login: 535/m);
    expect(result.stdout + result.stderr).not.toContain('wrong-pw-never-shown');
    expect(starttls.transcript).toEqual(['connect', 'TLS established', `AUTH PLAIN ${USER} [TLS] refused`]);
  });

  it('closes the connection after a refused login, so the command exits at once, not at the server idle timeout', async () => {
    // Its own server: only the one connection of this test is counted. Its idle
    // timeout is the 60 s default, and the child is given no EMAIL_TIMEOUT, so
    // nothing but the command itself ends the connection within the test.
    const identity: TlsOptions = { key: certificate.key, cert: certificate.cert };
    const refusing = await startSmtp({
      ...identity,
      authMethods: ['PLAIN', 'LOGIN'],
      socketTimeout: 60_000,
      closeTimeout: 1_000,
    });
    try {
      const { EMAIL_TIMEOUT: _timeout, ...env } = smtpEnv(refusing, {
        EMAIL_USE_TLS: 'true',
        EMAIL_HOST_PASSWORD: 'wrong-pw-never-shown',
      });

      const started = performance.now();
      const result = await runCli(['sendtestemail', '--admins'], env, { timeoutMs: 15_000 });
      const elapsed = performance.now() - started;

      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^Not sent to ADMINS .*Invalid login: 535 Invalid username or password/m);
      expect(refusing.transcript).toEqual(['connect', 'TLS established', `AUTH PLAIN ${USER} [TLS] refused`]);
      // The command sets an exit code and lets the event loop drain, so it ends
      // only once its socket is closed: by the time it has, the server has seen
      // the close, long before its own idle timeout would have ended the session.
      expect(refusing.openConnections()).toBe(0);
      expect(await refusing.closedConnections(1, 1_000)).toBe(true);
      // A bound on a hang (the command used to wait for the server's 60 s idle timeout), not a benchmark.
      expect(elapsed).toBeLessThan(10_000);
    } finally {
      await refusing.close();
    }
  });

  it('closes the connection itself after a refused login, without an abort', async () => {
    const refusing = await startSmtp({
      authMethods: ['PLAIN', 'LOGIN'],
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      socketTimeout: 60_000,
      closeTimeout: 1_000,
    });
    try {
      const transport = createSmtpTransport({
        host: '127.0.0.1',
        port: refusing.port,
        user: USER,
        password: 'wrong-pw-never-shown',
        useTls: false,
        useSsl: false,
        timeoutSeconds: undefined,
      });
      const mail: Mail = {
        from: 'errors@example.com',
        to: ['ops@example.com'],
        subject: 'refused',
        text: 'never sent\n',
        html: undefined,
      };
      const controller = new AbortController();

      await expect(transport.send(mail, controller.signal)).rejects.toThrow(/Invalid login: 535/);

      expect(await refusing.closedConnections(1, 2_000)).toBe(true);
      expect(refusing.openConnections()).toBe(0);
      expect(controller.signal.aborted).toBe(false);
      expect(refusing.received).toEqual([]);
    } finally {
      await refusing.close();
    }
  });

  it('refuses to log in over a plain connection when EMAIL_USE_TLS is on and the server offers no STARTTLS', async () => {
    plain.transcript.length = 0;

    const result = await runCli(['sendtestemail', '--admins'], smtpEnv(plain, { EMAIL_USE_TLS: 'true' }));

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Not sent to ADMINS .*STARTTLS/m);
    expect(plain.transcript).toEqual(['connect']);
  });

  it('refuses a server whose certificate it does not trust', async () => {
    starttls.transcript.length = 0;
    const { NODE_EXTRA_CA_CERTS: _trusted, ...untrusting } = smtpEnv(starttls, { EMAIL_USE_TLS: 'true' });

    const result = await runCli(['sendtestemail', '--admins'], untrusting);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Not sent to ADMINS .*self[- ]signed certificate/m);
    expect(starttls.transcript.filter((line) => line.startsWith('AUTH'))).toEqual([]);
  });

  it('gives up at the send budget on a server that never greets, closes the connection and keeps the error', async () => {
    const sockets: Socket[] = [];
    let closed = 0;
    const silent = createTcpServer((socket) => {
      sockets.push(socket);
      socket.on('close', () => {
        closed += 1;
      });
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const logs: Record<string, unknown>[] = [];
    const failure = new Error('smtp never answers');
    const handler = withErrorMail(
      async () => {
        throw failure;
      },
      {
        env: mailEnv({
          EMAIL_HOST: '127.0.0.1',
          EMAIL_PORT: String((silent.address() as AddressInfo).port),
          ERROR_MAIL_SEND_BUDGET_MS: '300',
        }),
        log: (record) => logs.push(record),
      },
    );

    const caught = await handler(httpApiEvent({ path: '/silent' }), lambdaContext()).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(caught).toBe(failure);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'error mail not sent',
        reason: expect.stringContaining('300 ms budget'),
      }),
    ]);
    expect(sockets).toHaveLength(1);
    expect(closed).toBe(1);
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});
