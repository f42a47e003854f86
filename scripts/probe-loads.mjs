// Prints, as JSON, which modules the built package loads: after import, after a
// successful invocation, and after a failing one (which sends through SES). Its own
// files are listed as dist/<name>; dependencies by their URL. Modules loaded by import are
// seen by a resolve hook, modules loaded by require in the require cache.
// Run from the repository root after `npm run build`; settings come from the environment.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const logFolder = mkdtempSync(join(tmpdir(), 'lem-loads-'));
const logFile = join(logFolder, 'loads.txt');
process.env.LEM_LOAD_LOG = logFile;
appendFileSync(logFile, '');
const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.LEM_LOAD_LOG, result.url + '\\n');
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

const dist = new URL('../dist/', import.meta.url).href;
const watched = (url) => url.startsWith(dist) || /@aws-sdk\/client-ses|nodemailer/.test(url);
const requireCache = createRequire(import.meta.url).cache;
const loaded = () => [
  ...new Set(
    [
      ...readFileSync(logFile, 'utf8').split('\n'),
      ...Object.keys(requireCache).map((path) => pathToFileURL(path).href),
    ]
      .filter(watched)
      .map((url) => (url.startsWith(dist) ? `dist/${url.slice(dist.length)}` : url)),
  ),
];

const { withErrorMail } = await import('lambda-error-mail');
const context = {
  awsRequestId: 'probe',
  functionName: 'probe',
  getRemainingTimeInMillis: () => 10_000,
};
const afterImport = loaded();

const ok = withErrorMail(async () => ({ statusCode: 200, body: 'ok' }));
for (let i = 0; i < 100; i++)
  await ok({ version: '2.0', rawPath: '/ok', requestContext: { http: { method: 'GET' } } }, context);
const afterSuccess = loaded();

const failing = withErrorMail(async () => {
  throw new Error('probe failure');
});
await failing(
  { version: '2.0', rawPath: '/probe', requestContext: { http: { method: 'GET' } } },
  context,
).catch(() => {});
const afterFailure = loaded();

rmSync(logFolder, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ afterImport, afterSuccess, afterFailure })}\n`);
