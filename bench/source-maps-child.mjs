// One fresh process of bench/source-maps.mjs: requires the bundle it is given, as /var/task holds it,
// times two failing invocations from the call to the caller's error, and prints one JSON line: both
// times in ms, the heap after a full GC, whether the mail's traceback was mapped and its first frame.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const [bundle] = process.argv.slice(2);
const { makeHandler } = createRequire(import.meta.url)(bundle);
const mails = [];
const handler = makeHandler(async (mail) => {
  mails.push(mail);
});
const context = () => {
  const deadline = Date.now() + 30_000;
  return {
    functionName: 'bench-maps',
    awsRequestId: `req-${performance.now()}`,
    memoryLimitInMB: '1769',
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
globalThis.gc();
// A map read is held as bytes (outside the JS heap) and a line index: count both.
const { heapUsed, external } = process.memoryUsage();
const heapBytes = heapUsed + external;
if (mails.length !== 2) throw new Error(`${mails.length} mails, not 2`);
const frame = mails[0].text.split('\n').find((line) => line.includes('lineTotal')) ?? '(no lineTotal frame)';
process.stdout.write(
  `${JSON.stringify({ first, second, heapBytes, mapped: frame.includes('src/orders/price.ts'), frame: frame.trim() })}\n`,
);
