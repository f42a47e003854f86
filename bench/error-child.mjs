// One fresh process ("container") of bench/errors.mjs. `path`: throw-to-caller latency of failing
// invocations through the SES at AWS_ENDPOINT_URL_SES (the first report, warm reports, 6 MB bodies) and
// the SDK's own SendRawEmail round trip for comparison. `flood`: 1,000 identical errors, then 10 distinct.
import { performance } from 'node:perf_hooks';
import { composeMime, withErrorMail } from 'lambda-error-mail';
import { median } from './median.mjs';

const [mode, marker] = process.argv.slice(2);
const context = () => {
  const deadline = Date.now() + 30_000;
  return {
    functionName: 'bench-fn',
    awsRequestId: `req-${performance.now()}`,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
};
const event = (path, body) => ({
  version: '2.0',
  rawPath: path,
  rawQueryString: '',
  headers: { host: 'api.example.com', 'content-type': 'text/plain' },
  requestContext: { domainName: 'api.example.com', http: { method: 'POST', path, sourceIp: '203.0.113.9' } },
  ...(body === undefined ? {} : { body }),
  isBase64Encoded: false,
});
const failing = (settings) => {
  const log = [];
  const handler = withErrorMail(
    async (e) => {
      throw new TypeError(`failed at ${e.rawPath}`);
    },
    { ...settings, subjectPrefix: `[${marker}] `, log: (record) => log.push(record) },
  );
  return { handler, log };
};
async function timed(handler, e) {
  const start = performance.now();
  await handler(e, context()).catch(() => {});
  return performance.now() - start;
}

if (mode === 'path') {
  // Every report mails: no flood control, so each invocation pays the whole error path.
  const { handler, log } = failing({ throttleSeconds: 0, maxPerMinute: 0 });
  const first = await timed(handler, event('/first'));
  const warm = [];
  for (let i = 0; i < 30; i++) warm.push(await timed(handler, event(`/warm-${i}`)));
  const big = 'a'.repeat(6 * 1024 * 1024);
  const large = [];
  for (let i = 0; i < 7; i++) large.push(await timed(handler, event(`/large-${i}`, big)));
  // The SDK alone: the same kind of message, through a warm client of the same settings. Imported
  // only now, so that the first report above loads the SDK, as a container's first report does.
  const { SESClient, SendRawEmailCommand } = await import('@aws-sdk/client-ses');
  const client = new SESClient({ maxAttempts: 3 });
  const raw = await composeMime({
    from: 'errors@example.com',
    to: ['ops@example.com'],
    subject: `[${marker}] round trip`,
    text: 'x'.repeat(6000),
    html: `<p>${'x'.repeat(20_000)}</p>`,
  });
  const send = () =>
    client.send(
      new SendRawEmailCommand({
        RawMessage: { Data: raw },
        Source: 'errors@example.com',
        Destinations: ['ops@example.com'],
      }),
    );
  await send();
  const roundTrip = [];
  for (let i = 0; i < 30; i++) {
    const start = performance.now();
    await send();
    roundTrip.push(performance.now() - start);
  }
  if (log.length > 0) throw new Error(`a report failed: ${JSON.stringify(log[0])}`);
  process.stdout.write(
    `${JSON.stringify({ first, warm: median(warm), large: median(large), roundTrip: median(roundTrip), rawBytes: raw.length })}\n`,
  );
} else if (mode === 'flood') {
  // The defaults: ERROR_MAIL_THROTTLE_SECONDS=300, ERROR_MAIL_MAX_PER_MINUTE=10.
  const identical = failing({});
  let start = performance.now();
  for (let i = 0; i < 1000; i++) await identical.handler(event('/same'), context()).catch(() => {});
  const identicalMs = performance.now() - start;
  const distinct = failing({});
  start = performance.now();
  for (let i = 0; i < 10; i++) await distinct.handler(event(`/route-${i}`), context()).catch(() => {});
  const distinctMs = performance.now() - start;
  process.stdout.write(`${JSON.stringify({ identicalMs, distinctMs })}\n`);
}
process.exit(0);
