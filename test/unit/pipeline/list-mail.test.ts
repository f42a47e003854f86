import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { listMail, sendListMail } from '../../../src/pipeline/list-mail.js';
import { anyText, plantedSecret } from '../../helpers/arbitraries.js';
import { manualTime } from '../../helpers/fake-ports.js';
import '../../helpers/fast-check.js';
import { failingTransport, mailEnv, recordingTransport } from '../../helpers/recording-transport.js';

const config = loadConfig(mailEnv());
const message = (subject: string, text: string, html?: string) => ({
  subject,
  message: text,
  html,
  context: undefined,
});

describe('listMail', () => {
  it('joins the prefix to the subject, mails the whole list From SERVER_EMAIL, and adds the HTML part', () => {
    const mail = listMail(config, 'ADMINS', message('Import done', '52 rows', '<p>52 rows</p>'));

    expect(mail).toEqual({
      from: 'errors@example.com',
      to: ['ops@example.com', '"Ng, Mary" <mary@example.com>'],
      subject: '[shop] Import done',
      text: '52 rows',
      html: '<p>52 rows</p>',
    });
  });

  it('adds no HTML part for an empty one, as Django does not', () => {
    expect(listMail(config, 'MANAGERS', message('s', 't', '')).html).toBeUndefined();
  });

  it('never lets a control character of any subject through raw, and keeps the prefix first', () => {
    fc.assert(
      fc.property(anyText(), (subject) => {
        const mail = listMail(config, 'ADMINS', message(subject, 'body'));

        expect(mail.subject.startsWith('[shop] ')).toBe(true);
        expect(mail.subject).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      }),
      { numRuns: 200 },
    );
  });

  it('hides a password in a URL and a bearer token, wherever they are in the text, the HTML or the subject', () => {
    fc.assert(
      fc.property(anyText(), plantedSecret(), plantedSecret(), (around, password, token) => {
        const text = `${around} postgres://app:${password}@db.internal/shop ${around} Bearer ${token}`;

        const mail = listMail(config, 'ADMINS', message(text, text, `<p>${text}</p>`));

        for (const part of [mail.subject, mail.text, mail.html ?? '']) {
          expect(part).not.toContain(password);
          expect(part).not.toContain(token);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('holds the mail to ERROR_MAIL_MAX_BYTES, saying what it cut', () => {
    const small = loadConfig(mailEnv({ ERROR_MAIL_MAX_BYTES: '20000' }));

    const mail = listMail(
      small,
      'ADMINS',
      message('big', 'x'.repeat(100_000), `<p>${'y'.repeat(50_000)}</p>`),
    );

    expect(mail.html).toBeUndefined();
    expect(mail.text.length).toBeLessThan(20_000);
    expect(mail.text).toContain('more bytes not shown');
  });
});

describe('sendListMail', () => {
  it('sends nothing, and calls no transport, for an empty list', async () => {
    const transport = recordingTransport();
    const time = manualTime();

    const delivery = await sendListMail(
      { config: loadConfig(mailEnv({ MANAGERS: '' })), transport, clock: time.clock, timer: time.timer },
      'MANAGERS',
      message('s', 't'),
    );

    expect(delivery).toEqual({ status: 'empty' });
    expect(transport.mails).toEqual([]);
  });

  it('says why a send failed, on one line, with the subject it had', async () => {
    const transport = failingTransport('SES is down\nfor maintenance');
    const time = manualTime();

    const delivery = await sendListMail(
      { config, transport, clock: time.clock, timer: time.timer },
      'ADMINS',
      message('Import done', '52 rows'),
    );

    expect(delivery).toMatchObject({
      status: 'failed',
      subject: '[shop] Import done',
      reason: 'Error: SES is down\\nfor maintenance',
    });
    expect(transport.mails).toHaveLength(1);
  });
});
