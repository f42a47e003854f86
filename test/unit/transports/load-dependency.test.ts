import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { SendTime } from '../../../src/core/ports.js';
import { sendTime } from '../../../src/pipeline/budget.js';
import {
  DEADLINE_SAFETY,
  FIRST_USE_CPU_MS,
  firstUse,
  firstUseSteps,
  loadDependency,
  NotInTimeError,
  packageRequire,
} from '../../../src/transports/load-dependency.js';

const noImport = () => Promise.reject(new Error('import() was taken although require could load it'));
const AT_128_MB = 128 / 1769;
const time = (leftMs: number, untilDeadlineMs?: number, cpuShare = AT_128_MB): SendTime => ({
  leftMs: () => leftMs,
  untilDeadlineMs: () => untilDeadlineMs,
  cpuShare,
});

describe('loadDependency', () => {
  it("loads a package with Node's require, with the named exports and the default its import gives", async () => {
    const viaRequire = await loadDependency<typeof import('nodemailer/lib/mail-composer')>(
      'nodemailer/lib/mail-composer',
      noImport,
    );
    const viaImport = await import('nodemailer/lib/mail-composer');

    expect(typeof viaRequire.default).toBe('function');
    expect(viaRequire.default.name).toBe(viaImport.default.name);
    const sdk = await loadDependency<typeof import('@aws-sdk/client-ses')>('@aws-sdk/client-ses', noImport);
    expect(typeof sdk.SendRawEmailCommand).toBe('function');
  });

  it('takes the import when require cannot load the module, as in a bundle that holds it', async () => {
    const inline = 'data:text/javascript,export default 42';

    const loaded = await loadDependency<{ default: number }>(inline, () => import(inline));

    expect(loaded.default).toBe(42);
  });

  it('says what import says when neither can load it (the package is missing)', async () => {
    const missing = 'lambda-error-mail-no-such-package';

    await expect(loadDependency(missing, () => import(missing))).rejects.toThrow(
      /Cannot find (module|package) 'lambda-error-mail-no-such-package'/,
    );
  });

  it('rethrows what a package raises while it loads, without loading it a second time by import', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lem-load-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'broken.cjs');
    writeFileSync(
      file,
      "globalThis.lemBrokenLoads = (globalThis.lemBrokenLoads ?? 0) + 1; throw new Error('broken at load');",
    );

    await expect(loadDependency(file, noImport)).rejects.toThrow('broken at load');
    expect((globalThis as { lemBrokenLoads?: number }).lemBrokenLoads).toBe(1);
  });
});

describe('packageRequire', () => {
  it("is this package's require for a file of the package, and none for a bundle or no file URL", () => {
    expect(packageRequire(import.meta.url)).toBeTypeOf('function');
    expect(packageRequire(pathToFileURL(join(tmpdir(), 'bundle', 'index.mjs')).href)).toBeNull();
    expect(packageRequire(undefined)).toBeNull();
    expect(packageRequire('data:text/javascript,1')).toBeNull();
  });
});

describe('firstUse', () => {
  const step = () => Promise.resolve('done');

  it('refuses a step that would not end in the send budget at the CPU share, saying both figures', async () => {
    await expect(
      firstUse(time(1000), FIRST_USE_CPU_MS.sesClient, 'loading the SES client', step),
    ).rejects.toThrow(
      new NotInTimeError(
        'loading the SES client was not started: it takes about 1590 ms at 7.2% of a vCPU, and 1000 ms of the send budget were left; a later send takes it',
        'loading the SES client',
      ),
    );
  });

  it(`refuses a step unless ${DEADLINE_SAFETY} times its estimate fits before the deadline`, async () => {
    // 1,590 ms fit in the budget, but not 1.5 times over in the 2,000 ms before the deadline.
    const refused = await firstUse(
      time(1800, 2000),
      FIRST_USE_CPU_MS.sesClient,
      'loading the SES client',
      step,
    ).catch((error: unknown) => error);

    expect(String(refused)).toBe(
      'NotInTimeError: loading the SES client was not started: it takes about 1590 ms at 7.2% of a vCPU, and 2000 ms were left before the deadline; a later send takes it',
    );
    expect((refused as NotInTimeError).step).toBe('loading the SES client');
    await expect(firstUse(time(1800, 2400), FIRST_USE_CPU_MS.sesClient, 'x', step)).resolves.toBe('done');
  });

  it('runs a step that fits, and any step when no time was given, and counts each done', async () => {
    const before = firstUseSteps();

    await expect(firstUse(time(1000), FIRST_USE_CPU_MS.composer, 'loading the composer', step)).resolves.toBe(
      'done',
    );
    await expect(firstUse(undefined, 1_000_000, 'x', step)).resolves.toBe('done');
    await firstUse(time(10), 100, 'not started', step).catch(() => undefined);

    expect(firstUseSteps()).toBe(before + 2);
  });

  it('counts time already spent: no time left refuses even the smallest step', async () => {
    await expect(firstUse(time(-40, undefined, 1), 1, 'a step', step)).rejects.toThrow(
      /about 1 ms at 100\.0% of a vCPU, and 0 ms of the send budget were left/,
    );
  });

  it("paces a send's next estimates by how long its last step took against its own, and no other send's", async () => {
    let left = 1000;
    const send = (): SendTime => ({ leftMs: () => left, untilDeadlineMs: () => undefined, cpuShare: 1 });
    const slowStep = () => new Promise<void>((done) => setTimeout(done, 45));
    const paced = send();
    const other = send();

    // A 10 ms step at full CPU that takes about 40 ms: the send's next estimates are four times theirs.
    await firstUse(paced, 10, 'a slow step', slowStep);
    left = 100;
    const refused = firstUse(paced, 30, 'the next step', step);
    const otherSend = firstUse(other, 30, 'the next step', step);
    // A step as fast as estimated brings the pace back to 1.
    left = 10_000;
    await firstUse(paced, 1000, 'a quick step', step);
    left = 100;

    await expect(refused).rejects.toThrow(
      'the next step was not started: it takes about 120 ms at 100.0% of a vCPU, and 100 ms of the send budget were left',
    );
    await expect(otherSend).resolves.toBe('done');
    await expect(firstUse(paced, 30, 'the next step', step)).resolves.toBe('done');
  });
});

describe('sendTime', () => {
  it("takes the CPU share from the context's memory size: 7.2% at 128 MB, one vCPU from 1,769 MB", () => {
    const clock = () => 0;
    expect(sendTime(2000, clock, { memoryLimitInMB: '128' }).cpuShare).toBeCloseTo(0.0724, 4);
    expect(sendTime(2000, clock, { memoryLimitInMB: 1024 }).cpuShare).toBeCloseTo(0.579, 3);
    expect(sendTime(2000, clock, { memoryLimitInMB: '10240' }).cpuShare).toBe(1);
    for (const context of [undefined, {}, { memoryLimitInMB: 'lots' }, { memoryLimitInMB: '0' }]) {
      expect(sendTime(2000, clock, context).cpuShare).toBe(1);
    }
  });

  it('counts down from the budget, and to the deadline when the context has a clock, as the clock moves', () => {
    let now = 5000;
    const withClock = sendTime(2000, () => now, { getRemainingTimeInMillis: () => 2600 });
    const without = sendTime(2000, () => now, {});
    expect(withClock.leftMs()).toBe(2000);
    expect(withClock.untilDeadlineMs()).toBe(2600);
    now += 1500;
    expect(withClock.leftMs()).toBe(500);
    expect(withClock.untilDeadlineMs()).toBe(1100);
    expect(without.untilDeadlineMs()).toBeUndefined();
  });
});
