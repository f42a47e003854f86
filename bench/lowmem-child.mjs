// One fresh container's first report, run by bench/lowmem.mjs (in a CPU-limited cgroup): imports the
// package, wraps a handler that throws on its first invocation, invokes it with a 3 s function timeout
// (or LOWMEM_TIMEOUT_MS), and prints the time from the throw to the caller, the time then left before
// the deadline and the CPU the process used, as JSON.
// Then, until the mail is out, up to four more invocations (which succeed) run, and their durations are
// printed too: a report that could not be sent in the first goes out with one of them. Whether the
// local SES holds the mail after each is told by its subject, which names this process.
process.env.EMAIL_SUBJECT_PREFIX = `[lowmem-${process.pid}] `;
const { withErrorMail } = await import(new URL('../dist/index.js', import.meta.url).href);

let invocations = 0;
const handler = withErrorMail(async () => {
  invocations += 1;
  if (invocations === 1) throw new Error('lowmem bench: the first error of a fresh container');
  return { statusCode: 200 };
});
// The function's timeout: 3 s unless LOWMEM_TIMEOUT_MS says otherwise.
const timeoutMs = Number(process.env.LOWMEM_TIMEOUT_MS ?? 3000);
// Only the mail since this process started is read back (the emulator's `since`, in epoch seconds):
// the whole store of a test run is megabytes, too much to read at 7.2% of a vCPU.
const since = Math.floor(Date.now() / 1000) - 1;
let deadline = Date.now() + timeoutMs;
const context = {
  awsRequestId: `lowmem-${process.pid}`,
  functionName: 'lowmem',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:lowmem',
  memoryLimitInMB: process.env.LOWMEM_MB ?? '128',
  logGroupName: '/aws/lambda/lowmem',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => deadline - Date.now(),
};
const event = {
  version: '2.0',
  routeKey: 'GET /boom',
  rawPath: '/boom',
  rawQueryString: 'page=2',
  headers: { host: 'api.example.com', 'user-agent': 'lowmem-bench' },
  requestContext: {
    http: { method: 'GET', path: '/boom', sourceIp: '203.0.113.9' },
    requestId: 'r',
    stage: '$default',
  },
  isBase64Encoded: false,
};
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let caught = false;
try {
  await handler(event, context);
} catch {
  caught = true;
}
const ms = performance.now() - t0;
const leftMs = deadline - Date.now();
const cpu = process.cpuUsage(cpu0);
process.stdout.write(`${JSON.stringify({ ms, leftMs, cpuMs: (cpu.user + cpu.system) / 1000, caught })}\n`);
const mailed = async () => {
  const store = await (await fetch(`${process.env.AWS_ENDPOINT_URL_SES}/store?since=${since}`)).json();
  return store.emails.some((mail) => mail.subject.startsWith(process.env.EMAIL_SUBJECT_PREFIX));
};
let mailedIn = (await mailed()) ? 1 : undefined;
const laterMs = [];
const statuses = [];
while (mailedIn === undefined && laterMs.length < 4) {
  deadline = Date.now() + timeoutMs;
  const t1 = performance.now();
  const result = await handler(event, {
    ...context,
    awsRequestId: `lowmem-${process.pid}-${laterMs.length + 2}`,
  });
  laterMs.push(performance.now() - t1);
  statuses.push(result?.statusCode);
  if (await mailed()) mailedIn = laterMs.length + 1;
}
process.stdout.write(`${JSON.stringify({ mailedIn, laterMs, statuses })}\n`);
