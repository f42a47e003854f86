import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The capture patches the process's console, streams and fs: each case runs in a fresh child process,
// so that nothing of it leaks into the test runner or into another case.
let dir: string;
let bundle: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lem-capture-'));
  bundle = join(dir, 'log-capture.mjs');
  buildSync({
    entryPoints: [new URL('../../../src/adapters/log-capture.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: bundle,
    logLevel: 'error',
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs `body` in a fresh Node process with the capture installed after `before` (what ran before the
 * handler module loaded: the runtime's own console); returns what it reports on fd 3.
 */
function inChild(
  body: string,
  options: { before?: string; env?: Record<string, string>; flags?: string[] } = {},
): unknown {
  const script = `
    import { createRequire } from 'node:module';
    const cjsFs = createRequire(import.meta.url)('fs');
    const report = (value) => cjsFs.writeSync(3, JSON.stringify(value));
    ${options.before ?? ''}
    const { installLogCapture, withoutCapture, CAPACITY, MAX_WRITE } = await import(${JSON.stringify(`file://${'BUNDLE'}`)});
    const capture = installLogCapture();
    const text = (result) => result.kind === 'writes'
      ? result.writes.map((w) => [w.level, typeof w.data === 'string' ? w.data : Buffer.from(w.data).toString('utf8'), w.cut])
      : result;
    ${body}
  `.replace('BUNDLE', bundle);
  const child = spawnSync(process.execPath, [...(options.flags ?? []), '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  const reported = child.output[3]?.toString() ?? '';
  if (child.status !== 0 || reported === '')
    throw new Error(`the child failed: ${child.output[2]?.toString()}`);
  return JSON.parse(reported);
}

describe('the log capture', () => {
  it('keeps what an invocation writes through console and the streams, each with its level, and nothing of the one before', () => {
    const result = inChild(`
      const first = capture.begin({ id: 1 }, Date.now());
      console.log('A from the first');
      capture.end(first);
      console.log('between the two');
      const second = capture.begin({ id: 2 }, Date.now());
      console.log('B', 42);
      console.info('info');
      console.warn('warn');
      console.error('error');
      console.debug('debug');
      console.trace('trace');
      process.stdout.write('raw out\\n');
      process.stderr.write(Buffer.from('raw err\\n'));
      process.stdout.write('café ☕ 😀\\n');
      report(text(capture.writesOf(second, undefined)));
    `);

    // Node.js's console writes the streams: its lines have the stream's level (the runtime's frames
    // carry theirs, below).
    expect(result).toEqual([
      ['STDOUT', 'B 42\n', false],
      ['STDOUT', 'info\n', false],
      ['STDERR', 'warn\n', false],
      ['STDERR', 'error\n', false],
      ['STDOUT', 'debug\n', false],
      ['STDERR', expect.stringMatching(/^Trace: trace\n {4}at /), false],
      ['STDOUT', 'raw out\n', false],
      ['STDERR', 'raw err\n', false],
      // Not ASCII: encoded as UTF-8, whole.
      ['STDOUT', 'café ☕ 😀\n', false],
    ]);
  });

  it("reads the Lambda runtime's telemetry frames: the level and time from the header, the line from the write after it", () => {
    // What the runtime does before it loads the handler: console.warn writes a 16-byte header, then
    // the line, with fs.writeSync looked up on the module.
    const runtime = `
      const fd = cjsFs.openSync('/dev/null', 'w');
      const header = Buffer.alloc(16);
      console.warn = (...args) => {
        const line = Buffer.from('2026-12-01T10:00:00.123Z\\treq-1\\tWARN\\t' + args.join(' ') + '\\n');
        header.writeUInt32BE((0xa55a0003 | 0x10) >>> 0, 0);
        header.writeInt32BE(line.length, 4);
        header.writeBigInt64BE(1700000000123n * 1000n, 8);
        cjsFs.writeSync(fd, header);
        cjsFs.writeSync(fd, line);
      };
    `;
    const result = inChild(
      `
      const mark = capture.begin({}, Date.now());
      console.warn('slow', 'query');
      // Replaced again after the capture was installed: the frames are still read.
      const replaced = console.warn;
      console.warn = (...args) => replaced(...args);
      console.warn('again');
      const got = capture.writesOf(mark, undefined);
      report({ lines: text(got), at: got.writes.map((write) => write.at) });
    `,
      { before: runtime },
    );

    expect(result).toEqual({
      lines: [
        ['WARN', '2026-12-01T10:00:00.123Z\treq-1\tWARN\tslow query\n', false],
        ['WARN', '2026-12-01T10:00:00.123Z\treq-1\tWARN\tagain\n', false],
      ],
      at: [1700000000123, 1700000000123],
    });
  });

  it('changes no write: the same bytes, results and errors for fs, the streams and console', () => {
    const result = inChild(
      `
      const file = ${JSON.stringify('FILE')};
      const fd = cjsFs.openSync(file, 'w');
      const wrote = cjsFs.writeSync(fd, Buffer.from('0123456789'), 2, 5);
      cjsFs.closeSync(fd);
      let thrown;
      try { cjsFs.writeSync(987654, 'x'); } catch (error) { thrown = error.code; }
      const streamed = process.stdout.write('');
      const logged = console.log('%s-%d', 'a', 7);
      // util.promisify of the wrapped fs.write resolves as it did: to { bytesWritten, buffer }.
      const { promisify } = await import('node:util');
      const again = cjsFs.openSync(file, 'a');
      const promised = await promisify(cjsFs.write)(again, Buffer.from('!'));
      cjsFs.closeSync(again);
      report({
        wrote,
        content: cjsFs.readFileSync(file, 'utf8'),
        thrown,
        streamed,
        logged: logged ?? null,
        promised: Object.keys(promised),
      });
    `.replace('FILE', join(dir, 'written.txt')),
    );

    expect(result).toEqual({
      wrote: 5,
      content: '23456!',
      thrown: 'EBADF',
      streamed: true,
      logged: null,
      promised: ['bytesWritten', 'buffer'],
    });
  });

  it('holds at most its capacity, each write cut and copied, whatever a process logs between failures', () => {
    const result = inChild(`
      const mark = capture.begin({}, Date.now());
      for (let i = 0; i < 100000; i += 1) console.log('line', i);
      const huge = 'x'.repeat(5 * 1024 * 1024);
      console.log(huge);
      const got = capture.writesOf(mark, undefined);
      const last = got.writes.at(-1);
      report({ kept: got.writes.length, earlier: got.earlier, lastLength: last.data.length, cut: last.cut, capacity: CAPACITY, max: MAX_WRITE });
    `);

    expect(result).toEqual({
      kept: 128,
      earlier: 100001 - 128,
      lastLength: 4096,
      cut: true,
      capacity: 128,
      max: 4096,
    });
  });

  it('keeps a copy of each write: a buffer reused after it, or a slice of a large text, is not held', () => {
    const result = inChild(
      `
      const mark = capture.begin({}, Date.now());
      const scratch = Buffer.alloc(18);
      scratch.write('user=ana   req=1\\n');
      cjsFs.writeSync(1, scratch, 0, 17);
      scratch.write('user=bob   req=2\\n');
      cjsFs.writeSync(1, scratch, 0, 17);
      const before = process.memoryUsage();
      for (let i = 0; i < 20; i += 1) {
        const body = 'x'.repeat(4 * 1024 * 1024) + i;
        process.stdout.write(body.slice(0, 80) + '\\n');
      }
      globalThis.gc?.();
      const after = process.memoryUsage();
      report({
        lines: text(capture.writesOf(mark, undefined)).slice(0, 2),
        grownMb: Math.round((after.heapUsed + after.external - before.heapUsed - before.external) / 1048576),
      });
    `,
      { flags: ['--expose-gc'] },
    );

    expect(result).toEqual({
      lines: [
        ['STDOUT', 'user=ana   req=1\n', false],
        ['STDOUT', 'user=bob   req=2\n', false],
      ],
      grownMb: expect.any(Number),
    });
    // 20 bodies of 4 MiB were made: held, they would be 80 MiB.
    expect((result as { grownMb: number }).grownMb).toBeLessThan(8);
  });

  it('keeps long writes within its bytes, and counts the ones it let go as earlier', () => {
    const result = inChild(`
      const mark = capture.begin({}, Date.now());
      for (let i = 0; i < 100; i += 1) process.stdout.write(String(i).padStart(3, '0') + 'y'.repeat(3997));
      const got = capture.writesOf(mark, undefined);
      report({ kept: got.writes.length, earlier: got.earlier, last: Buffer.from(got.writes.at(-1).data).toString().slice(0, 3) });
    `);
    const { kept, earlier, last } = result as { kept: number; earlier: number; last: string };

    expect(kept * 4000).toBeLessThanOrEqual(256 * 1024);
    expect(kept + earlier).toBe(100);
    expect(last).toBe('099');
  });

  it('takes a 16-byte write that looks like a frame header for one only when the next write has its length', () => {
    const result = inChild(`
      const fd = cjsFs.openSync('/dev/null', 'w');
      const mark = capture.begin({}, Date.now());
      const header = Buffer.alloc(16);
      header.writeUInt32BE(0xa55a0013, 0);
      header.writeInt32BE(99, 4);
      cjsFs.writeSync(fd, header);
      cjsFs.writeSync(fd, Buffer.from('binary file contents'));
      report(text(capture.writesOf(mark, undefined)));
    `);

    expect(result).toEqual([]);
  });

  it('says the lines cannot be told apart when invocations overlap, and tells them apart again after', () => {
    const result = inChild(`
      // Each handler returned its promise (called), then logged while the other ran.
      const a = capture.begin({ id: 'a' }, Date.now());
      capture.called(a);
      console.log('a1');
      const b = capture.begin({ id: 'b' }, Date.now());
      capture.called(b);
      console.log('b1');
      const duringA = capture.writesOf(a, undefined).kind;
      const duringB = capture.writesOf(b, undefined).kind;
      capture.end(a);
      capture.end(b);
      const c = capture.begin({ id: 'c' }, Date.now());
      console.log('c1');
      report({ duringA, duringB, after: text(capture.writesOf(c, undefined)) });
    `);

    expect(result).toEqual({
      duringA: 'unattributed',
      duringB: 'unattributed',
      after: [['STDOUT', 'c1\n', false]],
    });
  });

  it('gives a second wrapper of the same invocation the same lines, not an overlap', () => {
    const result = inChild(`
      const nested = (outerOwner) => {
        const context = { awsRequestId: 'r' };
        // withErrorMail calls the handler it wraps (the inner begin comes before the outer's call
        // returned); middy's middleware begins first and hands the same context on.
        const outer = outerOwner === undefined
          ? capture.begin(context, Date.now())
          : capture.begin(context, Date.now(), outerOwner, () => false);
        const inner = capture.begin(context, Date.now());
        capture.called(inner);
        if (outerOwner === undefined) capture.called(outer);
        console.log('inside both');
        const lines = text(capture.writesOf(inner, undefined));
        capture.end(inner);
        capture.end(outer);
        return lines;
      };
      const called = nested(undefined);
      const middy = nested({});
      const next = capture.begin({ awsRequestId: 's' }, Date.now());
      console.log('next');
      report({ called, middy, next: text(capture.writesOf(next, undefined)) });
    `);

    expect(result).toEqual({
      called: [['STDOUT', 'inside both\n', false]],
      middy: [['STDOUT', 'inside both\n', false]],
      next: [['STDOUT', 'next\n', false]],
    });
  });

  it('takes an invocation that begins with the same context after the call returned for an overlap', () => {
    const result = inChild(`
      // A test harness that calls one handler twice at once with one context object.
      const context = { awsRequestId: 'r' };
      const first = capture.begin(context, Date.now());
      capture.called(first);
      const second = capture.begin(context, Date.now());
      capture.called(second);
      console.log('either');
      report({ first: capture.writesOf(first, undefined).kind, second: capture.writesOf(second, undefined).kind });
    `);

    expect(result).toEqual({ first: 'unattributed', second: 'unattributed' });
  });

  it('counts an invocation middy answered early as ended when the next one begins', () => {
    const result = inChild(`
      const request = { answered: false };
      capture.begin({ id: 1 }, Date.now(), request, (owner) => owner.answered);
      request.answered = true;
      const next = capture.begin({ id: 2 }, Date.now());
      console.log('second');
      report(text(capture.writesOf(next, undefined)));
    `);

    expect(result).toEqual([['STDOUT', 'second\n', false]]);
  });

  it("takes each line's invocation from the runtime's store when invocations run side by side", () => {
    const store = `
      const { AsyncLocalStorage } = await import('node:async_hooks');
      const als = new AsyncLocalStorage();
      globalThis.awslambda = { InvokeStore: { getRequestId: () => als.getStore() ?? '-' } };
    `;
    const result = inChild(
      `
      const tick = () => new Promise((resolve) => setImmediate(resolve));
      const run = (id) => als.run(id, async () => {
        const mark = capture.begin({ awsRequestId: id }, Date.now());
        for (let i = 0; i < 3; i += 1) { console.log(id, i); await tick(); }
        return mark;
      });
      const [a, b] = await Promise.all([run('req-a'), run('req-b')]);
      report({ a: text(capture.writesOf(a, 'req-a')), b: text(capture.writesOf(b, 'req-b')) });
    `,
      { before: store, env: { AWS_LAMBDA_MAX_CONCURRENCY: '4' } },
    );

    expect(result).toEqual({
      a: [
        ['INFO', 'req-a 0\n', false],
        ['INFO', 'req-a 1\n', false],
        ['INFO', 'req-a 2\n', false],
      ],
      b: [
        ['INFO', 'req-b 0\n', false],
        ['INFO', 'req-b 1\n', false],
        ['INFO', 'req-b 2\n', false],
      ],
    });
  });

  it("leaves out the library's own log lines, and the writes of fs to other files", () => {
    const result = inChild(`
      const mark = capture.begin({}, Date.now());
      withoutCapture(() => process.stderr.write('{"level":"ERROR","message":"error mail not sent"}\\n'));
      const fd = cjsFs.openSync('/dev/null', 'w');
      cjsFs.writeSync(fd, 'to a file\\n');
      cjsFs.writeSync(1, Buffer.from('pino sync\\n'), 0, 5);
      report(text(capture.writesOf(mark, undefined)));
    `);

    expect(result).toEqual([['STDOUT', 'pino ', false]]);
  });
});
