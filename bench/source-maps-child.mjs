// One fresh process of bench/source-maps.mjs: requires the bundle it is given (argv, else
// BENCH_BUNDLE), as /var/task holds it, times two failing invocations from the call to the caller's
// error, and prints one JSON line: both times in ms, the heap after a full GC (with --expose-gc),
// whether the mail's traceback was mapped, its lineTotal frame and the mail's source-map note. The
// context says BENCH_MEMORY_MB (1769, one vCPU) and BENCH_TIMEOUT_MS (30 s).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const bundle = process.argv[2] ?? process.env.BENCH_BUNDLE;
const memory = process.env.BENCH_MEMORY_MB ?? '1769';
const timeoutMs = Number(process.env.BENCH_TIMEOUT_MS ?? 30_000);
const { makeHandler } = createRequire(import.meta.url)(bundle);
const mails = [];
const handler = makeHandler(async (mail) => {
  mails.push(mail);
});
const context = () => {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName: 'bench-maps',
    awsRequestId: `req-${performance.now()}`,
    memoryLimitInMB: memory,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
};
const event = (path) => ({
  version: '2.0',
  rawPath: path,
  rawQueryString: '',
  headers: { host: 'api.example.com' },
  requestContext: { domainName: 'api.example.com', http: { method: 'POST', path, sourceIp: '203.0.113.9' } },
  body: JSON.stringify([{ sku: 'A-1', cents: 250, quantity: 1.5 }]),
  isBase64Encoded: false,
});
async function timed(path) {
  const start = performance.now();
  const caught = await handler(event(path), context()).then(
    () => false,
    () => true,
  );
  if (!caught) throw new Error('the handler did not throw');
  return performance.now() - start;
}

const first = await timed('/orders/first');
const second = await timed('/orders/second');
globalThis.gc?.();
// A map read is held as bytes (outside the JS heap) and a line index: count both.
const { heapUsed, external } = process.memoryUsage();
const heapBytes = heapUsed + external;
if (mails.length !== 2) throw new Error(`${mails.length} mails, not 2`);
const lines = mails[0].text.split('\n');
const frame = lines.find((line) => line.includes('lineTotal')) ?? '(no lineTotal frame)';
const note = lines.find((line) => line.includes('source map of'))?.trim();
process.stdout.write(
  `${JSON.stringify({ first, second, heapBytes, mapped: frame.includes('src/orders/price.ts'), frame: frame.trim(), note })}\n`,
);
