import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../helpers/fast-check.js';
import { type LogRecord, type Mail, withErrorMail } from '../../src/index.js';
import { anyEvent, plantedSecret } from '../helpers/arbitraries.js';
import { albEvent, httpApiEvent, lambdaContext, restEvent } from '../helpers/events.js';
import { mailEnv, recordingTransport } from '../helpers/recording-transport.js';
import { mailOfThrow } from '../helpers/thrown-mail.js';

function everything(mail: Mail): string {
  return `${mail.subject}\n${mail.text}\n${mail.html ?? ''}`;
}

describe('any event, any outcome', () => {
  it('rethrows the same error and mails ADMINS exactly once, whatever the event', async () => {
    await fc.assert(
      fc.asyncProperty(anyEvent(), async (event) => {
        const mail = await mailOfThrow(event);

        expect(mail.subject).not.toMatch(/[\u0000-\u001f\u007f]/);
      }),
      { numRuns: 400 },
    );
  });

  it('returns the same result object for a returned 500 and mails ADMINS exactly once, whatever the event', async () => {
    await fc.assert(
      fc.asyncProperty(anyEvent(), async (event) => {
        const transport = recordingTransport();
        const result = { statusCode: 500, body: 'down' };
        const handler = withErrorMail(async (_event: unknown) => result, {
          env: mailEnv(),
          transport,
          log: () => {},
        });

        expect(await handler(event, lambdaContext())).toBe(result);
        expect(transport.mails).toHaveLength(1);
      }),
      { numRuns: 200 },
    );
  });
});

// A request with secrets planted in every place a secret can travel.
const plantedRequest = fc.record({
  shape: fc.constantFrom('http-api', 'rest', 'alb', 'function-url'),
  secrets: fc.array(plantedSecret(), { minLength: 12, maxLength: 12 }),
  authCase: fc.constantFrom('Authorization', 'authorization', 'AUTHORIZATION'),
  bodyKind: fc.constantFrom('json', 'form', 'base64-json', 'json-cut'),
  depth: fc.integer({ min: 0, max: 30 }),
  noise: fc.string({ maxLength: 20 }),
  separator: fc.constantFrom(' ', ': ', '=', '"', "'", '(', '\n'),
});

describe('planted secrets', () => {
  it('never reach a mail, wherever the request or the error carries them', async () => {
    await fc.assert(
      fc.asyncProperty(
        plantedRequest,
        async ({ shape, secrets, authCase, bodyKind, depth, noise, separator }) => {
          const [
            auth,
            apiKey,
            session,
            csrf,
            query,
            field,
            envSecret,
            jwtPayload,
            akia,
            dbPassword,
            basic,
            extra,
          ] = secrets as [string, ...string[]];
          let nested: Record<string, unknown> = { password: field, note: noise };
          for (let i = 0; i < depth; i++)
            nested = i % 2 === 0 ? { level: i, child: nested } : { list: [nested] };
          const json = JSON.stringify({
            user: 'ann',
            data: nested,
            padding: bodyKind === 'json-cut' ? 'x'.repeat(70_000) : '',
          });
          const body =
            bodyKind === 'form'
              ? `user=ann&password=${field}&note=${encodeURIComponent(noise)}`
              : bodyKind === 'base64-json'
                ? Buffer.from(json).toString('base64')
                : bodyKind === 'json-cut'
                  ? `{"password":"${field}",${json.slice(1)}`
                  : json;
          const spec = {
            method: 'POST',
            path: `/orders/${encodeURIComponent(noise)}`,
            query: { access_token: query as string, page: '2' },
            headers: {
              [authCase]: `Bearer ${auth}`,
              'X-Api-Key': apiKey as string,
              Cookie: `sessionid=${session}; csrftoken=${csrf}; theme=dark`,
              'content-type': bodyKind === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
              'x-upstream-auth': `Basic ${basic}`,
            },
            body,
            isBase64Encoded: bodyKind === 'base64-json',
          };
          const event =
            shape === 'rest'
              ? restEvent(spec)
              : shape === 'alb'
                ? albEvent(spec)
                : httpApiEvent(
                    { ...spec, cookies: [`sessionid=${session}`, `PHPSESSID=${extra}`] },
                    shape === 'function-url',
                  );
          const jwt = `eyJhbGciOiJIUzI1NiJ9.${jwtPayload}.c2lnbmF0dXJl`;
          const key = `AKIA${(akia as string)
            .toUpperCase()
            .replace(/[^A-Z0-9]/g, 'X')
            .slice(0, 16)
            .padEnd(16, 'Q')}`;
          const message = `rejected${separator}${jwt}${separator}${key}${separator}postgres://shop:${dbPassword}@db.internal/shop`;
          const error = new Error(message);
          error.stack = `Error: ${message}\n    at handler (/var/task/index.js:1:1)`;
          const transport = recordingTransport();
          const logs: LogRecord[] = [];
          const handler = withErrorMail(
            async (_event: unknown) => {
              throw error;
            },
            {
              env: { ...mailEnv(), STRIPE_SECRET_KEY: envSecret as string },
              transport,
              log: (r) => logs.push(r),
            },
          );

          const caught = await handler(event, lambdaContext()).catch((e: unknown) => e);

          expect(caught).toBe(error);
          expect(transport.mails).toHaveLength(1);
          const text = everything(transport.mails[0]!);
          for (const secret of [...secrets, key]) expect(text).not.toContain(secret);
          expect(text).toContain('********************');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never reach a log line when the send fails', async () => {
    await fc.assert(
      fc.asyncProperty(plantedSecret(), plantedSecret(), async (password, token) => {
        const logs: LogRecord[] = [];
        const handler = withErrorMail(
          async () => {
            throw new Error('x');
          },
          {
            env: mailEnv(),
            transport: {
              async send() {
                throw new Error(`connect smtp://mailer:${password}@mail.internal failed; Bearer ${token}`);
              },
            },
            log: (r) => logs.push(r),
          },
        );

        await handler(httpApiEvent(), lambdaContext()).catch(() => {});

        const line = JSON.stringify(logs);
        expect(logs).toHaveLength(1);
        expect(line).not.toContain(password);
        expect(line).not.toContain(token);
      }),
      { numRuns: 100 },
    );
  });
});
