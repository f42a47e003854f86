import { describe, expect, it } from 'vitest';
import { renderBrokenLinkText, renderServerErrorText } from '../../../../src/core/render/text.js';
import { CLEANSED_SUBSTITUTE } from '../../../../src/core/scrub/names.js';
import { httpApiEvent } from '../../../helpers/events.js';
import { brokenLinkReport, fixedContext, sampleEvent, serverErrorReport } from '../../../helpers/reports.js';

function withStack<E extends Error>(error: E, stack: string): E {
  error.stack = stack;
  return error;
}

const ROOT_STACK = 'RangeError: disk full\n    at write (/var/task/src/store.js:10:5)';
const TOP_STACK = 'TypeError: order not saved\n    at save (/var/task/src/orders.js:20:7)';

function chainText(): string {
  const root = withStack(new RangeError('disk full'), ROOT_STACK);
  const top = withStack(new TypeError('order not saved', { cause: root }), TOP_STACK);
  return renderServerErrorText(serverErrorReport({ outcome: { kind: 'threw', error: top } }));
}

describe('renderServerErrorText for a thrown error', () => {
  it('opens with the log line, a blank line, then the title and the message', () => {
    const text = chainText();

    expect(text.split('\n').slice(0, 5)).toEqual([
      'Internal Server Error: /orders/42',
      '',
      'TypeError at /orders/42',
      'order not saved',
      '',
    ]);
  });

  it('prints the root cause first, then the sentence that links it to the error it caused', () => {
    const text = chainText();

    expect(text).toContain(
      `Traceback (most recent call last):\n${ROOT_STACK}\n\n` +
        'The above exception (disk full) was the direct cause of the following exception:\n\n' +
        `${TOP_STACK}\n`,
    );
  });

  it('ends the traceback with the exception type at the path and its value', () => {
    const text = chainText();

    expect(text).toContain('\nException Type: TypeError at /orders/42\nException Value: order not saved\n');
  });

  it('shows the request method, the URL and the Node.js version it was handed', () => {
    const text = renderServerErrorText(serverErrorReport({ nodeVersion: 'v22.99.0' }));

    expect(text).toContain('\nRequest Method: GET\nRequest URL: https://api.example.com/orders/42\n');
    expect(text).toContain('\nNode.js Version: v22.99.0\n');
    expect(text).not.toContain(process.version);
  });

  it('shows the server time and the link to the logs of the request', () => {
    const text = renderServerErrorText(serverErrorReport());

    expect(text).toContain('\nServer time: 2026-11-25T03:51:07.000Z\n');
    expect(text).toMatch(
      /\nLogs: https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?[^\n]+\$2522\n/,
    );
  });

  it('lists the properties of the error under the exception value', () => {
    const error = Object.assign(withStack(new Error('refused'), 'Error: refused'), { code: 'ECONNREFUSED' });

    const text = renderServerErrorText(serverErrorReport({ outcome: { kind: 'threw', error } }));

    expect(text).toContain('Exception Value: refused\nException Properties:\ncode = "ECONNREFUSED"\n');
  });

  it('numbers the members of an AggregateError and counts those not shown', () => {
    const members = Array.from({ length: 12 }, (_, i) => withStack(new Error(`m${i}`), `Error: m${i}`));
    const error = withStack(new AggregateError(members, 'all failed'), 'AggregateError: all failed');

    const text = renderServerErrorText(serverErrorReport({ outcome: { kind: 'threw', error } }));

    expect(text).toContain('AggregateError members (12):\n[0] Error: m0\n[1] Error: m1\n');
    expect(text).toContain('[9] Error: m9\n... 2 more members not shown\n');
  });

  it('writes an error without a stack as its type and message, saying it had none', () => {
    const error = new Error('lost');
    delete error.stack;

    const text = renderServerErrorText(serverErrorReport({ outcome: { kind: 'threw', error } }));

    expect(text).toContain('Traceback (most recent call last):\nError: lost\n    (no stack)\n');
  });
});

describe('renderServerErrorText for what is not a throw', () => {
  it('writes "Traceback: None" with the note for a returned 5xx, and no exception lines', () => {
    const report = serverErrorReport({ outcome: { kind: 'returned', result: { statusCode: 503 } } });

    const text = renderServerErrorText(report);

    expect(text).toContain('\nTraceback: None (the handler returned status 503 without throwing)\n');
    expect(text).not.toContain('Traceback (most recent call last)');
    expect(text).not.toContain('Exception Type:');
    expect(text.startsWith('Service Unavailable: /orders/42\n\nReport at /orders/42\n')).toBe(true);
  });

  it('writes the failed ids and the record count of a partial batch response', () => {
    const outcome = {
      kind: 'returned' as const,
      result: { batchItemFailures: [{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-3' }] },
    };

    const text = renderServerErrorText(serverErrorReport({ outcome, event: sampleEvent('sqs') }));

    expect(text.startsWith('2 of 3 records failed in shop-prod-api (SQS orders-queue)\n')).toBe(true);
    expect(text).toContain('\nEvent information:\nTrigger: SQS\nSource: orders-queue\nRecords: 3\n');
    expect(text).toContain('\nFailed items: m-1, m-3\n');
    expect(text).toContain('\nRequest information:\nNot an HTTP request\n');
  });

  it('writes the summary sentence of a possible timeout', () => {
    const outcome = { kind: 'timeout' as const, elapsedMs: 5800, remainingMs: 200, timeoutMs: 6000 };

    const text = renderServerErrorText(serverErrorReport({ outcome }));

    expect(text).toContain(
      '\nPossible timeout at /orders/42\nStill running after 5,800 ms of its 6,000 ms timeout, 200 ms before the deadline.\n',
    );
    expect(text).toContain(
      '\nTraceback: None (the invocation was still running; nothing had been thrown yet)\n',
    );
  });

  it('shows the whole event of a single-event trigger under "Event:"', () => {
    const text = renderServerErrorText(serverErrorReport({ event: sampleEvent('eventbridge') }));

    expect(text).toContain('\nTrigger: EventBridge\nSource: shop-bus/order-placed-to-worker\n');
    expect(text).toMatch(/\nEvent:\n\{\n/);
  });
});

describe('renderServerErrorText request information', () => {
  const event = httpApiEvent({
    method: 'POST',
    path: '/orders/42',
    query: { page: '2', access_token: 'q-secret-1' },
    headers: { authorization: 'Bearer h-secret-2', 'content-type': 'application/json' },
    cookies: ['sessionid=c-secret-3', 'theme=dark'],
    body: '{"sku":"A1","password":"b-secret-4"}',
  });

  it('shows GET, BODY, COOKIES and HEADERS with sensitive values hidden', () => {
    const text = renderServerErrorText(serverErrorReport({ event }));

    expect(text).toContain(`\nGET:\npage = '2'\naccess_token = '${CLEANSED_SUBSTITUTE}'\n`);
    expect(text).toContain(`\nCOOKIES:\nsessionid = '${CLEANSED_SUBSTITUTE}'\ntheme = 'dark'\n`);
    expect(text).toContain(`\nauthorization = '${CLEANSED_SUBSTITUTE}'\n`);
    expect(text).toContain(`\nBODY:\n{\n  "sku": "A1",\n  "password": "${CLEANSED_SUBSTITUTE}"\n}\n`);
    for (const secret of ['q-secret-1', 'h-secret-2', 'c-secret-3', 'b-secret-4']) {
      expect(text).not.toContain(secret);
    }
  });

  it('says what is empty in Django words', () => {
    const text = renderServerErrorText(serverErrorReport({ event: httpApiEvent({ path: '/orders/42' }) }));

    expect(text).toContain('\nGET: No GET data\n');
    expect(text).toContain('\nBODY:\nNo body\n');
    expect(text).toContain('\nCOOKIES: No cookie data\n');
  });

  it('notes under a cut body how many bytes were left out', () => {
    const big = httpApiEvent({ method: 'POST', path: '/orders/42', body: 'x'.repeat(70_000) });

    const text = renderServerErrorText(serverErrorReport({ event: big }));

    expect(text).toContain(`\n(... ${(70_000 - 65_536).toLocaleString('en-US')} more bytes not shown)\n`);
  });

  it('writes header values as Python reprs, so a quote or newline in a value cannot end the line', () => {
    const tricky = httpApiEvent({ path: '/orders/42', headers: { 'x-note': "it's\nnew" } });

    const text = renderServerErrorText(serverErrorReport({ event: tricky }));

    expect(text).toContain("\nx-note = 'it\\'s\\nnew'\n");
  });

  it('names the tenant under the request id, and in the Lambda context, when the function has one', () => {
    const text = renderServerErrorText(
      serverErrorReport({ invocation: { context: fixedContext({ tenantId: 'acme-corp' }) } }),
    );
    const plain = renderServerErrorText(serverErrorReport());

    expect(text).toMatch(/\nRequest ID: [^\n]+\nTenant: acme-corp\n/);
    expect(text).toContain('\nTenant = acme-corp\n');
    expect(plain).not.toContain('Tenant');
  });

  it('ends with the Lambda context and the settings', () => {
    const text = renderServerErrorText(serverErrorReport());

    expect(text).toContain('\nLambda context:\nFunction = shop-prod-api\n');
    expect(text).toContain('\nCold start = no\n');
    expect(text).toMatch(
      /\nSettings:\nEnvironment variables of the function \(sensitive names hidden\):\n(?:[A-Z_]+ = '[^\n]*'\n)+$/,
    );
  });

  it('opens with the repeats line when flood control held repeats back', () => {
    const report = { ...serverErrorReport(), repeats: { count: 4, since: '2026-11-25T03:40:00.000Z' } };

    const text = renderServerErrorText(report);

    expect(text.split('\n').slice(0, 3)).toEqual([
      'Internal Server Error: /orders/42',
      '',
      'This error happened 4 more times since 2026-11-25T03:40:00.000Z without a mail (flood control: ERROR_MAIL_THROTTLE_SECONDS, ERROR_MAIL_MAX_PER_MINUTE).',
    ]);
  });
});

describe('renderBrokenLinkText', () => {
  const event = httpApiEvent({
    path: '/gone',
    query: { page: '2' },
    headers: { referer: 'https://api.example.com/list', 'user-agent': 'Mozilla/5.0' },
    sourceIp: '198.51.100.7',
  });

  it("is exactly Django's four lines", () => {
    const text = renderBrokenLinkText(brokenLinkReport(event));

    expect(text).toBe(
      'Referrer: https://api.example.com/list\n' +
        'Requested URL: /gone?page=2\n' +
        'User agent: Mozilla/5.0\n' +
        'IP address: 198.51.100.7\n',
    );
  });

  it('adds the repeats line after a blank line when flood control held repeats back', () => {
    const report = { ...brokenLinkReport(event), repeats: { count: 1, since: '2026-11-25T03:40:00.000Z' } };

    const text = renderBrokenLinkText(report);

    expect(text).toMatch(
      /^Referrer: [^\n]+\nRequested URL: [^\n]+\nUser agent: [^\n]+\nIP address: [^\n]+\n\n/,
    );
    expect(
      text.endsWith(
        '\nThis broken link happened once since 2026-11-25T03:40:00.000Z without a mail (flood control: ERROR_MAIL_THROTTLE_SECONDS, ERROR_MAIL_MAX_PER_MINUTE).\n',
      ),
    ).toBe(true);
  });
});
