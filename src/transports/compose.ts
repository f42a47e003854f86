import type { Mail } from '../core/render/mail.js';

/**
 * Builds the raw MIME message of a mail with nodemailer's composer, loaded on
 * the first call so that a container that never fails never loads it. For a
 * custom transport that sends raw messages.
 *
 * @example
 * const transport: Transport = { async send(mail) { await myRawSender(await composeMime(mail)) } };
 */
export async function composeMime(mail: Mail): Promise<Buffer> {
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
  const composer = new MailComposer({
    from: mail.from,
    to: [...mail.to],
    subject: mail.subject,
    text: mail.text,
    ...(mail.html === undefined ? {} : { html: mail.html }),
    // base64 keeps the size of each part predictable, so the core can hold a mail under ERROR_MAIL_MAX_BYTES.
    textEncoding: 'base64',
    ...(mail.messageId === undefined ? {} : { messageId: mail.messageId }),
    headers: {
      'X-Mailer': 'lambda-error-mail',
      // RFC 3834: made by a program, so responders (vacation replies, ticket systems) do not answer it.
      'Auto-Submitted': 'auto-generated',
      // Exchange and Outlook read this one instead: no out-of-office or delivery-receipt replies.
      'X-Auto-Response-Suppress': 'All',
      ...(mail.references === undefined
        ? {}
        : { References: mail.references, 'In-Reply-To': mail.references }),
    },
  });
  return composer.compile().build();
}

/** The bare addresses of a list that may hold display names (`"Ng, Mary" <mary@example.com>`). */
export function bareAddresses(addresses: readonly string[]): string[] {
  return addresses.map((address) => /<([^<>]+)>\s*$/.exec(address)?.[1] ?? address.trim());
}
