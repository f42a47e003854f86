import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config/load.js';
import { classify } from '../../../../src/core/decide/classify.js';
import { skipMessage } from '../../../../src/core/decide/skip.js';
import { wouldMail } from '../../../../src/core/decide/would-mail.js';
import { readRequest } from '../../../../src/core/input/request.js';
import { httpApiEvent } from '../../../helpers/events.js';

const on = {
  ADMINS: 'ops@example.com',
  MANAGERS: 'web@example.com',
  SERVER_EMAIL: 'errors@example.com',
  SEND_BROKEN_LINK_EMAILS: 'true',
};
const thrown = classify({ kind: 'threw', error: new Error('x') });
const notFound = classify({ kind: 'returned', result: { statusCode: 404 } });
const linked = readRequest(
  httpApiEvent({ path: '/gone', headers: { host: 'example.com', referer: 'https://example.com/page' } }),
);

describe('wouldMail', () => {
  it('mails a server error to ADMINS', () => {
    expect(wouldMail(loadConfig(on), thrown)).toEqual({ mail: true, to: 'ADMINS' });
  });

  it.each([
    [{ DEBUG: 'true' }, 'DEBUG is true'],
    [{ ADMINS: '' }, 'ADMINS is empty'],
  ])('does not mail a server error with %j, and says why', (extra, why) => {
    const decision = wouldMail(loadConfig({ ...on, ...extra }), thrown);

    expect(decision.mail).toBe(false);
    expect(decision.mail === false && skipMessage(decision.reason)).toBe(why);
  });

  it('mails a linked 404 to MANAGERS', () => {
    expect(wouldMail(loadConfig(on), notFound, { request: linked })).toEqual({ mail: true, to: 'MANAGERS' });
  });

  it.each([
    [{ SEND_BROKEN_LINK_EMAILS: 'false' }, 'SEND_BROKEN_LINK_EMAILS is false'],
    [{ MANAGERS: '' }, 'MANAGERS is empty'],
    [{ DEBUG: 'yes' }, 'DEBUG is true'],
  ])('does not mail a 404 with %j, and says why', (extra, why) => {
    const decision = wouldMail(loadConfig({ ...on, ...extra }), notFound, { request: linked });

    expect(decision.mail === false && skipMessage(decision.reason)).toBe(why);
  });

  it('applies the 404 ignore rules to the request it is given, and names the rule', () => {
    const direct = readRequest(httpApiEvent({ path: '/gone', headers: { host: 'example.com' } }));

    const decision = wouldMail(loadConfig(on), notFound, { request: direct });

    expect(decision).toEqual({ mail: false, reason: { code: 'ignorable-404', rule: 'no Referer' } });
    expect(decision.mail === false && skipMessage(decision.reason)).toBe('ignorable 404: no Referer');
  });

  it('does not mail a 404 of an event that is not an HTTP request', () => {
    const decision = wouldMail(loadConfig(on), notFound, { request: undefined });

    expect(decision.mail === false && skipMessage(decision.reason)).toBe('not an HTTP request');
  });

  it('judges by the settings alone without a scope, as check-config asks', () => {
    expect(wouldMail(loadConfig(on), notFound)).toEqual({ mail: true, to: 'MANAGERS' });
  });

  it('never mails what is not an error', () => {
    const decision = wouldMail(loadConfig(on), classify({ kind: 'returned', result: { statusCode: 200 } }));

    expect(decision.mail === false && skipMessage(decision.reason)).toBe('not an error');
  });
});
