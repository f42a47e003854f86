// `npm run bench:logs`: what capturing the invocation's log lines costs. Fresh processes, capture on
// and off interleaved, BENCH_LOG_PROCESSES (7) each, stdout and stderr to /dev/null (a file: Node.js
// writes it synchronously, as the Lambda runtime writes its telemetry descriptor):
// - per invocation: a successful async handler wrapped by withErrorMail, ERROR_MAIL_CAPTURE_LOGS true
//   and false, ns per call over 200,000 calls (after 50,000 to warm up);
// - per log line: console.log of a short line and of a 1 KB JSON line, with the capture installed
//   (a wrapped handler exists) and without, ns per call over 50,000 calls.
import { spawnSync } from 'node:child_process';
import { median } from './median.mjs';

const PROCESSES = Number(process.env.BENCH_LOG_PROCESSES ?? 7);
const dist = new URL('../dist/index.js', import.meta.url).href;

const child = (kind, capture) => `
  import { withErrorMail } from ${JSON.stringify(dist)};
  const { writeSync } = await import('node:fs');
  const env = { ADMINS: 'ops@example.com', SERVER_EMAIL: 'errors@example.com', ERROR_MAIL_TIMEOUT_WARNING_MS: '0', ERROR_MAIL_CAPTURE_LOGS: '${capture}' };
  const context = { awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => 30000 };
  const ok = { statusCode: 200, body: 'ok' };
  const handler = withErrorMail(async () => ok, { env });
  let ns;
  if ('${kind}' === 'invocation') {
    for (let i = 0; i < 50000; i += 1) await handler({}, context);
    const start = process.hrtime.bigint();
    for (let i = 0; i < 200000; i += 1) await handler({}, context);
    ns = Number(process.hrtime.bigint() - start) / 200000;
  } else {
    const line = '${kind}' === 'short' ? 'order 42 loaded' : JSON.stringify({ level: 'INFO', message: 'x'.repeat(960), order: 42 });
    for (let i = 0; i < 10000; i += 1) console.log(line);
    const start = process.hrtime.bigint();
    for (let i = 0; i < 50000; i += 1) console.log(line);
    ns = Number(process.hrtime.bigint() - start) / 50000;
  }
  writeSync(3, JSON.stringify({ ns }));
`;

function sample(kind, capture) {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', child(kind, capture)], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`the ${kind} child failed (${result.status})`);
  return JSON.parse(result.output[3].toString()).ns;
}

console.log(`${PROCESSES} fresh processes per row, capture on and off interleaved, ${process.version}\n`);
console.log('| what | capture off | capture on | added |');
console.log('| --- | ---: | ---: | ---: |');
for (const [kind, what] of [
  ['invocation', 'a successful invocation (withErrorMail, timeout warning off)'],
  ['short', 'console.log of a short line'],
  ['json', 'console.log of a 1 KB JSON line'],
]) {
  const off = [];
  const on = [];
  for (let index = 0; index < PROCESSES; index += 1) {
    if (index % 2 === 0) {
      off.push(sample(kind, 'false'));
      on.push(sample(kind, 'true'));
    } else {
      on.push(sample(kind, 'true'));
      off.push(sample(kind, 'false'));
    }
  }
  const a = median(off);
  const b = median(on);
  const percent = kind === 'invocation' ? '' : ` (${(((b - a) / a) * 100).toFixed(1)}%)`;
  console.log(`| ${what} | ${a.toFixed(1)} ns | ${b.toFixed(1)} ns | ${(b - a).toFixed(1)} ns${percent} |`);
}
