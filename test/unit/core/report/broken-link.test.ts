import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, scaleLimits } from '../../../../src/core/report/limits.js';
import { CLEANSED_SUBSTITUTE } from '../../../../src/core/scrub/names.js';
import { httpApiEvent, restEvent } from '../../../helpers/events.js';
import { brokenLinkReport } from '../../../helpers/reports.js';

describe('buildBrokenLinkReport', () => {
  it("holds Django's four lines: Referer, requested URL, user agent and IP address", () => {
    const event = httpApiEvent({
      path: '/gone',
      headers: { referer: 'https://blog.example.org/post', 'user-agent': 'Mozilla/5.0' },
      sourceIp: '198.51.100.7',
    });

    const report = brokenLinkReport(event);

    expect(report).toMatchObject({
      referer: 'https://blog.example.org/post',
      requestedUrl: '/gone',
      userAgent: 'Mozilla/5.0',
      ip: '198.51.100.7',
    });
  });

  it("hides a secret in the Referer's query, by name, and leaves the rest of it as it came", () => {
    const event = httpApiEvent({
      path: '/gone',
      headers: { referer: 'https://api.example.com/reset?token=s3cr3t-reset&lang=en' },
    });

    const report = brokenLinkReport(event);

    expect(report.referer).toBe(`https://api.example.com/reset?token=${CLEANSED_SUBSTITUTE}&lang=en`);
    expect(report.subject).toBe('[shop] Broken INTERNAL link on api.example.com');
  });

  it('calls the link broken on the host when the Referer is another site', () => {
    const event = httpApiEvent({ path: '/gone', headers: { referer: 'https://blog.example.org/post' } });

    const report = brokenLinkReport(event);

    expect(report.subject).toBe('[shop] Broken link on api.example.com');
  });

  it('calls the link "Broken INTERNAL link" when the Referer is a page of the same host', () => {
    const event = httpApiEvent({ path: '/gone', headers: { referer: 'https://api.example.com/list' } });

    const report = brokenLinkReport(event);

    expect(report.subject).toBe('[shop] Broken INTERNAL link on api.example.com');
  });

  it('calls a Referer of the bare host, without a slash, external, as Django does', () => {
    const event = httpApiEvent({ path: '/gone', headers: { referer: 'https://api.example.com' } });

    const report = brokenLinkReport(event);

    expect(report.subject).toBe('[shop] Broken link on api.example.com');
  });

  it('calls a Referer of another subdomain external', () => {
    const event = httpApiEvent({ path: '/gone', headers: { referer: 'https://www.api.example.com/list' } });

    const report = brokenLinkReport(event);

    expect(report.subject).not.toContain('INTERNAL');
  });

  it('writes the requested URL with its query, sensitive values hidden', () => {
    const event = httpApiEvent({
      path: '/gone',
      query: { page: '2', reset_token: 'r-secret-1' },
      headers: { referer: 'https://api.example.com/list' },
    });

    const report = brokenLinkReport(event);

    expect(report.requestedUrl).toBe(`/gone?page=2&reset_token=${CLEANSED_SUBSTITUTE}`);
  });

  it('writes the requested path percent-encoded, as Django escapes it', () => {
    const event = httpApiEvent({ path: '/caf%C3%A9 menu', headers: { referer: 'https://x.example/' } });

    const report = brokenLinkReport(event);

    expect(report.requestedUrl).toBe('/caf%C3%A9%20menu');
  });

  it('writes "<none>" for a missing user agent and a missing client IP', () => {
    const event = restEvent({ path: '/gone', headers: { Referer: 'https://x.example/' } });
    event.requestContext.identity.sourceIp = undefined as unknown as string;

    const report = brokenLinkReport(event);

    expect(report.userAgent).toBe('<none>');
    expect(report.ip).toBe('<none>');
  });

  it('escapes control characters of the host in the subject', () => {
    const event = httpApiEvent({
      path: '/gone',
      domainName: 'evil.example\r\nBcc: x@evil.example',
      headers: { referer: 'https://x.example/' },
    });

    const report = brokenLinkReport(event);

    expect(report.subject).toBe('[shop] Broken link on evil.example\\r\\nBcc: x@evil.example');
  });

  it('cuts the host in the subject at 300 characters', () => {
    const host = `${'h'.repeat(320)}.example`;
    const event = httpApiEvent({
      path: '/gone',
      domainName: host,
      headers: { referer: 'https://x.example/' },
    });

    const report = brokenLinkReport(event);

    expect(report.subject).toBe(`[shop] Broken link on ${'h'.repeat(300)}\u2026`);
  });

  it('cuts a long Referer at the URL cap, shorter with scaled-down limits', () => {
    const referer = `https://x.example/${'r'.repeat(5000)}`;
    const event = httpApiEvent({ path: '/gone', headers: { referer } });

    const full = brokenLinkReport(event);
    const scaled = brokenLinkReport(event, { limits: scaleLimits(DEFAULT_LIMITS, 1 / 16) });

    expect(full.referer).toBe(`${referer.slice(0, 4096)}... 922 more characters not shown`);
    expect(scaled.referer).toBe(`${referer.slice(0, 256)}... 4,762 more characters not shown`);
  });
});
