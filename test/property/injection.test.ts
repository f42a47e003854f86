import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import '../helpers/fast-check.js';
import { type Mail, withErrorMail } from '../../src/index.js';
import { composeMime } from '../../src/transports/compose.js';
import { httpApiEvent, lambdaContext, restEvent } from '../helpers/events.js';
import { mailEnv, recordingTransport } from '../helpers/recording-transport.js';

// What an attacker puts into a request or an error: CR/LF header injection and markup.
const hostile = fc
  .tuple(
    fc.constantFrom('\r\n', '\n', '\r', '\r\n\r\n', '%0d%0a', '\u2028', '\u0085', '\u0000'),
    fc.constantFrom(
      'Bcc: victim@evil.example',
      'X-Injected: yes',
      'Content-Type: text/html',
      'Subject: owned',
    ),
    fc.integer({ min: 0, max: 9999 }),
    fc.string({ maxLength: 10 }),
  )
  .map(([newline, header, n, noise]) => ({
    text: `${noise}${newline}${header}${newline}<x-injected-${n} onerror=alert(${n})>${noise}</x-injected-${n}>`,
    tag: `<x-injected-${n}`,
  }));

const ALLOWED_HEADERS = new Set([
  'content-type',
  'from',
  'to',
  'subject',
  'message-id',
  'date',
  'mime-version',
  'x-mailer',
  // Every mail says it is automatic, so responders stay quiet.
  'auto-submitted',
  'x-auto-response-suppress',
  // Threading: one id per fingerprint, built from a hex hash.
  'references',
  'in-reply-to',
  // A single-part (text only) message carries its encoding at the top level.
  'content-transfer-encoding',
]);

async function parse(mail: Mail) {
  return simpleParser(await composeMime(mail));
}

describe('no injection through the request or the error', () => {
  it('adds no header and lets no markup into the HTML, wherever the hostile text is put', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostile,
        fc.constantFrom('path', 'host', 'header', 'query', 'body', 'name', 'message', 'stack', 'referer'),
        fc.constantFrom('http-api', 'rest'),
        async ({ text, tag }, place, shape) => {
          const error = new Error(place === 'message' ? text : 'failed');
          if (place === 'name') error.name = text;
          if (place === 'stack') error.stack = text;
          const spec = {
            path: place === 'path' ? `/${encodeURIComponent(text)}` : '/x',
            headers: {
              ...(place === 'header' ? { 'x-note': text } : {}),
              ...(place === 'referer' ? { referer: text } : {}),
            },
            ...(place === 'host' ? { domainName: text } : {}),
            ...(place === 'query' ? { query: { q: text } } : {}),
            ...(place === 'body' ? { body: text } : {}),
          };
          const event = shape === 'rest' ? restEvent(spec) : httpApiEvent(spec);
          const transport = recordingTransport();
          // A non-HTTP outcome puts the error's name in the subject: test that path too.
          const handler = withErrorMail(
            async (_event: unknown) => {
              throw error;
            },
            { env: mailEnv(), transport, log: () => {} },
          );

          await handler(place === 'name' ? { Records: [] } : event, lambdaContext()).catch(() => {});

          expect(transport.mails).toHaveLength(1);
          const parsed = await parse(transport.mails[0]!);
          for (const key of parsed.headers.keys()) expect(ALLOWED_HEADERS).toContain(key);
          expect(parsed.subject).not.toMatch(/[\r\n\u0000\u0085\u2028]/);
          expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value.map((a) => a.address) : []).toEqual(
            ['ops@example.com', 'mary@example.com'],
          );
          expect(parsed.attachments).toEqual([]);
          expect(String(parsed.html)).not.toContain(tag);
          expect(String(parsed.html)).not.toMatch(/<[^>]*onerror=/i);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('adds no header to a broken-link mail whatever the host, Referer and user agent say', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (host, agent) => {
        const transport = recordingTransport();
        const handler = withErrorMail(async (_event: unknown) => ({ statusCode: 404 }), {
          env: mailEnv(),
          transport,
          log: () => {},
        });

        await handler(
          httpApiEvent({
            domainName: host.text,
            path: '/gone',
            headers: { referer: `https://${host.text}/page`, 'user-agent': agent.text },
          }),
          lambdaContext(),
        );

        expect(transport.mails).toHaveLength(1);
        const parsed = await parse(transport.mails[0]!);
        for (const key of parsed.headers.keys()) expect(ALLOWED_HEADERS).toContain(key);
        expect(parsed.subject).not.toMatch(/[\r\n\u0000\u0085\u2028]/);
        expect(parsed.subject?.startsWith('[shop] Broken INTERNAL link on ')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
