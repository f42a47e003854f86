// One fresh process of `npm run bench`: `success <module>` measures a handler module against the bare one,
// interleaved; `import <module>` measures what importing one module costs. Prints one JSON line.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { median } from './median.mjs';

const [mode, file, bareFile] = process.argv.slice(2);

/** A Lambda-like context, new per invocation as the runtime makes one. */
function context() {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'bench-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench-fn',
    memoryLimitInMB: '1024',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/bench-fn',
    logStreamName: '2026/11/25/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}
const event = {
  version: '2.0',
  routeKey: 'GET /hello',
  rawPath: '/hello',
  rawQueryString: '',
  headers: { host: 'api.example.com', 'user-agent': 'bench' },
  requestContext: {
    domainName: 'api.example.com',
    http: { method: 'GET', path: '/hello', sourceIp: '203.0.113.9' },
  },
  isBase64Encoded: false,
};

let wrappedCalls = 0;
async function timeCalls(handler, calls) {
  const start = performance.now();
  for (let i = 0; i < calls; i++) await handler(event, context());
  return ((performance.now() - start) * 1e6) / calls;
}
async function timeWrapped(handler, calls) {
  wrappedCalls += calls;
  return timeCalls(handler, calls);
}

if (mode === 'success') {
  const { handler } = await import(pathToFileURL(file).href);
  const { handler: bare } = await import(pathToFileURL(bareFile).href);
  wrappedCalls += 1;
  const result = await handler(event, context());
  if (result?.statusCode !== 200) throw new Error(`${file} did not return the handler's result`);
  // Calls per sample: about 100 ms of the slower handler, at most 100,000.
  const probe = await timeWrapped(handler, 200);
  const calls = Math.max(50, Math.min(100_000, Math.round(100e6 / probe)));
  await timeCalls(bare, calls);
  await timeWrapped(handler, calls);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
  const bareNs = [];
  const wrappedNs = [];
  for (let i = 0; i < rounds; i++) {
    bareNs.push(await timeCalls(bare, calls));
    wrappedNs.push(await timeWrapped(handler, calls));
  }
  process.stdout.write(
    `${JSON.stringify({ calls, wrappedCalls, bareNs, wrappedNs, addedNs: median(wrappedNs.map((w, i) => w - bareNs[i])) })}\n`,
  );
  // Sentry and Bugsnag keep handles open; the measurement is done.
  process.exit(0);
} else if (mode === 'import') {
  // The Lambda runtime require()s a CommonJS handler and import()s an ES module one. The loader's own
  // start-up is paid by any handler: load one trivial module the same way first.
  const load = (path) =>
    path.endsWith('.cjs') ? createRequire(import.meta.url)(path) : import(pathToFileURL(path).href);
  await load(bareFile);
  globalThis.gc?.();
  const before = process.memoryUsage();
  const start = performance.now();
  await load(file);
  const ms = performance.now() - start;
  globalThis.gc?.();
  const after = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ ms, rss: after.rss, heap: after.heapUsed - before.heapUsed })}\n`);
  process.exit(0);
} else {
  throw new Error(`unknown mode ${mode}`);
}
