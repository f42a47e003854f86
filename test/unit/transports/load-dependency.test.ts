import { describe, expect, it } from 'vitest';
import type { SendTime } from '../../../src/core/ports.js';
import { sendTime } from '../../../src/pipeline/budget.js';
import {
  ensureTime,
  FIRST_USE_CPU_MS,
  loadDependency,
  loadInTime,
  NotInTimeError,
} from '../../../src/transports/load-dependency.js';

const noImport = () => Promise.reject(new Error('import() was taken although require could load it'));

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
});

describe('ensureTime', () => {
  const at128: SendTime = { leftMs: () => 1000, cpuShare: 128 / 1769 };

  it('refuses a step that would not end in the time left at the CPU share, saying both figures', () => {
    expect(() => ensureTime(at128, FIRST_USE_CPU_MS.sesClient, 'loading the SES client')).toThrow(
      new NotInTimeError(
        'loading the SES client was not started: it takes about 1590 ms at 7.2% of a vCPU, and 1000 ms of the send budget were left; a later send takes it',
        'loading the SES client',
      ),
    );
  });

  it('lets a step start that fits, and any step when no time was given', () => {
    expect(() => ensureTime(at128, FIRST_USE_CPU_MS.composer, "loading nodemailer's composer")).not.toThrow();
    expect(() => ensureTime({ leftMs: () => 120, cpuShare: 1 }, 115, 'x')).not.toThrow();
    expect(() => ensureTime(undefined, 1_000_000, 'x')).not.toThrow();
  });

  it('counts time already spent: no time left refuses even the smallest step', () => {
    expect(() => ensureTime({ leftMs: () => -40, cpuShare: 1 }, 1, 'a step')).toThrow(
      /about 1 ms at 100\.0% of a vCPU, and 0 ms of the send budget were left/,
    );
  });

  it('loads nothing it refused, and names the step it did not start', async () => {
    const never = () => Promise.reject(new Error('loaded although refused'));

    const refused = await loadInTime(
      { leftMs: () => 10, cpuShare: 1 },
      'loading a package',
      50,
      'lambda-error-mail-nope',
      never,
    ).catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(NotInTimeError);
    expect((refused as NotInTimeError).step).toBe('loading a package');
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

  it('counts down from the budget as the clock moves', () => {
    let now = 5000;
    const time = sendTime(2000, () => now, {});
    expect(time.leftMs()).toBe(2000);
    now += 1500;
    expect(time.leftMs()).toBe(500);
  });
});
