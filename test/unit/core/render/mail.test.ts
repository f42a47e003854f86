import { describe, expect, it } from 'vitest';
import { renderMail } from '../../../../src/core/render/mail.js';
import { CLEANSED_SUBSTITUTE } from '../../../../src/core/scrub/names.js';
import { httpApiEvent } from '../../../helpers/events.js';
import { brokenLinkReport, reportConfig, serverErrorReport } from '../../../helpers/reports.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl';
const brokenLink = () =>
  brokenLinkReport(httpApiEvent({ path: '/gone', headers: { referer: 'https://api.example.com/list' } }));

describe('renderMail', () => {
  it('sends a server error from SERVER_EMAIL to every address of ADMINS in one To list', () => {
    const mail = renderMail(reportConfig(), serverErrorReport());

    expect(mail.from).toBe('errors@example.com');
    expect(mail.to).toEqual(['ops@example.com', '"Ng, Mary" <mary@example.com>']);
    expect(mail.subject).toBe('[shop] ERROR (EXTERNAL IP): Internal Server Error: /orders/42');
  });

  it('sends a broken link to MANAGERS, not ADMINS, as text only', () => {
    const mail = renderMail(reportConfig(), brokenLink());

    expect(mail.to).toEqual(['content@example.com']);
    expect(mail.subject).toBe('[shop] Broken INTERNAL link on api.example.com');
    expect(mail.html).toBeUndefined();
    expect(mail.text.startsWith('Referrer: https://api.example.com/list\n')).toBe(true);
  });

  it('gives a server error both a text and an HTML part', () => {
    const mail = renderMail(reportConfig(), serverErrorReport());

    expect(mail.text.startsWith('Internal Server Error: /orders/42\n')).toBe(true);
    expect(mail.html).toMatch(/^<!DOCTYPE html>/);
  });

  it('escapes a CR and LF that a hook put in the subject, so they never reach the mail', () => {
    const edited = { ...serverErrorReport(), subject: 'edited\r\nBcc: victim@evil.example\u2028x' };

    const mail = renderMail(reportConfig(), edited);

    expect(mail.subject).toBe('edited\\r\\nBcc: victim@evil.example\\u2028x');
  });

  it('escapes a newline a hook put in a broken-link subject', () => {
    const edited = { ...brokenLink(), subject: 'gone\nX-Injected: yes' };

    const mail = renderMail(reportConfig(), edited);

    expect(mail.subject).toBe('gone\\nX-Injected: yes');
  });

  it('leaves the escapes of the built subject as they are, without doubling their backslashes', () => {
    const report = serverErrorReport({ event: httpApiEvent({ path: '/a%0Ab' }) });

    const mail = renderMail(reportConfig(), report);

    expect(report.subject.endsWith('/a\\nb')).toBe(true);
    expect(mail.subject).toBe(report.subject);
  });

  it('hides a token by its shape wherever a hook put it', () => {
    const base = serverErrorReport();
    const edited = { ...base, subject: `token ${JWT}`, summary: `Authorization: Bearer ${JWT}` };

    const mail = renderMail(reportConfig(), edited);

    expect(mail.subject).toBe(`token ${CLEANSED_SUBSTITUTE}`);
    expect(mail.text).not.toContain(JWT);
    expect(mail.html).not.toContain(JWT);
    expect(mail.text).toContain(`Bearer ${CLEANSED_SUBSTITUTE}`);
  });

  it('hides an AWS access key id in an error message by its shape', () => {
    const error = new Error('denied for AKIAIOSFODNN7EXAMPLE');

    const mail = renderMail(reportConfig(), serverErrorReport({ outcome: { kind: 'threw', error } }));

    expect(mail.text).toContain(`Exception Value: denied for ${CLEANSED_SUBSTITUTE}\n`);
    expect(mail.html).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });
});
