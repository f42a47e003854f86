import { readdirSync, readFileSync } from 'node:fs';
import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { demoRoutes } from '../../../demo/app.js';
import { errorMail, withErrorMail } from '../../../src/index.js';
import { lambdaContext } from '../../helpers/events.js';
import { mailEnv, recordingTransport } from '../../helpers/recording-transport.js';

// Every sample event under events/, through the example service's routes, in both shapes.
// The HTTP samples: named after their front door and the status they lead to.
const samples = readdirSync(new URL('../../../events/', import.meta.url))
  .filter((name) => /^(alb|api-gateway-rest|function-url|http-api)-\d{3}\.json$/.test(name))
  .map((name) => [
    name,
    JSON.parse(readFileSync(new URL(`../../../events/${name}`, import.meta.url), 'utf8')),
  ]);

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
const shapes: [string, (transport: ReturnType<typeof recordingTransport>) => Handler][] = [
  ['withErrorMail', (transport) => withErrorMail(demoRoutes as Handler, { env: mailEnv(), transport })],
  [
    'errorMail()',
    (transport) =>
      middy(demoRoutes as Handler).use(errorMail({ env: mailEnv(), transport })) as unknown as Handler,
  ],
];

describe.each(shapes)('the sample events through %s', (_shape, make) => {
  it('has a 500 and a 404 sample for each HTTP front door', () => {
    expect(samples.map(([name]) => name).sort()).toEqual([
      'alb-404.json',
      'alb-500.json',
      'api-gateway-rest-404.json',
      'api-gateway-rest-500.json',
      'function-url-404.json',
      'function-url-500.json',
      'http-api-404.json',
      'http-api-500.json',
    ]);
  });

  it.each(samples.filter(([name]) => name.endsWith('-500.json')))('%s mails ADMINS', async (_name, event) => {
    const transport = recordingTransport();

    await expect(make(transport)(event, lambdaContext())).rejects.toThrow('could not load the order list');

    expect(transport.mails.map((m) => [m.subject, m.to])).toEqual([
      [
        '[shop] ERROR (EXTERNAL IP): Internal Server Error: /boom',
        ['ops@example.com', '"Ng, Mary" <mary@example.com>'],
      ],
    ]);
    expect(transport.mails[0]?.text).toContain('Request URL: https://');
    expect(transport.mails[0]?.text).toContain('/boom?page=2\n');
  });

  it.each(samples.filter(([name]) => name.endsWith('-404.json')))(
    '%s mails MANAGERS',
    async (_name, event) => {
      const transport = recordingTransport();

      const result = await make(transport)(event, lambdaContext());

      expect(result).toMatchObject({ statusCode: 404 });
      expect(transport.mails.map((m) => m.to)).toEqual([['content@example.com']]);
      expect(transport.mails[0]?.subject).toMatch(/^\[shop\] Broken INTERNAL link on [a-z0-9.-]+$/);
      expect(transport.mails[0]?.text).toMatch(
        /^Referrer: https:\/\/[a-z0-9.-]+\/hello\nRequested URL: \/missing\?page=2\nUser agent: Mozilla\/5\.0 .+\nIP address: 203\.0\.113\.9\n$/,
      );
    },
  );
});
