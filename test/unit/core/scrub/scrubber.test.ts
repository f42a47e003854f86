import { describe, expect, it } from 'vitest';
import { CLEANSED_SUBSTITUTE, sensitiveNamePattern } from '../../../../src/core/scrub/names.js';
import { createScrubber } from '../../../../src/core/scrub/scrubber.js';
import { scrubText } from '../../../../src/core/scrub/shapes.js';

const S = CLEANSED_SUBSTITUTE;
const scrubber = createScrubber();

describe('the substitute', () => {
  it("is Django's: exactly 20 asterisks", () => {
    expect(S).toBe('*'.repeat(20));
  });
});

describe('names', () => {
  it.each([
    'SECRET_KEY',
    'SECRET_KEY_FALLBACKS',
    'PASSWORD',
    'password',
    'API_KEY',
    'SOME_TOKEN',
    'MY_AUTH',
    'Authorization',
    'Proxy-Authorization',
    'X-Api-Key',
    'secret-header',
    'X-CSRFToken',
    'X-Amz-Security-Token',
    'x-hub-signature-256',
    'Set-Cookie',
    'sessionid',
    'aws_credentials',
    'x-jwt-assertion',
    'bearer',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
  ])('hides the value of %s', (name) => {
    expect(scrubber.isSensitiveName(name)).toBe(true);
    expect(scrubber.value(name, 'v')).toBe(S);
  });

  it.each(['User-Agent', 'Referer', 'Accept', 'Content-Type', 'DATABASE_URL', 'DSN', 'page', 'STAGE'])(
    'shows the value of %s',
    (name) => {
      expect(scrubber.value(name, 'v')).toBe('v');
    },
  );

  it.each([
    'PHPSESSID',
    'connect.sid',
    'sid',
    'JSESSIONID',
    'ASP.NET_SessionId',
    'laravel_session',
    'csrftoken',
  ])('hides the session cookie %s', (name) => {
    expect(scrubber.cookie(name, 'v')).toBe(S);
  });

  it('hides the sensitive parameters of a URL in a header or cookie value, and keeps the rest', () => {
    expect(scrubber.value('Referer', 'https://shop.example/cart?page=2&token=abc')).toBe(
      `https://shop.example/cart?page=2&token=${S}`,
    );
    expect(scrubber.cookie('return_to', '/cart?api_key=abc')).toBe(`/cart?api_key=${S}`);
  });

  it('hides the queries of URLs in a plain-text body', () => {
    expect(scrubber.body('retry https://shop.example/cb?code=1&secret=abc later', 'text/plain', true)).toBe(
      `retry https://shop.example/cb?code=1&secret=${S} later`,
    );
  });

  it('shows ordinary cookies', () => {
    expect(scrubber.cookie('theme', 'dark')).toBe('dark');
    expect(scrubber.cookie('consider', 'x')).toBe('x');
  });

  it('adds the names of ERROR_MAIL_SENSITIVE_NAMES: plain names in any case, /regex/flags as written', () => {
    const custom = createScrubber([sensitiveNamePattern('ssn'), sensitiveNamePattern('/^x-internal-/i')]);

    expect(custom.value('customer_SSN', 'v')).toBe(S);
    expect(custom.value('X-Internal-Route', 'v')).toBe(S);
    expect(custom.value('x-public-internal-note', 'v')).toBe('v');
    expect(custom.value('Authorization', 'v')).toBe(S);
  });

  it('reads a plain name literally, not as a pattern', () => {
    expect(sensitiveNamePattern('a.b').test('axb')).toBe(false);
    expect(sensitiveNamePattern('a.b').test('A.B')).toBe(true);
  });
});

describe('shapes, wherever they appear', () => {
  it('hides a JWT', () => {
    const jwt =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

    expect(scrubText(`token ${jwt} rejected`)).toBe(`token ${S} rejected`);
  });

  it('hides Bearer and Basic credentials, keeping the scheme', () => {
    expect(scrubText('Authorization: Bearer abc.DEF-123_x~+/=')).toBe(`Authorization: Bearer ${S}`);
    expect(scrubText('sent basic dXNlcjpwYXNzd29yZA== twice')).toBe(`sent basic ${S} twice`);
  });

  it('hides AWS access key ids', () => {
    expect(scrubText('key AKIAIOSFODNN7EXAMPLE and ASIAY34FZKBOKMUTVV7A')).toBe(`key ${S} and ${S}`);
    expect(scrubText('AKIAshort')).toBe('AKIAshort');
    expect(scrubText('keyAKIAIOSFODNN7EXAMPLE')).toBe(`key${S}`);
  });

  it('hides the password of a URL or connection string', () => {
    expect(scrubText('connect postgres://shop:hunter2@db.internal:5432/shop failed')).toBe(
      `connect postgres://shop:${S}@db.internal:5432/shop failed`,
    );
    expect(scrubText('redis://:p%40ss@cache:6379')).toBe(`redis://:${S}@cache:6379`);
    expect(scrubText('https://example.com/a:b@c')).toBe('https://example.com/a:b@c');
  });
});

describe('queries and bodies', () => {
  it('hides sensitive query values and keeps the rest as encoded', () => {
    expect(scrubber.query('page=2&access_token=abc&q=a%20b&api%5Fkey=x')).toBe(
      `page=2&access_token=${S}&q=a%20b&api%5Fkey=${S}`,
    );
  });

  it('hides sensitive JSON members at any depth, inside arrays too', () => {
    const body = JSON.stringify({ a: { b: { c: { password: 'p', keep: 'k' } } }, list: [{ apiKey: 'x' }] });

    const shown = JSON.parse(scrubber.body(body, 'application/json', true));

    expect(shown).toEqual({ a: { b: { c: { password: S, keep: 'k' } } }, list: [{ apiKey: S }] });
  });

  it('hides the whole value of a sensitive member, even an object', () => {
    const shown = JSON.parse(
      scrubber.body('{"credentials":{"user":"u","pass":"p"}}', 'application/json', true),
    );

    expect(shown).toEqual({ credentials: S });
  });

  it('hides scalar members of a JSON body that was cut and no longer parses', () => {
    const cut = '{"user":"ann","password":"hunter2","n":1,"token":12345,"items":[{"secret":true},{"name":"x';

    const shown = scrubber.body(cut, 'application/json', false);

    expect(shown).toBe(
      `{"user":"ann","password":"${S}","n":1,"token":"${S}","items":[{"secret":"${S}"},{"name":"x`,
    );
  });

  it('hides sensitive fields of a form body', () => {
    expect(scrubber.body('user=ann&password=hunter2', 'application/x-www-form-urlencoded', true)).toBe(
      `user=ann&password=${S}`,
    );
  });

  it('treats a body shaped like a form as a form, whatever its declared type', () => {
    expect(scrubber.body('password=hunter2&user=ann', 'text/plain', true)).toBe(`password=${S}&user=ann`);
    expect(scrubber.body('token=abc', undefined, true)).toBe(`token=${S}`);
    expect(scrubber.body('user=ann&password=hunter2', 'application/json', true)).toBe(
      `user=ann&password=${S}`,
    );
  });

  it('leaves other text bodies to the shape rules', () => {
    expect(scrubber.body('my password is long', 'text/plain', true)).toBe('my password is long');
  });
});

describe('a cut JSON body that also looks like a form', () => {
  it('is scrubbed as JSON, so a sensitive member is hidden even when a value holds =', () => {
    const cut = '{"password":"hunter2","note":"a=b","data":{"token":"t0k';

    expect(scrubber.body(cut, 'application/json', false)).toBe(
      `{"password":"${S}","note":"a=b","data":{"token":"t0k`,
    );
    expect(scrubber.body('{"password":"hunter2","note":"a=b"', undefined, false)).toBe(
      `{"password":"${S}","note":"a=b"`,
    );
  });
});
