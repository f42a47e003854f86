import { afterEach, describe, expect, it, vi } from 'vitest';
import { withErrorMail } from '../../../src/index.js';
import { lambdaContext } from '../../helpers/context.js';
import { httpApiEvent } from '../../helpers/events.js';
import { mailEnv } from '../../helpers/recording-transport.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('EMAIL_BACKEND=console', () => {
  it('writes the mail to standard output as one JSON line instead of sending it', async () => {
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

    const caught = await handler(
      httpApiEvent({ path: '/console', headers: { 'x-note': 'line one\nline two' } }),
      lambdaContext(),
    ).catch((e: unknown) => e);

    expect(caught).toBe(failure);
    const output = written.join('');
    expect(output.endsWith('\n')).toBe(true);
    expect(output.slice(0, -1)).not.toContain('\n');
    const record = JSON.parse(output) as Record<string, unknown>;
    expect(record).toMatchObject({
      level: 'INFO',
      from: 'errors@example.com',
      to: ['ops@example.com', '"Ng, Mary" <mary@example.com>'],
      subject: '[shop] ERROR (EXTERNAL IP): Internal Server Error: /console',
    });
    expect(record.text).toContain('Error at /console\nprinted, not sent');
    expect(record.text).toContain("x-note = 'line one\\nline two'");
    expect(record.html).toContain('<h1 style=');
    expect(record.messageId).toMatch(/^<[0-9a-f]{16}\.0\.[0-9a-z]+@lambda-error-mail>$/);
  });
});
