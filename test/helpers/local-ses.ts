import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

type StartSes = (config: { host: string; port: number }) => Promise<Server>;
const startSes = createRequire(import.meta.url)('aws-ses-v2-local').default as StartSes;

/** A mail as the local SES emulator stores it. */
export interface StoredMail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/** Starts the SES emulator in this process on 127.0.0.1 and a free port. */
export async function startLocalSes(port = 0): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = await startSes({ host: '127.0.0.1', port });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Every mail the emulator at `url` has captured. */
export async function readMailbox(url: string): Promise<StoredMail[]> {
  const response = await fetch(`${url}/store`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`GET ${url}/store answered ${response.status}`);
  const store = (await response.json()) as { emails: StoredMail[] };
  return store.emails;
}

/**
 * The captured mails whose subject contains `marker`, waiting up to
 * `timeoutMs` for at least `count` of them (test files share one emulator,
 * so each test marks its mail with its own subject prefix).
 */
export async function mailsMarked(
  url: string,
  marker: string,
  count = 1,
  timeoutMs = 5000,
): Promise<StoredMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = (await readMailbox(url)).filter((mail) => mail.subject.includes(marker));
    if (mails.length >= count || Date.now() > deadline) return mails;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The settings a child process reporting to the local SES at `endpoint` needs: the recipients, a
 * subject prefix carrying `marker` (what `mailsMarked` finds its mail by), a region and credentials
 * the SDK can sign with (the emulator takes any).
 */
export function reportingEnv(endpoint: string, marker: string): Record<string, string> {
  return {
    ADMINS: 'ops@example.com',
    SERVER_EMAIL: 'errors@example.com',
    EMAIL_SUBJECT_PREFIX: `[${marker}] `,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local-test-key',
    AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    AWS_ENDPOINT_URL_SES: endpoint,
  };
}
