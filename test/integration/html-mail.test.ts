import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mail } from '../../src/index.js';
import { faintText, launchChromium } from '../helpers/browser.js';
import { sampleServerErrorMail } from '../helpers/sample-mail.js';

// `UPDATE_SCREENSHOT=1 npx vitest run test/integration/html-mail.test.ts` refreshes docs/mail.png.
const SCREENSHOT = new URL('../../docs/mail.png', import.meta.url);

let browser: Browser;
let mail: Mail;
let html: string;

beforeAll(async () => {
  browser = await launchChromium();
  mail = await sampleServerErrorMail();
  html = mail.html ?? '';
});
afterAll(() => browser?.close());

/** A page of the given width showing `content`, recording any request it makes. */
async function open(
  content: string,
  width: number,
  height = 900,
): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width, height } });
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.setContent(content, { waitUntil: 'load' });
  return { page, requests };
}

/** What a webmail client keeps of the mail: the body's content, inside its own page. */
function insideDarkWebmail(mailHtml: string): string {
  const body = /<body[^>]*>([\s\S]*)<\/body>/.exec(mailHtml)?.[1] ?? '';
  return `<!DOCTYPE html><html><body style="margin:0;background:#121212;color:#e8e8e8"><div style="padding:16px">${body}</div></body></html>`;
}

describe('the HTML mail in Chromium', () => {
  it('shows the summary, traceback, request and Lambda sections, with the raw event folded away', async () => {
    const { page } = await open(html, 820);

    for (const heading of ['Traceback (most recent call last)', 'Request', 'Lambda']) {
      await expect
        .poll(() => page.getByRole('heading', { name: heading, exact: true }).isVisible())
        .toBe(true);
    }
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('TypeError at /orders');
    const glance = page.locator('table').first();
    for (const label of ['What', 'Where', 'Code', 'When', 'How often', 'Request ID']) {
      expect(await glance.getByRole('rowheader', { name: label, exact: true }).isVisible()).toBe(true);
    }
    expect(
      await page.getByRole('link', { name: "Open this request's logs in CloudWatch" }).first().isVisible(),
    ).toBe(true);
    const raw = page.locator('details', { hasText: 'Raw event (scrubbed)' });
    expect(await raw.locator('pre').isVisible()).toBe(false);
    await raw.locator('summary').click();
    expect(await raw.locator('pre').isVisible()).toBe(true);
    const rawText = await raw.locator('pre').textContent();
    expect(rawText).toContain('"rawPath": "/orders"');
    expect(rawText).toMatch(/"body": "\[\d+ bytes, shown under Body\]"/);
    const shot = await page.screenshot({ fullPage: true });
    expect(shot.subarray(1, 4).toString()).toBe('PNG');
    if (process.env.UPDATE_SCREENSHOT === '1') {
      const fresh = await open(html, 820, 1400);
      await fresh.page.screenshot({ path: SCREENSHOT.pathname });
      await fresh.page.close();
    }
    await page.close();
  });

  it('marks the application frames and dims dependency and runtime frames', async () => {
    const { page } = await open(html, 900);

    const app = page.locator('[data-frame="app"]', { hasText: 'priceLine' });
    const dependency = page.locator('[data-frame="dependency"]').first();
    const runtime = page.locator('[data-frame="runtime"]', { hasText: 'Array.map' });
    expect(await app.textContent()).toContain('at priceLine (/var/task/src/orders/price.js:18:32)');
    expect(await dependency.textContent()).toContain('node_modules/@middy/core');
    expect(await runtime.textContent()).toContain('(<anonymous>)');
    const style = (locator: typeof app) =>
      locator.evaluate((el) => {
        const s = getComputedStyle(el);
        return { weight: Number(s.fontWeight), color: s.color };
      });
    const [a, d, r] = [await style(app), await style(dependency), await style(runtime)];
    expect(a.weight).toBeGreaterThanOrEqual(600);
    expect(d.weight).toBeLessThan(600);
    expect(r).toEqual(d);
    expect(d.color).not.toBe(a.color);
    await page.close();
  });

  it('fits a phone screen: no sideways scrolling, and what failed is on the first screen', async () => {
    const { page } = await open(html, 375, 740);

    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
    const what = page.getByRole('rowheader', { name: 'How often', exact: true });
    const box = await what.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.y ?? 1e9) + (box?.height ?? 0)).toBeLessThanOrEqual(740);
    const shot = await page.screenshot();
    expect(shot.length).toBeGreaterThan(10_000);
    await page.close();
  });

  it('keeps every text readable (contrast 4.5:1) on its own and inside a dark webmail page', async () => {
    for (const content of [html, insideDarkWebmail(html)]) {
      const { page } = await open(content, 900);
      await page.evaluate(() => {
        for (const details of Array.from(document.querySelectorAll('details'))) details.open = true;
      });

      expect(await faintText(page, 4.5)).toEqual([]);
      await page.close();
    }
  });

  it('loads nothing and runs nothing: no scripts, images, styles sheets, frames or forms', async () => {
    const { page, requests } = await open(html, 900);

    expect(requests.filter((url) => !url.startsWith('about:') && !url.startsWith('data:'))).toEqual([]);
    const active = await page.evaluate(
      () =>
        document.querySelectorAll('script,img,link,style,iframe,object,embed,form,input,svg,video,audio')
          .length,
    );
    expect(active).toBe(0);
    const handlers = await page.evaluate(() =>
      Array.from(document.querySelectorAll('*')).flatMap((el) =>
        el.getAttributeNames().filter((name) => name.startsWith('on')),
      ),
    );
    expect(handlers).toEqual([]);
    await page.close();
  });

  it('shows no secret of the request or the environment, even with everything unfolded', async () => {
    const { page } = await open(html, 900);
    await page.evaluate(() => {
      for (const details of Array.from(document.querySelectorAll('details'))) details.open = true;
    });

    const text = await page.evaluate(() => document.body.textContent ?? '');
    for (const secret of [
      'hunter2',
      'tok_hidden',
      'do-not-show',
      'sk_live_do_not_show',
      'eyJhbGciOiJIUzI1NiJ9',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('ana@example.com');
    await page.close();
  });
});
