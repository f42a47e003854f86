import { describe, expect, it, vi } from 'vitest';
import { withErrorMail } from '../../../src/index.js';
import { lambdaContext } from '../../helpers/context.js';
import { httpApiEvent, restEvent } from '../../helpers/events.js';
import { useFakeTime } from '../../helpers/fake-time.js';
import {
  failingTransport,
  hangingTransport,
  mailEnv,
  type RecordingTransport,
  recordingLog,
  recordingTransport,
} from '../../helpers/recording-transport.js';

function setup(extra: Record<string, string> = {}, transport: RecordingTransport = recordingTransport()) {
  const { logs, log } = recordingLog();
  const wrap = <R>(fn: () => Promise<R>) => withErrorMail(fn, { env: mailEnv(extra), transport, log });
  return { transport, logs, wrap };
}

describe('withErrorMail: server errors', () => {
  it('mails one message to every admin when the handler throws, and rethrows the same error', async () => {
    const { transport, wrap } = setup();
    const failure = new Error('boom');

    const caught = await wrap(async () => {
      throw failure;
    })(httpApiEvent({ path: '/orders/42', query: { page: '2' } }), lambdaContext()).catch((e: unknown) => e);

    expect(caught).toBe(failure);
    expect(transport.mails).toHaveLength(1);
    expect(transport.mails[0]).toMatchObject({
      from: 'errors@example.com',
      to: ['ops@example.com', '"Ng, Mary" <mary@example.com>'],
      subject: '[shop] ERROR (EXTERNAL IP): Internal Server Error: /orders/42',
    });
  });

  it('says internal in the subject when the client IP is exactly one of INTERNAL_IPS', async () => {
    const { transport, wrap } = setup({ INTERNAL_IPS: '198.51.100.7,::1' });
    const handler = wrap(async () => {
      throw new Error('x');
    });

    await handler(httpApiEvent({ path: '/a', sourceIp: '198.51.100.7' }), lambdaContext()).catch(() => {});
    await handler(httpApiEvent({ path: '/b', sourceIp: '198.51.100.70' }), lambdaContext()).catch(() => {});

    expect(transport.mails.map((m) => m.subject)).toEqual([
      '[shop] ERROR (internal IP): Internal Server Error: /a',
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /b',
    ]);
  });

  it('puts the decoded path in the subject with control characters escaped and no query', async () => {
    const { transport, wrap } = setup();

    await wrap(async () => {
      throw new Error('x');
    })(
      httpApiEvent({ path: '/a%0D%0ABcc:%20x@evil.example%1B%09', query: { q: '1' } }),
      lambdaContext(),
    ).catch(() => {});

    expect(transport.mails[0]?.subject).toBe(
      '[shop] ERROR (EXTERNAL IP): Internal Server Error: /a\\r\\nBcc: x@evil.example\\x1b\\t',
    );
  });

  it("mails a returned 5xx with the status's phrase and returns the very same result object", async () => {
    const { transport, wrap } = setup();
    const result = { statusCode: 503, body: 'maintenance' };

    const returned = await wrap(async () => result)(httpApiEvent({ path: '/pay' }), lambdaContext());

    expect(returned).toBe(result);
    expect(transport.mails[0]?.subject).toBe('[shop] ERROR (EXTERNAL IP): Service Unavailable: /pay');
    expect(transport.mails[0]?.text).toContain('Report at /pay\nNo exception message supplied');
    expect(transport.mails[0]?.text).toContain(
      'Traceback: None (the handler returned status 503 without throwing)',
    );
  });

  it('says Unknown Status Code for a returned status Python does not list', async () => {
    const { transport, wrap } = setup();

    await wrap(async () => ({ statusCode: 599 }))(httpApiEvent({ path: '/x' }), lambdaContext());

    expect(transport.mails[0]?.subject).toBe('[shop] ERROR (EXTERNAL IP): Unknown Status Code: /x');
  });

  it('sends nothing when DEBUG is on, and still rethrows', async () => {
    const { transport, wrap } = setup({ DEBUG: 'true' });
    const failure = new Error('x');

    const caught = await wrap(async () => {
      throw failure;
    })(httpApiEvent(), lambdaContext()).catch((e: unknown) => e);

    expect(caught).toBe(failure);
    expect(transport.mails).toEqual([]);
  });

  it('sends nothing when ADMINS is empty', async () => {
    const { transport, wrap } = setup({ ADMINS: '' });

    await wrap(async () => {
      throw new Error('x');
    })(httpApiEvent(), lambdaContext()).catch(() => {});

    expect(transport.mails).toEqual([]);
  });

  it('sends nothing for a thrown or returned 4xx other than 404', async () => {
    const { transport, wrap } = setup();

    await wrap(async () => {
      throw Object.assign(new Error('forbidden'), { statusCode: 403 });
    })(httpApiEvent({ headers: { referer: 'https://api.example.com/' } }), lambdaContext()).catch(() => {});
    await wrap(async () => ({ statusCode: 400 }))(httpApiEvent(), lambdaContext());

    expect(transport.mails).toEqual([]);
  });

  it('sends nothing and returns the same object on success', async () => {
    const { transport, wrap } = setup();
    const result = { statusCode: 200, body: 'ok' };

    expect(await wrap(async () => result)(httpApiEvent(), lambdaContext())).toBe(result);
    expect(transport.mails).toEqual([]);
  });

  it('writes the text report like Django: log line, title, request, traceback root cause first', async () => {
    const { transport, wrap } = setup();
    const root = new Error('connection refused');
    const top = new TypeError('could not load orders', { cause: root });

    await wrap(async () => {
      throw top;
    })(
      httpApiEvent({
        method: 'POST',
        path: '/orders',
        query: { page: '2' },
        headers: { 'x-forwarded-proto': 'http' },
      }),
      lambdaContext(),
    ).catch(() => {});

    const text = transport.mails[0]!.text;
    expect(
      text.startsWith('Internal Server Error: /orders\n\nTypeError at /orders\ncould not load orders\n'),
    ).toBe(true);
    expect(text).toContain('Request Method: POST\nRequest URL: http://api.example.com/orders?page=2\n');
    const rootAt = text.indexOf('Error: connection refused');
    const separator = text.indexOf(
      'The above exception (connection refused) was the direct cause of the following exception:',
    );
    const topAt = text.indexOf('TypeError: could not load orders');
    expect(rootAt).toBeGreaterThan(-1);
    expect(separator).toBeGreaterThan(rootAt);
    expect(topAt).toBeGreaterThan(separator);
    expect(text).toContain('Exception Type: TypeError at /orders\nException Value: could not load orders');
    expect(text).toContain("GET:\npage = '2'");
    expect(text).toContain(
      'Lambda context:\nFunction = shop-prod-api\nVersion = $LATEST\nAlias = live\nMemory = 512 MB',
    );
    expect(text).toContain('Request ID = c6af9ac6-7b61-11e6-9a41-93e812345678');
    expect(text).toContain(
      'Logs: https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fshop-prod-api/log-events/2026$252F11$252F25$252F$255B$2524LATEST$255D0123456789abcdef$3FfilterPattern$3D$2522c6af9ac6-7b61-11e6-9a41-93e812345678$2522',
    );
  });

  it('shows own properties of the error, such as a code', async () => {
    const { transport, wrap } = setup();

    await wrap(async () => {
      throw Object.assign(new Error('x'), { code: 'ECONNRESET', retryable: true });
    })(httpApiEvent(), lambdaContext()).catch(() => {});

    expect(transport.mails[0]?.text).toContain(
      'Exception Properties:\ncode = "ECONNRESET"\nretryable = true',
    );
  });

  it('reports a thrown non-error value by its type', async () => {
    const { transport, wrap } = setup();

    const caught = await wrap(async () => {
      throw 'plain string';
    })(httpApiEvent({ path: '/s' }), lambdaContext()).catch((e: unknown) => e);

    expect(caught).toBe('plain string');
    expect(transport.mails[0]?.text).toContain('string at /s\nplain string');
  });

  it('reports an error thrown outside HTTP with the function name in the subject', async () => {
    const { transport, wrap } = setup();

    await wrap(async () => {
      throw new RangeError('bad batch');
    })({ Records: [] }, lambdaContext()).catch(() => {});

    expect(transport.mails[0]?.subject).toBe('[shop] ERROR: RangeError in shop-prod-api (Direct invocation)');
    expect(transport.mails[0]?.text).toContain('Event information:\nTrigger: Direct invocation\nEvent:\n{');
    expect(transport.mails[0]?.text).toContain('Request information:\nNot an HTTP request');
  });
});

describe('withErrorMail: scrubbing', () => {
  it('hides sensitive headers, cookies, query values and environment variables, leaving the names', async () => {
    const { transport } = setup();
    const handler = withErrorMail(
      async () => {
        throw new Error('x');
      },
      {
        env: {
          ...mailEnv(),
          AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMIK7MDENGbPxRfiCY',
          SECRET_KEY: 'django-insecure',
        },
        transport,
      },
    );

    await handler(
      restEvent({
        path: '/p',
        query: { access_token: 'tok-123', page: '1' },
        headers: {
          Authorization: 'Bearer eyJhbGciOi.payload.sig',
          Cookie: 'sessionid=sess-456; csrftoken=csrf-789; theme=dark',
          'X-Api-Key': 'key-000',
          'X-Amz-Security-Token': 'amz-111',
          'User-Agent': 'curl/8.5',
        },
      }),
      lambdaContext(),
    ).catch(() => {});

    const { text, html } = transport.mails[0]!;
    for (const secret of [
      'tok-123',
      'eyJhbGciOi',
      'sess-456',
      'csrf-789',
      'key-000',
      'amz-111',
      'wJalrXUtnFEMIK7MDENGbPxRfiCY',
      'django-insecure',
    ]) {
      expect(text).not.toContain(secret);
      expect(html).not.toContain(secret);
    }
    expect(text).toContain("access_token = '********************'");
    expect(text).toContain(
      'Request URL: https://abc123.execute-api.us-east-1.amazonaws.com/p?access_token=********************&page=1',
    );
    expect(text).toContain("Authorization = '********************'");
    expect(text).toContain("sessionid = '********************'");
    expect(text).toContain("theme = 'dark'");
    expect(text).toContain("User-Agent = 'curl/8.5'");
    expect(text).toContain("SECRET_KEY = '********************'");
  });

  it('hides sensitive fields of a JSON body at any depth', async () => {
    const { transport, wrap } = setup();

    await wrap(async () => {
      throw new Error('x');
    })(
      httpApiEvent({
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          user: { email: 'a@example.com', password: 'pw-123' },
          items: [{ apiKey: 'k-9' }],
        }),
      }),
      lambdaContext(),
    ).catch(() => {});

    const text = transport.mails[0]!.text;
    expect(text).not.toContain('pw-123');
    expect(text).not.toContain('k-9');
    expect(text).toContain('"email": "a@example.com"');
    expect(text).toContain('"password": "********************"');
  });
});

describe('withErrorMail: the HTML part', () => {
  it('escapes every value taken from the request and the error', async () => {
    const { transport, wrap } = setup();

    await wrap(async () => {
      throw new Error('<img src=x onerror=alert(1)>');
    })(
      httpApiEvent({
        path: '/<script>',
        query: { q: '"><svg onload=alert(2)>' },
        headers: { 'x-note': '<b>hi</b>' },
      }),
      lambdaContext(),
    ).catch(() => {});

    const html = transport.mails[0]!.html!;
    expect(html).not.toMatch(/<img|<script|<svg|<b>/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;hi&lt;/b&gt;');
  });
});

describe('withErrorMail: broken links', () => {
  it('mails MANAGERS the four lines when a 404 has an internal Referer', async () => {
    const { transport, wrap } = setup();
    const result = { statusCode: 404, body: 'nope' };

    const returned = await wrap(async () => result)(
      httpApiEvent({
        path: '/gone',
        query: { ref: 'nav' },
        headers: { referer: 'https://api.example.com/home', 'user-agent': 'Mozilla/5.0' },
        sourceIp: '198.51.100.7',
      }),
      lambdaContext(),
    );

    expect(returned).toBe(result);
    expect(transport.mails).toEqual([
      {
        from: 'errors@example.com',
        to: ['content@example.com'],
        subject: '[shop] Broken INTERNAL link on api.example.com',
        text: 'Referrer: https://api.example.com/home\nRequested URL: /gone?ref=nav\nUser agent: Mozilla/5.0\nIP address: 198.51.100.7\n',
        html: undefined,
        messageId: expect.stringMatching(/^<[0-9a-f]{16}\.0\.[0-9a-z]+@lambda-error-mail>$/),
        references: expect.stringMatching(/^<[0-9a-f]{16}@lambda-error-mail>$/),
      },
    ]);
  });

  it('says link, not INTERNAL link, for an external Referer and writes <none> for a missing user agent', async () => {
    const { transport, wrap } = setup();

    await wrap(async () => ({ statusCode: 404 }))(
      httpApiEvent({ path: '/gone', headers: { referer: 'https://blog.example.org/post' } }),
      lambdaContext(),
    );

    expect(transport.mails[0]?.subject).toBe('[shop] Broken link on api.example.com');
    expect(transport.mails[0]?.text).toContain('User agent: <none>\n');
  });

  it('mails MANAGERS for a thrown 404 and rethrows it', async () => {
    const { transport, wrap } = setup();
    const notFound = Object.assign(new Error('Not Found'), { statusCode: 404 });

    const caught = await wrap(async () => {
      throw notFound;
    })(
      httpApiEvent({ path: '/gone', headers: { referer: 'https://api.example.com/' } }),
      lambdaContext(),
    ).catch((e: unknown) => e);

    expect(caught).toBe(notFound);
    expect(transport.mails.map((m) => m.to)).toEqual([['content@example.com']]);
  });

  it('sends nothing for a 404 when SEND_BROKEN_LINK_EMAILS is off, DEBUG is on, or MANAGERS is empty', async () => {
    for (const extra of [{ SEND_BROKEN_LINK_EMAILS: 'false' }, { DEBUG: 'on' }, { MANAGERS: '' }]) {
      const { transport, wrap } = setup(extra);

      await wrap(async () => ({ statusCode: 404 }))(
        httpApiEvent({ path: '/gone', headers: { referer: 'https://api.example.com/' } }),
        lambdaContext(),
      );

      expect(transport.mails).toEqual([]);
    }
  });

  it('never falls back to ADMINS for broken links', async () => {
    const { transport, wrap } = setup({ MANAGERS: '' });

    await wrap(async () => ({ statusCode: 404 }))(
      httpApiEvent({ path: '/gone', headers: { referer: 'https://api.example.com/' } }),
      lambdaContext(),
    );

    expect(transport.mails).toEqual([]);
  });
});

describe('withErrorMail: when reporting fails', () => {
  useFakeTime();

  it('logs one JSON record with the report in it and still rethrows the original error when the transport fails', async () => {
    const { logs, wrap } = setup({}, failingTransport('SES is down'));
    const failure = new Error('original');

    const caught = await wrap(async () => {
      throw failure;
    })(httpApiEvent({ path: '/x' }), lambdaContext()).catch((e: unknown) => e);

    expect(caught).toBe(failure);
    expect(logs).toEqual([
      {
        level: 'ERROR',
        message: 'error mail not sent',
        reason: 'Error: SES is down',
        code: undefined,
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        subject: '[shop] ERROR (EXTERNAL IP): Internal Server Error: /x',
        requestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
        retry: 'with the next invocation of this container',
        report: expect.stringMatching(/^Internal Server Error: \/x\n[\s\S]*\nException Value: original\n/),
      },
    ]);
  });

  it('returns the original result when the transport fails on a returned 5xx', async () => {
    const { wrap } = setup({}, failingTransport('SES is down'));
    const result = { statusCode: 500 };

    expect(await wrap(async () => result)(httpApiEvent(), lambdaContext())).toBe(result);
  });

  it('aborts a send that would run past the deadline minus the margin, and says so', async () => {
    const transport = hangingTransport();
    const { logs, wrap } = setup({}, transport);
    const failure = new Error('original');

    // 400 ms left, less the 300 ms margin: the send has 100 ms, counted from its start.
    const pending = wrap(async () => {
      throw failure;
    })(httpApiEvent(), lambdaContext({ remainingMs: 400 })).catch((e: unknown) => e);
    await transport.sending;
    await vi.advanceTimersByTimeAsync(100);
    const caught = await pending;

    expect(caught).toBe(failure);
    expect(transport.signals[0]?.aborted).toBe(true);
    expect(logs[0]?.reason).toBe('Error: send took longer than its 100 ms budget');
  });

  it('does not try to send when the deadline is closer than the margin', async () => {
    const { transport, logs, wrap } = setup();

    await wrap(async () => {
      throw new Error('x');
    })(httpApiEvent(), lambdaContext({ remainingMs: 100 })).catch(() => {});

    expect(transport.mails).toEqual([]);
    expect(logs[0]?.reason).toBe('no time left before the invocation deadline');
  });

  it('fails at wrap time with a ConfigError when a setting is invalid', () => {
    expect(() => withErrorMail(async () => 1, { env: { ADMINS: 'ops@' } })).toThrow(/`ADMINS`/);
  });
});
