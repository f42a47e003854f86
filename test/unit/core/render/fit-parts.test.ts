import { describe, expect, it } from 'vitest';
import { enforceMaxBytes, estimateMimeBytes, fitReport } from '../../../../src/core/render/fit.js';
import { type Mail, renderMail } from '../../../../src/core/render/mail.js';
import { DEFAULT_LIMITS, type Limits } from '../../../../src/core/report/limits.js';
import { httpApiEvent } from '../../../helpers/events.js';
import { reportConfig, serverErrorReport } from '../../../helpers/reports.js';

const MAX_BYTES = 64 * 1024;
const env = { ERROR_MAIL_MAX_BYTES: String(MAX_BYTES) };
const config = reportConfig(env);
const noExtras = { headers: {}, patch: { repeats: undefined, mailsBefore: 0 } };

// A 60 KB body: under the default body cap, so the default limits show it whole, twice (text and HTML).
const bigBody = httpApiEvent({ method: 'POST', path: '/orders/42', body: 'x'.repeat(60_000) });
const build = (limits: Limits) => serverErrorReport({ event: bigBody, env, limits });

function mail(text: string, html: string | undefined): Mail {
  return { from: 'errors@example.com', to: ['ops@example.com'], subject: 'ERROR: x', text, html };
}

describe('fitReport', () => {
  it('returns a mail under ERROR_MAIL_MAX_BYTES for a huge body the default limits would send whole', () => {
    const whole = renderMail(config, build(DEFAULT_LIMITS));

    const { mail: fitted } = fitReport(config, build, noExtras);

    expect(estimateMimeBytes(whole)).toBeGreaterThan(MAX_BYTES);
    expect(estimateMimeBytes(fitted)).toBeLessThanOrEqual(MAX_BYTES);
    expect(fitted.html).toBeDefined();
    expect(fitted.text).toMatch(/\n\(\.\.\. [\d,]+ more bytes not shown\)\n/);
  });

  it('keeps the default limits when the mail fits', () => {
    const error = new TypeError('boom');
    const small = (limits: Limits) => serverErrorReport({ outcome: { kind: 'threw', error }, env, limits });

    const { report, mail: fitted } = fitReport(config, small, noExtras);

    expect(fitted).toEqual(renderMail(config, small(DEFAULT_LIMITS)));
    expect(report).toEqual(small(DEFAULT_LIMITS));
  });

  it('keeps the repeats and the threading headers through every rebuild', () => {
    const extras = {
      headers: { messageId: '<m-2@lambda-error-mail>', references: '<f@lambda-error-mail>' },
      patch: { repeats: { count: 3, since: '2026-11-25T03:40:00.000Z' }, mailsBefore: 1 },
    };

    const { report, mail: fitted } = fitReport(config, build, extras);

    expect(report.repeats).toEqual({ count: 3, since: '2026-11-25T03:40:00.000Z' });
    expect(fitted.messageId).toBe('<m-2@lambda-error-mail>');
    expect(fitted.references).toBe('<f@lambda-error-mail>');
    expect(fitted.text).toContain(
      '\nThis error happened 3 more times since 2026-11-25T03:40:00.000Z without a mail',
    );
  });
});

describe('enforceMaxBytes', () => {
  it('returns a mail that fits as it is', () => {
    const small = mail('short', '<p>short</p>');

    expect(enforceMaxBytes(small, MAX_BYTES)).toBe(small);
  });

  it('leaves out the HTML part first, saying so at the end of the text', () => {
    const heavy = mail('short text', `<p>${'h'.repeat(80_000)}</p>`);

    const enforced = enforceMaxBytes(heavy, MAX_BYTES);

    expect(enforced.html).toBeUndefined();
    expect(enforced.text).toBe(
      'short text\n(The HTML part was left out and this text may be cut: the report was over ERROR_MAIL_MAX_BYTES, 65,536 bytes.)\n',
    );
    expect(estimateMimeBytes(enforced)).toBeLessThanOrEqual(MAX_BYTES);
  });

  it('then cuts the text, counting the bytes left out, and stays under the cap', () => {
    const text = `first line\n${'t'.repeat(200_000)}`;

    const enforced = enforceMaxBytes(mail(text, '<p>x</p>'), MAX_BYTES);

    expect(enforced.html).toBeUndefined();
    expect(enforced.text.startsWith('first line\nttt')).toBe(true);
    expect(enforced.text).toMatch(
      /\n\.\.\. [\d,]+ more bytes not shown\n\(The HTML part was left out and this text may be cut: the report was over ERROR_MAIL_MAX_BYTES, 65,536 bytes\.\)\n$/,
    );
    expect(estimateMimeBytes(enforced)).toBeLessThanOrEqual(MAX_BYTES);
  });

  it('never cuts a character of a multi-byte text in two', () => {
    const enforced = enforceMaxBytes(mail('é'.repeat(100_000), undefined), MAX_BYTES);

    expect(enforced.text).not.toContain('\uFFFD');
    expect(enforced.text).toMatch(/^é+\n\.\.\. [\d,]+ more bytes not shown\n/);
    expect(estimateMimeBytes(enforced)).toBeLessThanOrEqual(MAX_BYTES);
  });
});

describe('estimateMimeBytes', () => {
  it('counts the HTML part, base64-encoded', () => {
    const withoutHtml = mail('text', undefined);
    const withHtml = mail('text', 'h'.repeat(57_000));

    expect(estimateMimeBytes(withHtml) - estimateMimeBytes(withoutHtml)).toBe(78_000);
  });
});
