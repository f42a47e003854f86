// `npm run bench:budgets`: the budgets of the core issue, measured in one process against a bare handler.
//   1. success path: ns per invocation added by withErrorMail / errorMail() over a bare async handler
//   2. cold start: ms and heap added by a handler module that imports the package and wraps its
//      handler, over one that exports the bare handler (fresh child processes)
//   3. lazy loading: modules loaded after import and after successful invocations
// Medians of interleaved rounds; numbers vary with the machine, ratios and differences matter.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { median } from './median.mjs';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
// The root package's build, by path: bench/ is a package of its own (the peers'), so the name would
// resolve to bench/node_modules.
const PKG = new URL('../dist/index.js', import.meta.url).href;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const CALLS = Number(process.env.BENCH_CALLS ?? 100_000);
const BUDGET = { successNs: 150, warningNs: 400, importMs: 5, importMiB: 1 };

async function nsPerCall(handler, event, context) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await handler(event, context);
  return Number(process.hrtime.bigint() - start) / CALLS;
}

async function successPath() {
  const { withErrorMail, errorMail } = await import(PKG);
  const middy = (await import('@middy/core')).default;
  const env = { ADMINS: 'ops@example.com', SERVER_EMAIL: 'errors@example.com', MANAGERS: 'web@example.com' };
  const result = { statusCode: 200, body: 'ok' };
  const bare = async () => result;
  // Without the timeout warning (ERROR_MAIL_TIMEOUT_WARNING_MS=0), and with it (the default: one shared
  // timer per wrapper, armed when idle, so a call usually only fills a slot).
  const wrapped = withErrorMail(bare, { env: { ...env, ERROR_MAIL_TIMEOUT_WARNING_MS: '0' } });
  const warned = withErrorMail(bare, { env });
  const middyBare = middy(bare);
  const middyWrapped = middy(bare).use(errorMail({ env }));
  const event = {
    version: '2.0',
    rawPath: '/hello',
    requestContext: { http: { method: 'GET' } },
    headers: {},
  };
  const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 };

  const samples = { bare: [], wrapped: [], warned: [], middyBare: [], middyWrapped: [] };
  // Warm up every path, then interleave so drift of the machine hits all of them alike.
  for (const h of [bare, wrapped, warned, middyBare, middyWrapped]) await nsPerCall(h, event, context);
  for (let round = 0; round < ROUNDS; round++) {
    samples.bare.push(await nsPerCall(bare, event, context));
    samples.wrapped.push(await nsPerCall(wrapped, event, context));
    samples.warned.push(await nsPerCall(warned, event, context));
    samples.middyBare.push(await nsPerCall(middyBare, event, context));
    samples.middyWrapped.push(await nsPerCall(middyWrapped, event, context));
  }
  // Per-round differences cancel out slow rounds that hit both handlers.
  const added = median(samples.wrapped.map((w, i) => w - samples.bare[i]));
  const warnedAdded = median(samples.warned.map((w, i) => w - samples.bare[i]));
  const middyAdded = median(samples.middyWrapped.map((w, i) => w - samples.middyBare[i]));
  return {
    bareNs: median(samples.bare),
    wrappedNs: median(samples.wrapped),
    addedNs: added,
    ratio: median(samples.wrapped) / median(samples.bare),
    warnedNs: median(samples.warned),
    warnedAddedNs: warnedAdded,
    middyBareNs: median(samples.middyBare),
    middyWrappedNs: median(samples.middyWrapped),
    middyAddedNs: middyAdded,
  };
}

// Both children first load one trivial ES module, so the loader's own start-up (paid by any ESM
// handler) is not counted against the package. The wrapping counts: it is where the settings are read
// and checked, and every handler module does it at cold start.
const IMPORT_PROBE = `
const base = process.argv[1] === 'bare';
await import(process.argv[2]);
globalThis.gc(); globalThis.gc();
const heap0 = process.memoryUsage().heapUsed;
const t0 = performance.now();
await import(base ? process.argv[3] : process.argv[4]);
const ms = performance.now() - t0;
globalThis.gc(); globalThis.gc();
const after = process.memoryUsage();
process.stdout.write(JSON.stringify({ ms, heap: after.heapUsed - heap0, rss: after.rss }));
`;

async function importCost() {
  const dir = mkdtempSync(join(tmpdir(), 'lem-bench-'));
  const warm = pathToFileURL(join(dir, 'warm.mjs')).href;
  const bare = pathToFileURL(join(dir, 'bare-handler.mjs')).href;
  const wrapped = pathToFileURL(join(dir, 'wrapped-handler.mjs')).href;
  writeFileSync(new URL(warm), 'export const warm = 1;\n');
  writeFileSync(new URL(bare), 'export const handler = async () => ({ statusCode: 200 });\n');
  writeFileSync(
    new URL(wrapped),
    `import { withErrorMail } from ${JSON.stringify(PKG)};\nexport const handler = withErrorMail(async () => ({ statusCode: 200 }));\n`,
  );
  const samples = { bare: [], pkg: [] };
  for (let i = 0; i < 11; i++) {
    for (const mode of ['bare', 'pkg']) {
      const { stdout } = await run(
        process.execPath,
        ['--expose-gc', '--input-type=module', '-e', IMPORT_PROBE, mode, warm, bare, wrapped],
        { env: { ...process.env, ADMINS: 'ops@example.com', SERVER_EMAIL: 'errors@example.com' } },
      );
      samples[mode].push(JSON.parse(stdout));
    }
  }
  return {
    addedMs: median(samples.pkg.map((s) => s.ms)) - median(samples.bare.map((s) => s.ms)),
    addedMiB:
      (median(samples.pkg.map((s) => s.heap)) - median(samples.bare.map((s) => s.heap))) / 1024 / 1024,
    addedRssMiB:
      (median(samples.pkg.map((s) => s.rss)) - median(samples.bare.map((s) => s.rss))) / 1024 / 1024,
  };
}

async function lazyLoads() {
  const ses = await require('aws-ses-v2-local').default({ host: '127.0.0.1', port: 0 });
  try {
    const { stdout } = await run(process.execPath, ['scripts/probe-loads.mjs'], {
      env: {
        ...process.env,
        ADMINS: 'ops@example.com',
        SERVER_EMAIL: 'errors@example.com',
        AWS_ENDPOINT_URL_SES: `http://127.0.0.1:${ses.address().port}`,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    return JSON.parse(stdout);
  } finally {
    ses.closeAllConnections();
    ses.close();
  }
}

// Reports for the largest inputs: time from the throw to the rendered mail (no send), and the MIME size.
async function largeInputs() {
  const { withErrorMail, composeMime } = await import(PKG);
  const MB = 1024 * 1024;
  const env = { ADMINS: 'ops@example.com', SERVER_EMAIL: 'errors@example.com' };
  // A new context per invocation, as Lambda makes one: reports are deduplicated per invocation.
  const newContext = () => ({ awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 });
  const http = (extra) => ({
    version: '2.0',
    rawPath: '/orders',
    rawQueryString: '',
    headers: { host: 'api.example.com', 'content-type': 'application/json' },
    requestContext: { domainName: 'api.example.com', http: { method: 'POST', sourceIp: '203.0.113.9' } },
    ...extra,
  });
  const members = Array.from({ length: 5000 }, (_, i) => new TypeError(`member ${i}`));
  const cases = {
    '6 MB text body': () => [new Error('x'), http({ body: 'a'.repeat(6 * MB) })],
    '6 MB base64 body': () => [
      new Error('x'),
      http({ body: Buffer.from('b'.repeat(6 * MB)).toString('base64'), isBase64Encoded: true }),
    ],
    '5,000 headers of 10 KB': () => [
      new Error('x'),
      http({
        headers: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`x-h${i}`, 'v'.repeat(10_000)])),
      }),
    ],
    'AggregateError of 5,000 + 5 MB stack': () => {
      const error = new AggregateError(members, 'many');
      error.stack = 's'.repeat(5 * MB);
      return [error, http({})];
    },
  };
  const results = [];
  for (const [name, make] of Object.entries(cases)) {
    let mail;
    const transport = {
      async send(m) {
        mail = m;
      },
    };
    const times = [];
    for (let i = 0; i < 15; i++) {
      const [error, event] = make();
      const handler = withErrorMail(
        async () => {
          throw error;
        },
        { env, transport, log: () => {} },
      );
      const start = performance.now();
      await handler(event, newContext()).catch(() => {});
      times.push(performance.now() - start);
    }
    results.push({ name, ms: median(times), bytes: (await composeMime(mail)).length });
  }
  return results;
}

const fmt = (n, digits = 1) => n.toFixed(digits);
console.log(`node ${process.version}, ${ROUNDS} rounds x ${CALLS} calls`);
const s = await successPath();
console.log(
  `success path, withErrorMail, no timeout warning: bare ${fmt(s.bareNs)} ns, wrapped ${fmt(s.wrappedNs)} ns, added ${fmt(s.addedNs)} ns (x${fmt(s.ratio, 2)}); budget ${BUDGET.successNs} ns: ${s.addedNs <= BUDGET.successNs ? 'within' : 'OVER'}`,
);
console.log(
  `success path, withErrorMail, timeout warning on (the default): wrapped ${fmt(s.warnedNs)} ns, added ${fmt(s.warnedAddedNs)} ns; budget ${BUDGET.warningNs} ns: ${s.warnedAddedNs <= BUDGET.warningNs ? 'within' : 'OVER'}`,
);
console.log(
  `success path, errorMail():   middy ${fmt(s.middyBareNs)} ns, with errorMail ${fmt(s.middyWrappedNs)} ns, added ${fmt(s.middyAddedNs)} ns`,
);
const imp = await importCost();
console.log(
  `import and wrap: added ${fmt(imp.addedMs, 2)} ms (budget ${BUDGET.importMs}: ${imp.addedMs <= BUDGET.importMs ? 'within' : 'OVER'}), heap ${fmt(imp.addedMiB, 3)} MiB (budget ${BUDGET.importMiB}: ${imp.addedMiB <= BUDGET.importMiB ? 'within' : 'OVER'}; differences under 0.1 MiB are noise), RSS ${fmt(imp.addedRssMiB, 2)} MiB`,
);
for (const r of await largeInputs()) {
  console.log(
    `report for ${r.name}: ${fmt(r.ms)} ms from throw to rendered mail (budget 20 ms for 6 MB bodies), MIME ${r.bytes.toLocaleString('en-US')} bytes (cap 262,144)`,
  );
}
const loads = await lazyLoads();
// The probe lists the package's own files as dist/<name>, and the SES client's and nodemailer's by URL.
const own = (list) => list.filter((url) => url.startsWith('dist/'));
const dependencies = (list) => list.filter((url) => !url.startsWith('dist/'));
const lazy =
  dependencies(loads.afterImport).length === 0 &&
  dependencies(loads.afterSuccess).length === 0 &&
  own(loads.afterSuccess).join() === 'dist/index.js';
console.log(
  `lazy loading: after import and after 100 successes ${own(loads.afterSuccess).join(', ')} and ${dependencies(loads.afterSuccess).length} SES/composer modules (${lazy ? 'one module, as required' : 'LOADED TOO EARLY'}); after the first report ${own(loads.afterFailure).join(', ')} and ${dependencies(loads.afterFailure).length}`,
);
