// `npm run bench:logs`: what capturing the invocation's log lines costs.
// - Per invocation: a successful async handler wrapped by withErrorMail (timeout warning off), with
//   ERROR_MAIL_CAPTURE_LOGS false and true, two wrappers in one process called in alternating blocks
//   (a new context per invocation), in process CPU time, the median of 40 pairs of blocks.
// - Per log line: console.log of a short line and of a 1 KB JSON line, as the Lambda runtime writes it
//   (its console replaced by one that frames each line to a descriptor with fs.writeSync, as
//   aws-lambda-ric 4 does) and as Node.js's own console writes it (to standard output). Each measure
//   is a fresh process that logs 300,000 lines after 50,000 to warm up, in process CPU time (this
//   machine is shared: wall time moves more than the figure), with capture off and on in alternating
//   processes; stdout and the descriptor are /dev/null.
// BENCH_LOG_PROCESSES (5) fresh processes for the invocation row, BENCH_LOG_PAIRS (9) pairs of
// processes for each line row. With BENCH_JSON set to a path, the figures are written there too, for
// bench/render.mjs.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { median } from './median.mjs';

const PROCESSES = Number(process.env.BENCH_LOG_PROCESSES ?? 5);
const PAIRS = Number(process.env.BENCH_LOG_PAIRS ?? 9);
const dist = new URL('../dist/index.js', import.meta.url).href;

// Two wrappers in one process, one with capture on and one with it off, called in alternating blocks
// of 20,000 invocations: the capture's wrappers are installed for the process either way, and only
// what the wrapper does per invocation differs.
const invocationChild = () => `
  import { withErrorMail } from ${JSON.stringify(dist)};
  import { writeSync } from 'node:fs';
  const env = (capture) => ({ ADMINS: 'ops@example.com', SERVER_EMAIL: 'errors@example.com', ERROR_MAIL_TIMEOUT_WARNING_MS: '0', ERROR_MAIL_CAPTURE_LOGS: capture });
  // A new context per invocation, as the runtime makes one.
  const context = () => ({ awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => 30000 });
  const ok = { statusCode: 200, body: 'ok' };
  const off = withErrorMail(async () => ok, { env: env('false') });
  const on = withErrorMail(async () => ok, { env: env('true') });
  const cpuNs = () => { const used = process.cpuUsage(); return (used.user + used.system) * 1000; };
  const block = async (handler) => { const start = cpuNs(); for (let i = 0; i < 20000; i += 1) await handler({}, context()); return (cpuNs() - start) / 20000; };
  for (let i = 0; i < 5; i += 1) { await block(off); await block(on); }
  const bares = [];
  const added = [];
  for (let i = 0; i < 40; i += 1) { const a = await block(off); bares.push(a); added.push((await block(on)) - a); }
  const med = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
  writeSync(3, JSON.stringify({ bare: med(bares), added: med(added) }));
`;

// One process per measure, with capture on or off: swapping the capture's wrappers in and out in one
// process would make every call site between console and the descriptor see two functions, which
// costs both sides, unlike a function that keeps one for its life. The library is imported and a
// handler wrapped either way; only the setting differs.
const lineChild = (line, runtime, capture) => `
  import { createRequire } from 'node:module';
  const fs = createRequire(import.meta.url)('fs');
  const line = ${line === 'short' ? "'order 42 loaded'" : "JSON.stringify({ level: 'INFO', message: 'x'.repeat(960), order: 42 })"};
  const out = fs.openSync('/dev/null', 'w');
  if (${runtime}) {
    const header = Buffer.alloc(16);
    const util = await import('node:util');
    console.log = (...args) => {
      const text = new Date().toISOString() + '\\tc0ffee\\tINFO\\t' + util.format(...args) + '\\n';
      const bytes = Buffer.from(text, 'utf8');
      header.writeUInt32BE((0xa55a0003 | 0xc) >>> 0, 0);
      header.writeInt32BE(bytes.length, 4);
      header.writeBigInt64BE(BigInt(Date.now()) * 1000n, 8);
      fs.writeSync(out, header);
      fs.writeSync(out, bytes);
    };
  }
  const { withErrorMail } = await import(${JSON.stringify(dist)});
  withErrorMail(async () => ({}), { env: { ADMINS: 'ops@example.com', SERVER_EMAIL: 'errors@example.com', ERROR_MAIL_CAPTURE_LOGS: '${capture}' } });
  const cpuNs = () => { const used = process.cpuUsage(); return (used.user + used.system) * 1000; };
  for (let i = 0; i < 50000; i += 1) console.log(line);
  const start = cpuNs();
  for (let i = 0; i < 300000; i += 1) console.log(line);
  fs.writeSync(3, JSON.stringify({ perLine: (cpuNs() - start) / 300000 }));
`;

function sample(script) {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    timeout: 300_000,
  });
  if (result.status !== 0) throw new Error(`a benchmark child failed (${result.status})`);
  return JSON.parse(result.output[3].toString());
}

console.log(
  `${PROCESSES} fresh processes for the invocation row, ${PAIRS} pairs for each line row, ${process.version}\n`,
);
console.log('| what | capture off | capture on | added |');
console.log('| --- | ---: | ---: | ---: |');
const invocations = Array.from({ length: PROCESSES }, () => sample(invocationChild()));
const bareCall = median(invocations.map((result) => result.bare));
const addedCall = median(invocations.map((result) => result.added));
console.log(
  `| a successful invocation (withErrorMail, timeout warning off; CPU time) | ${bareCall.toFixed(1)} ns | ${(bareCall + addedCall).toFixed(1)} ns | ${addedCall.toFixed(1)} ns |`,
);
const lines = [];
for (const [line, runtime, what] of [
  ['short', true, "console.log of a short line, by the Lambda runtime's console (framed to its descriptor)"],
  ['json', true, "console.log of a 1 KB JSON line, by the Lambda runtime's console"],
  ['short', false, "console.log of a short line, by Node.js's console (standard output)"],
  ['json', false, "console.log of a 1 KB JSON line, by Node.js's console"],
]) {
  // Off and on in alternating processes, PAIRS of them: the added cost is the median of each pair's.
  const offs = [];
  const added = [];
  for (let pair = 0; pair < PAIRS; pair += 1) {
    const off = sample(lineChild(line, runtime, false)).perLine;
    offs.push(off);
    added.push(sample(lineChild(line, runtime, true)).perLine - off);
  }
  const bare = median(offs);
  const addedLine = median(added);
  lines.push({ line, runtime, offNs: bare, addedNs: addedLine, offSamples: offs, addedSamples: added });
  console.log(
    `| ${what} (CPU time) | ${bare.toFixed(0)} ns | ${(bare + addedLine).toFixed(0)} ns | ${addedLine.toFixed(0)} ns (${((addedLine / bare) * 100).toFixed(1)}%) |`,
  );
}
if (process.env.BENCH_JSON) {
  const results = {
    node: process.version,
    settings: { processes: PROCESSES, pairs: PAIRS, blocks: 40, blockInvocations: 20_000, lines: 300_000 },
    invocation: { offNs: bareCall, addedNs: addedCall, samples: invocations },
    lines,
  };
  writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(results, null, 2)}\n`);
}
