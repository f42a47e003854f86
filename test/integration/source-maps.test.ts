import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type BuildOptions, build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mailsMarked, reportingEnv, type StoredMail } from '../helpers/local-ses.js';
import { startSesProxy } from '../helpers/ses-proxy.js';

const run = promisify(execFile);
const sesUrl = inject('sesUrl');
const REPO = join(import.meta.dirname, '..', '..');

// A small TypeScript service, as a user writes it: a handler wrapped once, the failing code two
// modules down. `price.ts` line 6 throws; line 5 holds a key pasted into a comment.
const PROJECT: Record<string, string> = {
  'src/handler.ts': [
    "import { withErrorMail } from 'lambda-error-mail';",
    "import { createOrder } from './orders/create';",
    '',
    'export const handler = withErrorMail(async (event: { body: string }) => {',
    '  const total = createOrder(JSON.parse(event.body));',
    '  return { statusCode: 200, body: String(total) };',
    '});',
  ].join('\n'),
  'src/orders/create.ts': [
    "import { priceLine } from './price';",
    '',
    'export function createOrder(body: { lines: { sku: string; qty: number }[] }): number {',
    '  return body.lines.map(priceLine).reduce((sum, price) => sum + price, 0);',
    '}',
  ].join('\n'),
  'src/orders/price.ts': [
    'const PRICES: Record<string, { amount: number }> = { tea: { amount: 4 } };',
    '',
    'export function priceLine(line: { sku: string; qty: number }): number {',
    '  const unit = PRICES[line.sku] as { amount: number };',
    '  // billing key for later: AKIAIOSFODNN7EXAMPLE',
    '  return unit.amount * line.qty;',
    '}',
  ].join('\n'),
};

// Each build as a function's deployment: its own folder under the task root, as /var/task holds it.
const BUILDS: Record<string, BuildOptions> = {
  external: { sourcemap: true },
  inline: { sourcemap: 'inline' },
  none: { sourcemap: false },
  // The same code two lines lower: a redeploy that shifts every bundle position.
  shifted: { sourcemap: true, banner: { js: '// build 2\n// of the same source' } },
  // As SAM builds by default: every name shortened, the code on a few long lines.
  minified: { sourcemap: true, minify: true },
  // Maps spoiled after the build (below): one cut short, one over the 10 MiB a map may take.
  broken: { sourcemap: true },
  huge: { sourcemap: true },
};

let root: string;
let proxy: Awaited<ReturnType<typeof startSesProxy>>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lem-task-'));
  for (const [file, text] of Object.entries(PROJECT)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), `${text}\n`);
  }
  // The installed packages: this library as built, its dependencies, and the runtime's AWS SDK.
  mkdirSync(join(root, 'node_modules', '@aws-sdk'), { recursive: true });
  symlinkSync(REPO, join(root, 'node_modules', 'lambda-error-mail'));
  for (const pkg of ['nodemailer', '@jridgewell', '@aws-sdk/client-ses']) {
    symlinkSync(join(REPO, 'node_modules', pkg), join(root, 'node_modules', pkg));
  }
  for (const [name, options] of Object.entries(BUILDS)) {
    await build({
      entryPoints: [join(root, 'src', 'handler.ts')],
      outfile: join(root, name, 'handler.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // The library's files keep their node_modules path, as in an installed package.
      preserveSymlinks: true,
      external: ['@aws-sdk/*'],
      logLevel: 'error',
      ...options,
    });
  }
  const brokenMap = join(root, 'broken', 'handler.js.map');
  writeFileSync(brokenMap, readFileSync(brokenMap, 'utf8').slice(0, 100));
  // Valid JSON still: the bound is checked on the file's size before anything is read.
  const hugeMap = join(root, 'huge', 'handler.js.map');
  writeFileSync(hugeMap, readFileSync(hugeMap, 'utf8') + ' '.repeat(10 * 1024 * 1024));
  writeFileSync(
    join(root, 'invoke.cjs'),
    [
      'const { handler } = require(process.argv[2]);',
      'const deadline = Date.now() + 10_000;',
      'const context = {',
      "  awsRequestId: 'req-' + process.pid, functionName: 'shop-api', functionVersion: '$LATEST', memoryLimitInMB: '1024',",
      "  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:shop-api', logGroupName: '/aws/lambda/shop-api', logStreamName: 's',",
      '  getRemainingTimeInMillis: () => deadline - Date.now(),',
      '};',
      "const event = { version: '2.0', rawPath: '/orders', rawQueryString: '', headers: { host: 'api.example.com' },",
      "  requestContext: { http: { method: 'POST', path: '/orders', sourceIp: '203.0.113.9' } }, body: JSON.stringify({ lines: [{ sku: 'tea', qty: 1 }, { sku: 'cake', qty: 2 }] }), isBase64Encoded: false };",
      'handler(event, context).then(() => process.exit(2), () => process.exit(0));',
    ].join('\n'),
  );
  proxy = await startSesProxy(sesUrl);
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

/** Runs one build's handler in a fresh process, as Lambda would, and returns its mail and its raw MIME. */
async function invoke(name: string, nodeOptions: string[] = []): Promise<{ mail: StoredMail; raw: string }> {
  const marker = randomUUID();
  const before = proxy.raw().length;
  await run(process.execPath, [...nodeOptions, join(root, 'invoke.cjs'), join(root, name, 'handler.js')], {
    cwd: root,
    timeout: 30_000,
    env: {
      PATH: process.env.PATH,
      LAMBDA_TASK_ROOT: root,
      ...reportingEnv(proxy.url, marker),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  const [mail] = await mailsMarked(sesUrl, marker);
  const raw = proxy
    .raw()
    .slice(before)
    .find((message) => message.includes(marker));
  if (mail === undefined || raw === undefined) throw new Error(`no mail from the ${name} build`);
  return { mail, raw };
}

const text = (mail: StoredMail) => (mail.body.text ?? '').replace(/\r\n/g, '\n');
const fingerprintOf = (raw: string) => /^References: <([0-9a-f]+)@lambda-error-mail>/m.exec(raw)?.[1];

describe('a bundled function with a source map', () => {
  it.each(['external', 'inline'])(
    'names the TypeScript source of each frame, with the failing line under it (%s map)',
    async (name) => {
      const { mail } = await invoke(name);

      const body = text(mail);
      expect(body).toMatch(
        /\n {4}at priceLine \(src\/orders\/price\.ts:6:\d+\)\n {8}return unit\.amount \* line\.qty;\n/,
      );
      expect(body).toMatch(
        /\n {4}at Array\.map \(<anonymous>\)\n {4}at createOrder \(src\/orders\/create\.ts:4:\d+\)\n {8}return body\.lines\.map\(priceLine\)/,
      );
      expect(body).toMatch(
        /\n {4}at src\/handler\.ts:5:\d+\n {8}const total = createOrder\(JSON\.parse\(event\.body\)\);/,
      );
      expect(body).not.toMatch(/handler\.js:\d+:\d+/);
      // The library's own frames are shown as its own (lambda-error-mail/src/...), not as the user's code.
      const html = mail.body.html ?? '';
      expect(body).toMatch(
        /\n {4}at errorMailHandler \(lambda-error-mail\/src\/adapters\/wrap\.ts:\d+:\d+\)\n {4}at /,
      );
      expect(html).toMatch(/data-frame="dependency"[^>]*>\s*at [^<]*lambda-error-mail\/src\//);
      expect(html).not.toMatch(/data-frame="app"[^>]*>[^<]*(node_modules|lambda-error-mail)\//);
      expect(html).toMatch(/<div data-source="6" [^>]*>.*>4<\/span> {2}const unit = PRICES\[line\.sku\]/);
      expect(html).toMatch(/Code<\/th><td[^>]*>priceLine \(src\/orders\/price\.ts:6:\d+\)/);
      expect(`${body}${html}`).not.toContain('AKIAIOSFODNN7EXAMPLE');
    },
  );

  it('names the frames of a minified bundle as the source does where the map names their call', async () => {
    const { mail } = await invoke('minified');

    const body = text(mail);
    // createOrder is called by name from the handler: the map names that call.
    expect(body).toMatch(
      /\n {4}at createOrder \(src\/orders\/create\.ts:4:\d+\)\n {8}return body\.lines\.map\(priceLine\)/,
    );
    // priceLine is called by Array.map, which no map covers: its frame keeps the minified name, at
    // the right source line.
    expect(body).toMatch(
      /\n {4}at \w+ \(src\/orders\/price\.ts:6:\d+\)\n {8}return unit\.amount \* line\.qty;\n/,
    );
    expect(body).not.toMatch(/handler\.js:\d+:\d+/);
  });

  it('gives two bundles of the same source, at other positions, the same fingerprint', async () => {
    const first = await invoke('external');
    const second = await invoke('shifted');

    expect(fingerprintOf(first.raw)).toBeDefined();
    expect(fingerprintOf(second.raw)).toBe(fingerprintOf(first.raw));
  });
});

describe('a bundled function without a map, or whose process maps stacks itself', () => {
  it("keeps the bundle positions when there is no map, with the bundle's own line under the frame", async () => {
    const { mail } = await invoke('none');

    expect(text(mail)).toMatch(
      /\n {4}at priceLine \(\S+\/none\/handler\.js:\d+:\d+\)\n {8}return unit\.amount \* line\.qty;\n/,
    );
  });

  it.each([
    ['broken', 'not valid JSON (at byte 100)'],
    ['huge', /\d+(\.\d)? MiB, over the 10 MiB bound/],
  ])('keeps the bundle positions when the map is %s, and the mail says why', async (name, why) => {
    const { mail } = await invoke(name);

    const body = text(mail);
    expect(body).toMatch(new RegExp(`\\n {4}at priceLine \\(\\S+/${name}/handler\\.js:\\d+:\\d+\\)\\n`));
    const note = body
      .split('\n')
      .find((line) => line.includes(`source map of ${name}/handler.js not read: `));
    expect(note).toBeDefined();
    expect(note).toMatch(why);
  });

  it('takes the frames --enable-source-maps mapped as they are, never mapping them twice', async () => {
    const { mail } = await invoke('external', ['--enable-source-maps']);

    const body = text(mail);
    expect(body).toMatch(
      /\n {4}at priceLine \(\S+\/src\/orders\/price\.ts:6:\d+\)\n {8}return unit\.amount \* line\.qty;\n/,
    );
  });
});
