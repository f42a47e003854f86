// `npm run bench:faults`: per SES fault, the time from the throw to the caller, whether the mail
// arrived, and the timeout warning's margin before the deadline; then the mails sent for 1,000
// identical and 10 distinct errors. Everything on 127.0.0.1, against the SES stand-in of the tests.
import { startFaultySes } from '../test/helpers/faulty-ses.mjs';

const ses = await startFaultySes();
process.env.AWS_ENDPOINT_URL_SES = ses.url;
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// The root package's build, by path: bench/ is a package of its own.
const { withErrorMail } = await import(new URL('../dist/index.js', import.meta.url).href);

const env = {
  ADMINS: 'ops@example.com',
  SERVER_EMAIL: 'errors@example.com',
  ERROR_MAIL_THROTTLE_SECONDS: '0',
  ERROR_MAIL_MAX_PER_MINUTE: '0',
};
const context = (remainingMs) => {
  const deadline = Date.now() + remainingMs;
  return {
    awsRequestId: 'bench',
    functionName: 'bench',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
};
const event = (path) => ({
  version: '2.0',
  rawPath: path,
  rawQueryString: '',
  headers: { host: 'api.example.com' },
  requestContext: { http: { method: 'GET', sourceIp: '203.0.113.9' } },
});

console.log(
  'fault (default budget 2000 ms, 10 s left)  | throw -> caller | SES requests | mail | log reason',
);
const faults = [
  ['accepts at once', ['ok']],
  ['throttles once, then accepts', ['throttle', 'ok']],
  ['throttles twice, then accepts', ['throttle', 'throttle', 'ok']],
  ['500 once, then accepts', ['500', 'ok']],
  ['resets once, then accepts', ['reset', 'ok']],
  ['answers after 300 ms', ['slow:300']],
  ['throttles every attempt', ['throttle']],
  ['500 every attempt', ['500']],
  ['never answers', ['hang']],
  ['answers after 5 s', ['slow:5000']],
  ['rejects unverified sender', ['unverified']],
];
/** One failing invocation: its time from throw to caller and the log line's reason, if any. */
async function failOnce(path) {
  let reason = '';
  const handler = withErrorMail(
    async () => {
      throw new Error('x');
    },
    {
      env,
      log: (r) => {
        reason = String(r.reason).slice(0, 60);
      },
    },
  );
  const start = performance.now();
  await handler(event(path), context(10_000)).catch(() => {});
  return { ms: performance.now() - start, reason };
}

const row = (name, ms, requests, mailed, reason) =>
  console.log(
    `${name.padEnd(42)} | ${ms.toFixed(0).padStart(8)} ms     | ${String(requests).padStart(12)} | ${mailed} | ${reason}`,
  );

for (const [name, behaviours] of faults) {
  ses.behave(...behaviours);
  const { ms, reason } = await failOnce(`/${name.replace(/\W+/g, '-')}`);
  row(name, ms, ses.requests.length, ses.received.length === 1 ? 'yes ' : 'no  ', reason);
}

// The timeout warning: how long before the deadline its send completed.
const margins = [];
for (let i = 0; i < 5; i++) {
  ses.behave('ok');
  const remaining = 1500;
  const ctx = context(remaining);
  const deadline = Date.now() + remaining;
  const handler = withErrorMail(
    async () => new Promise((r) => setTimeout(() => r({ statusCode: 200 }), 1300)),
    {
      env: { ...env, ERROR_MAIL_TIMEOUT_WARNING_MS: '500' },
    },
  );
  await handler(event('/slow'), ctx);
  if (ses.requests[0]) margins.push(deadline - ses.requests[0].at);
}
console.log(
  `timeout warning (500 ms before a 1.5 s deadline): delivered ${margins.length}/5 times, margin before the deadline ${margins.map((m) => `${m} ms`).join(', ')}`,
);

// Flood control, defaults (300 s window, 10 mails a minute): 1,000 identical errors in one container,
// then 10 distinct errors in another (each wrap is one container's state).
const failing = () =>
  withErrorMail(
    async (e) => {
      throw new TypeError(`boom ${e.rawPath}`);
    },
    { env: { ADMINS: 'ops@example.com', SERVER_EMAIL: 'errors@example.com' }, log: () => {} },
  );
ses.behave('ok');
{
  const handler = failing();
  for (let i = 0; i < 1000; i++) await handler(event('/same'), context(10_000)).catch(() => {});
  console.log(`1,000 identical errors: ${ses.received.length} mail`);
}
ses.behave('ok');
{
  const handler = failing();
  for (let i = 0; i < 10; i++) await handler(event(`/distinct-${i}`), context(10_000)).catch(() => {});
  console.log(`10 distinct errors: ${ses.received.length} mails`);
  ses.behave('ok');
  await handler(event('/distinct-10'), context(10_000)).catch(() => {});
  console.log(
    `an 11th distinct error within the minute: ${ses.received.length === 0 ? 'held back and counted' : 'mailed'} (ERROR_MAIL_MAX_PER_MINUTE=10)`,
  );
}

// Connection refused: the stand-in has stopped (the SES client keeps its endpoint).
await ses.stop();
{
  const { ms, reason } = await failOnce('/refused');
  row('refuses connections', ms, '-', 'no  ', reason);
}
