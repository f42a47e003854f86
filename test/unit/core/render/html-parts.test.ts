import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../../helpers/fast-check.js';
import { escapeHtml, renderServerErrorHtml } from '../../../../src/core/render/html.js';
import { anyText } from '../../../helpers/arbitraries.js';
import { httpApiEvent } from '../../../helpers/events.js';
import { fixedContext, sampleEvent, serverErrorReport } from '../../../helpers/reports.js';

// Every tag the renderer writes; a `<` that opens anything else came from a value.
const OWN_TAG =
  /^<(?:!DOCTYPE html|\/?(?:html|head|meta|title|body|div|p|h1|h2|h3|table|tr|th|td|a|pre|details|summary|span|ol|li)[\s>])/;

function foreignTags(html: string): string[] {
  const found: string[] = [];
  for (let at = html.indexOf('<'); at !== -1; at = html.indexOf('<', at + 1)) {
    const rest = html.slice(at, at + 20);
    if (!OWN_TAG.test(rest)) found.push(rest);
  }
  return found;
}

describe('escapeHtml', () => {
  it('escapes the five characters that could open a tag or end an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('renderServerErrorHtml', () => {
  it('writes only its own tags for a report with no hostile value', () => {
    const html = renderServerErrorHtml(serverErrorReport());

    expect(foreignTags(html)).toEqual([]);
    expect(html).not.toMatch(/<script|<img|<link|<style|<form|src=/i);
  });

  it('names the tenant in the summary block when the function has one', () => {
    const html = renderServerErrorHtml(
      serverErrorReport({ invocation: { context: fixedContext({ tenantId: 'acme<corp>' }) } }),
    );

    expect(html).toMatch(/>Tenant<\/t[hd]>\s*<td[^>]*>acme&lt;corp&gt;<\/td>/);
    expect(renderServerErrorHtml(serverErrorReport())).not.toContain('Tenant');
  });

  it('escapes markup in the path, a header, a cookie, the query and the body', () => {
    const event = httpApiEvent({
      method: 'POST',
      path: '/<b>path</b>',
      query: { q: '<i>query</i>' },
      headers: { 'x-note': '<u>header</u>' },
      cookies: ['theme=<s>cookie</s>'],
      body: '<em>body</em>',
    });

    const html = renderServerErrorHtml(serverErrorReport({ event }));

    expect(foreignTags(html)).toEqual([]);
    expect(html).toContain('&lt;u&gt;header&lt;/u&gt;');
    expect(html).toContain('&lt;s&gt;cookie&lt;/s&gt;');
    expect(html).toContain('&lt;em&gt;body&lt;/em&gt;');
  });

  it('escapes markup in the error message and in the cause sentence', () => {
    const root = new Error('<b>root</b>');
    const error = new Error('<i>top</i>', { cause: root });

    const html = renderServerErrorHtml(serverErrorReport({ outcome: { kind: 'threw', error } }));

    expect(foreignTags(html)).toEqual([]);
    expect(html).toContain(
      'The above exception (&lt;b&gt;root&lt;/b&gt;) was the direct cause of the following exception:',
    );
  });

  it('heads a thrown error "Error in" the function, with the title and the message', () => {
    const error = new TypeError('no stock');

    const html = renderServerErrorHtml(serverErrorReport({ outcome: { kind: 'threw', error } }));

    expect(html).toMatch(
      />Error in shop-prod-api<\/p><h1 [^>]*>TypeError at \/orders\/42<\/h1><p [^>]*>no stock<\/p>/,
    );
  });

  it('heads a possible timeout "Warning in" the function, in another colour', () => {
    const outcome = { kind: 'timeout' as const, elapsedMs: 5800, remainingMs: 200, timeoutMs: 6000 };

    const warning = renderServerErrorHtml(serverErrorReport({ outcome }));
    const error = renderServerErrorHtml(serverErrorReport());

    expect(warning).toContain('>Warning in shop-prod-api</p>');
    expect(warning).toContain(
      'Still running after 5,800 ms of its 6,000 ms timeout, 200 ms before the deadline.',
    );
    expect(warning).toContain('background:#7d4e00');
    expect(error).not.toContain('background:#7d4e00');
  });

  it('says why there is no traceback for a returned 5xx, and shows the status', () => {
    const report = serverErrorReport({ outcome: { kind: 'returned', result: { statusCode: 503 } } });

    const html = renderServerErrorHtml(report);

    expect(html).toContain('>No traceback: the handler returned status 503 without throwing.</p>');
    expect(html).toMatch(/>Status<\/th><td [^>]*>returned 503<\/td>/);
  });

  it('lists the failed items of a partial batch response in the event card', () => {
    const outcome = { kind: 'returned' as const, result: { batchItemFailures: [{ itemIdentifier: 'm-1' }] } };

    const html = renderServerErrorHtml(serverErrorReport({ outcome, event: sampleEvent('sqs') }));

    expect(html).toMatch(/>Failed items<\/th><td [^>]*>m-1<\/td>/);
    expect(html).toMatch(/>Source<\/th><td [^>]*>orders-queue<\/td>/);
  });

  it('links the logs of the request, the link escaped for its attribute', () => {
    const html = renderServerErrorHtml(serverErrorReport());

    expect(html).toMatch(
      /<a style="[^"]*" href="https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=us-east-1#logsV2:[^"<>]+">Open this request's logs in CloudWatch<\/a>/,
    );
  });

  it('shows the Node.js version it was handed in the Lambda card', () => {
    const html = renderServerErrorHtml(serverErrorReport({ nodeVersion: 'v22.99.0' }));

    expect(html).toMatch(/>Node\.js<\/th><td [^>]*>v22\.99\.0<\/td>/);
  });

  it('tells a cold start from a warm container', () => {
    const cold = renderServerErrorHtml(serverErrorReport({ invocation: { coldStart: true } }));
    const warm = renderServerErrorHtml(serverErrorReport({ invocation: { coldStart: false } }));

    expect(cold).toContain('ms into the invocation (cold start)');
    expect(warm).toContain('ms into the invocation (warm container)');
  });
});

describe('renderServerErrorHtml over any request values', () => {
  it('lets no `<` from a request value open a tag', () => {
    fc.assert(
      fc.property(
        fc.record({
          path: anyText(),
          query: anyText(),
          header: anyText(),
          cookie: anyText(),
          body: anyText(),
        }),
        fc.constantFrom('<', '<script>', '</td><img src=x>', '<!--', '<a href="'),
        (values, markup) => {
          const event = httpApiEvent({
            method: 'POST',
            path: `/${encodeURIComponent(values.path)}${markup}`,
            query: { q: `${values.query}${markup}` },
            headers: { 'x-note': `${markup}${values.header}` },
            cookies: [`theme=${values.cookie.replace(/;/g, '')}${markup}`],
            body: `${values.body}${markup}`,
          });

          const html = renderServerErrorHtml(serverErrorReport({ event }));

          expect(foreignTags(html)).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('lets no `<` from an error message, name or stack open a tag', () => {
    fc.assert(
      fc.property(anyText(), anyText(), anyText(), (message, name, stack) => {
        const error = new Error(`${message}<x-planted>`);
        error.name = `${name}<x-planted>`;
        error.stack = `${stack}<x-planted>`;

        const html = renderServerErrorHtml(serverErrorReport({ outcome: { kind: 'threw', error } }));

        expect(foreignTags(html)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
