import { afterEach, describe, expect, it, vi } from 'vitest';
import { withErrorMail } from '../../src/index.js';
import { httpApiEvent, lambdaContext } from '../helpers/events.js';
import { mailEnv } from '../helpers/recording-transport.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('EMAIL_BACKEND=console', () => {
  it('writes the whole MIME message to standard output instead of sending it', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const failure = new Error('printed, not sent');
    const handler = withErrorMail(
      async () => {
        throw failure;
      },
      { env: mailEnv({ EMAIL_BACKEND: 'console' }) },
    );

    const caught = await handler(httpApiEvent({ path: '/console' }), lambdaContext()).catch(
      (e: unknown) => e,
    );

    expect(caught).toBe(failure);
    const output = written.join('');
    expect(output).toContain('Subject: [shop] ERROR (EXTERNAL IP): Internal Server Error: /console');
    expect(output).toContain('From: errors@example.com');
    expect(output).toMatch(/To: ops@example.com, "Ng, Mary" <mary@example.com>/);
    expect(output).toContain('Content-Type: multipart/alternative');
    expect(output).toContain('Content-Type: text/html');
  });
});
