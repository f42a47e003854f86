import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../../helpers/fast-check.js';
import { DEFAULT_LIMITS, scaleLimits } from '../../../../src/core/report/limits.js';
import { CLEANSED_SUBSTITUTE } from '../../../../src/core/scrub/names.js';
import { anyText } from '../../../helpers/arbitraries.js';
import { httpApiEvent, restEvent } from '../../../helpers/events.js';
import { fixedContext, NOW, sampleEvent, serverErrorReport } from '../../../helpers/reports.js';

// Raw control characters: what must never reach a subject or a log line.
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function failure(message: string, stack?: string): Error {
  const error = new TypeError(message);
  if (stack !== undefined) error.stack = stack;
  return error;
}

describe('buildServerErrorReport for a thrown error on an HTTP request', () => {
  it("writes Django's subject and log line: level, IP marker, reason phrase and path, no query", () => {
    const event = httpApiEvent({ path: '/orders/42', query: { page: '2' } });

    const report = serverErrorReport({ outcome: { kind: 'threw', error: failure('no stock') }, event });

    expect(report.level).toBe('ERROR');
    expect(report.subject).toBe('[shop] ERROR (EXTERNAL IP): Internal Server Error: /orders/42');
    expect(report.logLine).toBe('Internal Server Error: /orders/42');
  });

  it('titles the report with the error type at the path and sums it up with the message', () => {
    const report = serverErrorReport({ outcome: { kind: 'threw', error: failure('no stock') } });

    expect(report.title).toBe('TypeError at /orders/42');
    expect(report.summary).toBe('no stock');
    expect(report.tracebackNote).toBeUndefined();
  });

  it('says "No exception message supplied" when the error has an empty message', () => {
    const report = serverErrorReport({ outcome: { kind: 'threw', error: failure('') } });

    expect(report.summary).toBe('No exception message supplied');
  });

  it('lists the cause chain root cause first', () => {
    const root = new RangeError('disk full');
    const middle = new Error('write failed', { cause: root });
    const top = new TypeError('order not saved', { cause: middle });

    const report = serverErrorReport({ outcome: { kind: 'threw', error: top } });

    expect(report.errors.map((e) => e.message)).toEqual(['disk full', 'write failed', 'order not saved']);
    expect(report.title).toBe('TypeError at /orders/42');
    expect(report.summary).toBe('order not saved');
  });

  it('marks the IP internal when the source IP is exactly one of INTERNAL_IPS', () => {
    const event = httpApiEvent({ path: '/orders/42', sourceIp: '10.1.2.3' });

    const report = serverErrorReport({ event, env: { INTERNAL_IPS: '192.0.2.1,10.1.2.3' } });

    expect(report.subject).toBe('[shop] ERROR (internal IP): Internal Server Error: /orders/42');
  });

  it('marks the IP EXTERNAL when INTERNAL_IPS holds only addresses that start or end the same', () => {
    const event = httpApiEvent({ path: '/orders/42', sourceIp: '10.1.2.30' });

    const report = serverErrorReport({ event, env: { INTERNAL_IPS: '10.1.2.3,0.1.2.30' } });

    expect(report.subject).toContain('ERROR (EXTERNAL IP):');
  });

  it('reads the client IP of a REST event from its request context', () => {
    const event = restEvent({ path: '/orders/42', sourceIp: '10.1.2.3' });

    const report = serverErrorReport({ event, env: { INTERNAL_IPS: '10.1.2.3' } });

    expect(report.subject).toContain('(internal IP)');
  });

  it('escapes newlines and control characters of the path in the subject and the log line', () => {
    const event = httpApiEvent({ path: '/a%0D%0ABcc:%20x@evil.example%1B[31m\\' });

    const report = serverErrorReport({ event });

    expect(report.subject).toBe(
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /a\\r\\nBcc: x@evil.example\\x1b[31m\\\\',
    );
    expect(report.logLine).toBe('Internal Server Error: /a\\r\\nBcc: x@evil.example\\x1b[31m\\\\');
    expect(report.at).toBe(' at /a\\r\\nBcc: x@evil.example\\x1b[31m\\\\');
  });

  it('cuts the path in the subject at 300 characters and keeps it whole in the log line', () => {
    const path = `/${'a'.repeat(299)}${'b'.repeat(200)}`;

    const report = serverErrorReport({ event: httpApiEvent({ path }) });

    expect(report.subject).toBe(
      `[shop] ERROR (EXTERNAL IP): Internal Server Error: /${'a'.repeat(299)}\u2026`,
    );
    expect(report.logLine).toBe(`Internal Server Error: ${path}`);
  });

  it('shows the Node.js version it was given, not the one running the tests', () => {
    const report = serverErrorReport({ nodeVersion: 'v18.0.0-lambda' });

    expect(report.nodeVersion).toBe('v18.0.0-lambda');
  });

  it('dates the report at the moment it was handed, not the clock of the machine', () => {
    const report = serverErrorReport({ now: Date.UTC(2030, 0, 2, 3, 4, 5) });

    expect(report.time).toBe('2030-01-02T03:04:05.000Z');
    expect(report.lambda.elapsedMs).toBe(Date.UTC(2030, 0, 2, 3, 4, 5) - (NOW - 1500));
  });
});

describe('buildServerErrorReport for a returned 5xx', () => {
  it("puts the status's reason phrase in the subject and the log line", () => {
    const report = serverErrorReport({ outcome: { kind: 'returned', result: { statusCode: 503 } } });

    expect(report.subject).toBe('[shop] ERROR (EXTERNAL IP): Service Unavailable: /orders/42');
    expect(report.logLine).toBe('Service Unavailable: /orders/42');
  });

  it('calls a status Python has no phrase for "Unknown Status Code"', () => {
    const report = serverErrorReport({ outcome: { kind: 'returned', result: { statusCode: 599 } } });

    expect(report.logLine).toBe('Unknown Status Code: /orders/42');
  });

  it('has no traceback, and a note saying the handler returned the status without throwing', () => {
    const report = serverErrorReport({ outcome: { kind: 'returned', result: { statusCode: 502 } } });

    expect(report.errors).toEqual([]);
    expect(report.returnedStatus).toBe(502);
    expect(report.title).toBe('Report at /orders/42');
    expect(report.summary).toBe('No exception message supplied');
    expect(report.tracebackNote).toBe('the handler returned status 502 without throwing');
  });
});

describe('buildServerErrorReport for a partial batch response', () => {
  const partial = (...ids: string[]) => ({
    kind: 'returned' as const,
    result: { batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) },
  });

  it('says how many of the records failed, in which function and from which queue', () => {
    const report = serverErrorReport({ outcome: partial('m-1', 'm-3'), event: sampleEvent('sqs') });

    expect(report.subject).toBe('[shop] ERROR: 2 of 3 records failed in shop-prod-api (SQS orders-queue)');
    expect(report.logLine).toBe('2 of 3 records failed in shop-prod-api (SQS orders-queue)');
  });

  it('lists the failed ids and sums up the partial response without a traceback', () => {
    const report = serverErrorReport({ outcome: partial('m-1', 'm-3'), event: sampleEvent('sqs') });

    expect(report.event?.failedIds).toEqual(['m-1', 'm-3']);
    expect(report.event?.recordCount).toBe(3);
    expect(report.summary).toBe('The handler returned a partial batch response: 2 failed items.');
    expect(report.errors).toEqual([]);
    expect(report.tracebackNote).toBe('the handler returned the failed items without throwing');
  });

  it('speaks of one failed item in the singular', () => {
    const report = serverErrorReport({ outcome: partial('m-2'), event: sampleEvent('sqs') });

    expect(report.summary).toBe('The handler returned a partial batch response: 1 failed item.');
    expect(report.subject).toContain('1 of 3 records failed');
  });
});

describe('buildServerErrorReport for a possible timeout', () => {
  const timeout = { kind: 'timeout' as const, elapsedMs: 5800, remainingMs: 200, timeoutMs: 6000 };

  it('is a WARNING, since nothing has failed yet', () => {
    const report = serverErrorReport({ outcome: timeout });

    expect(report.level).toBe('WARNING');
    expect(report.subject).toBe('[shop] WARNING (EXTERNAL IP): Possible timeout: /orders/42');
    expect(report.title).toBe('Possible timeout at /orders/42');
  });

  it('sums up how long it ran, its timeout and the time left before the deadline', () => {
    const report = serverErrorReport({ outcome: timeout });

    expect(report.summary).toBe(
      'Still running after 5,800 ms of its 6,000 ms timeout, 200 ms before the deadline.',
    );
    expect(report.tracebackNote).toBe('the invocation was still running; nothing had been thrown yet');
  });

  it('leaves the timeout out of the sentence when it is unknown', () => {
    const report = serverErrorReport({ outcome: { ...timeout, timeoutMs: undefined } });

    expect(report.summary).toBe('Still running after 5,800 ms, 200 ms before the deadline.');
  });

  it('names the function and the trigger in the subject of a non-HTTP invocation', () => {
    const report = serverErrorReport({ outcome: timeout, event: sampleEvent('sqs') });

    expect(report.subject).toBe('[shop] WARNING: Possible timeout in shop-prod-api (SQS orders-queue)');
  });
});

describe('buildServerErrorReport for a non-HTTP trigger', () => {
  it.each([
    ['sqs', 'TypeError in shop-prod-api (SQS orders-queue)'],
    ['s3', 'TypeError in shop-prod-api (S3 shop-invoices)'],
    ['eventbridge', 'TypeError in shop-prod-api (EventBridge shop-bus/order-placed-to-worker)'],
    ['direct', 'TypeError in shop-prod-api (Direct invocation)'],
  ])('names the error type, the function and the source of a %s event', (name, line) => {
    const report = serverErrorReport({ event: sampleEvent(name) });

    expect(report.subject).toBe(`[shop] ERROR: ${line}`);
    expect(report.logLine).toBe(line);
  });

  it('shows the event in place of the request', () => {
    const report = serverErrorReport({ event: sampleEvent('sqs') });

    expect(report.request).toBeUndefined();
    expect(report.at).toBe('');
    expect(report.title).toBe('TypeError');
    expect(report.event).toMatchObject({ trigger: 'SQS', source: 'orders-queue', recordCount: 3 });
  });

  it('takes the function name from the environment when the context has none', () => {
    const context = fixedContext({ functionName: '' });

    const report = serverErrorReport({
      event: sampleEvent('direct'),
      invocation: { context },
      env: { AWS_LAMBDA_FUNCTION_NAME: 'billing-worker' },
    });

    expect(report.subject).toBe('[shop] ERROR: TypeError in billing-worker (Direct invocation)');
  });

  it('says "Lambda function" when nothing names the function', () => {
    const report = serverErrorReport({ event: sampleEvent('direct'), invocation: { context: {} } });

    expect(report.logLine).toBe('TypeError in Lambda function (Direct invocation)');
  });

  it('escapes control characters of the error type in the subject', () => {
    const error = new Error('x');
    error.name = 'Bad\r\nBcc: x@evil.example';

    const report = serverErrorReport({ outcome: { kind: 'threw', error }, event: sampleEvent('direct') });

    expect(report.subject).toBe(
      '[shop] ERROR: Bad\\r\\nBcc: x@evil.example in shop-prod-api (Direct invocation)',
    );
  });
});

describe('buildServerErrorReport hides sensitive request values', () => {
  const event = httpApiEvent({
    path: '/orders/42',
    query: { page: '2', access_token: 'q-secret-1' },
    headers: { authorization: 'Bearer h-secret-2', 'x-api-key': 'h-secret-3', 'user-agent': 'curl/8.5' },
    cookies: ['sessionid=c-secret-4', 'csrftoken=c-secret-5', 'theme=dark'],
  });

  it('hides the value of a sensitive query parameter, in the list and in the URL', () => {
    const report = serverErrorReport({ event });

    expect(report.request?.url).toBe(
      `https://api.example.com/orders/42?page=2&access_token=${CLEANSED_SUBSTITUTE}`,
    );
    expect(report.request?.query).toEqual([
      ['page', '2'],
      ['access_token', CLEANSED_SUBSTITUTE],
    ]);
  });

  it('hides sensitive headers and keeps the rest, sorted by name', () => {
    const report = serverErrorReport({ event });

    expect(report.request?.headers).toEqual([
      ['authorization', CLEANSED_SUBSTITUTE],
      ['host', 'api.example.com'],
      ['user-agent', 'curl/8.5'],
      ['x-api-key', CLEANSED_SUBSTITUTE],
    ]);
  });

  it('hides the session and CSRF cookies and keeps the others', () => {
    const report = serverErrorReport({ event });

    expect(report.request?.cookies).toEqual([
      ['sessionid', CLEANSED_SUBSTITUTE],
      ['csrftoken', CLEANSED_SUBSTITUTE],
      ['theme', 'dark'],
    ]);
  });

  it('hides every planted secret from the raw event too', () => {
    const report = serverErrorReport({ event });

    for (const secret of ['q-secret-1', 'h-secret-2', 'h-secret-3', 'c-secret-4', 'c-secret-5']) {
      expect(report.rawEvent).not.toContain(secret);
    }
    expect(report.rawEvent).toContain('"rawPath": "/orders/42"');
  });

  it('hides the names ERROR_MAIL_SENSITIVE_NAMES adds', () => {
    const withOrderNo = httpApiEvent({ path: '/orders/42', query: { orderno: '555-1234' } });

    const report = serverErrorReport({ event: withOrderNo, env: { ERROR_MAIL_SENSITIVE_NAMES: 'orderno' } });

    expect(report.request?.query).toEqual([['orderno', CLEANSED_SUBSTITUTE]]);
  });
});

describe('buildServerErrorReport caps', () => {
  const small = scaleLimits(DEFAULT_LIMITS, 1 / 16);

  it('cuts a long header value, and cuts it shorter with scaled-down limits', () => {
    const event = httpApiEvent({ path: '/orders/42', headers: { 'x-note': 'n'.repeat(10_000) } });

    const full = serverErrorReport({ event });
    const scaled = serverErrorReport({ event, limits: small });

    const note = (report: typeof full) => report.request?.headers.find(([name]) => name === 'x-note')?.[1];
    expect(note(full)).toBe(`${'n'.repeat(4096)}... 5,904 more characters not shown`);
    expect(note(scaled)).toBe(`${'n'.repeat(256)}... 9,744 more characters not shown`);
  });

  it('shows fewer headers with scaled-down limits and counts the rest', () => {
    const headers = Object.fromEntries(Array.from({ length: 149 }, (_, i) => [`x-h${i}`, 'v']));
    const event = httpApiEvent({ path: '/orders/42', headers });

    const full = serverErrorReport({ event });
    const scaled = serverErrorReport({ event, limits: small });

    expect(full.request?.headers).toHaveLength(101);
    expect(full.request?.headers.at(-1)).toEqual(['...', '50 more not shown']);
    expect(scaled.request?.headers).toHaveLength(11);
    expect(scaled.request?.headers.at(-1)).toEqual(['...', '140 more not shown']);
  });

  it('shows fewer errors of a long cause chain with scaled-down limits', () => {
    let error: Error = new Error('level 0');
    for (let i = 1; i < 6; i++) error = new Error(`level ${i}`, { cause: error });

    const full = serverErrorReport({ outcome: { kind: 'threw', error } });
    const scaled = serverErrorReport({ outcome: { kind: 'threw', error }, limits: small });

    expect(full.errors).toHaveLength(6);
    expect(scaled.errors).toHaveLength(2);
    expect(scaled.summary).toBe('level 5');
  });

  it('cuts a long path in the log line at the URL cap', () => {
    const event = httpApiEvent({ path: `/${'p'.repeat(999)}` });

    const report = serverErrorReport({ event, limits: small });

    expect(report.logLine).toBe(
      `Internal Server Error: /${'p'.repeat(255)}... 744 more characters not shown`,
    );
  });

  it('cuts the raw event to a quarter of the body cap', () => {
    const headers = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`x-h${i}`, 'v'.repeat(100)]));
    const event = httpApiEvent({ path: '/orders/42', headers });

    const full = serverErrorReport({ event });
    const scaled = serverErrorReport({ event, limits: small });

    expect(full.rawEvent).not.toContain('more characters not shown');
    expect(scaled.rawEvent).toMatch(/^[\s\S]{1024}\.\.\. [\d,]+ more characters not shown$/);
  });

  it("hides a secret in the query of a URL an environment variable holds, by the parameter's name", () => {
    const report = serverErrorReport({
      env: { CALLBACK_URL: 'https://shop.example/cb?token=s3cr3t-callback&lang=en' },
    });

    expect(report.environment).toContainEqual([
      'CALLBACK_URL',
      `https://shop.example/cb?token=${CLEANSED_SUBSTITUTE}&lang=en`,
    ]);
  });

  it('cuts an environment value at the value cap', () => {
    const report = serverErrorReport({ env: { NOTE: 'e'.repeat(300) }, limits: small });

    expect(report.environment).toContainEqual(['NOTE', `${'e'.repeat(256)}... 44 more characters not shown`]);
  });
});

describe('buildServerErrorReport over any path', () => {
  it('never lets a raw control character into the subject or the log line', () => {
    fc.assert(
      fc.property(anyText(), fc.boolean(), (text, encoded) => {
        const path = encoded ? `/${encodeURIComponent(text)}` : `/${text}`;

        const report = serverErrorReport({ event: httpApiEvent({ path }), limits: DEFAULT_LIMITS });

        expect(report.subject).not.toMatch(RAW_CONTROL);
        expect(report.logLine).not.toMatch(RAW_CONTROL);
        expect(report.subject.startsWith('[shop] ERROR (EXTERNAL IP): Internal Server Error: /')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never lets a raw control character into the subject, whatever the error is called', () => {
    fc.assert(
      fc.property(anyText(), (name) => {
        const error = new Error('x');
        error.name = name;

        const report = serverErrorReport({ outcome: { kind: 'threw', error }, event: sampleEvent('sqs') });

        expect(report.subject).not.toMatch(RAW_CONTROL);
        expect(report.subject.endsWith(' in shop-prod-api (SQS orders-queue)')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
