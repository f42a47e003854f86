import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type MailNotSentError,
  type MailOptions,
  mailAdmins,
  mailManagers,
  type ReportErrorOptions,
  reportError,
  withErrorMail,
} from '../../src/index.js';

describe('mailAdmins and mailManagers types', () => {
  it('take a subject, a message and the options, and promise nothing', () => {
    expectTypeOf(mailAdmins).parameters.toEqualTypeOf<[string, string, MailOptions?]>();
    expectTypeOf(mailManagers).parameters.toEqualTypeOf<[string, string, MailOptions?]>();
    expectTypeOf(mailAdmins).returns.toEqualTypeOf<Promise<void>>();
  });

  it('take Django options and the wrappers’ setting overrides, and refuse a misspelt one', () => {
    expectTypeOf(mailAdmins).toBeCallableWith('s', 'm', {
      html: '<p>m</p>',
      failSilently: false,
      admins: ['ops@example.com'],
      subjectPrefix: '[shop] ',
    });
    // @ts-expect-error Django's name is html_message; ours is `html`.
    void mailAdmins('s', 'm', { html_message: '<p>m</p>' });
  });

  it('say which list a MailNotSentError was for', () => {
    expectTypeOf<MailNotSentError['list']>().toEqualTypeOf<'ADMINS' | 'MANAGERS'>();
    expectTypeOf<MailNotSentError>().toExtend<Error>();
  });
});

describe('reportError types', () => {
  it('takes whatever was caught, and the handler’s own event and context', () => {
    const handler = withErrorMail(async (event: APIGatewayProxyEventV2, context: Context) => {
      try {
        return { statusCode: 200, body: event.rawPath };
      } catch (error) {
        void reportError(error, { event, context });
        return { statusCode: 500, body: 'Sorry' };
      }
    });

    expectTypeOf(handler).returns.resolves.toEqualTypeOf<{ statusCode: number; body: string }>();
    expectTypeOf(reportError).parameters.toEqualTypeOf<[unknown, ReportErrorOptions?]>();
    expectTypeOf(reportError).returns.toEqualTypeOf<Promise<void>>();
  });
});
