import type { SendTime } from '../core/ports.js';
import type { Mail } from '../core/render/mail.js';
import { FIRST_USE_CPU_MS, firstUse, firstUseOnce, loadDependency } from './load-dependency.js';

// Loaded with the first mail composed, once per container.
let MailComposer: typeof import('nodemailer/lib/mail-composer')['default'] | undefined;
// The first mail composed in this container runs the composer's code for the first time. Made on the
// first call: this module is in the package's entry, whose import runs nothing of the report path.
let firstCompose: ReturnType<typeof firstUseOnce> | undefined;

/** Loads nodemailer's composer, unless it is loaded already or would not load in `time` (then it throws). */
async function loadComposer(time?: SendTime): Promise<typeof MailComposer & {}> {
  MailComposer ??= (
    await firstUse(time, FIRST_USE_CPU_MS.composer, "loading nodemailer's composer", () =>
      loadDependency('nodemailer/lib/mail-composer', () => import('nodemailer/lib/mail-composer')),
    )
  ).default;
  return MailComposer;
}

/**
 * Builds the raw MIME message of a mail with nodemailer's composer, loaded on
 * the first call so that a container that never fails never loads it. For a
 * custom transport that sends raw messages. With `time` (the third argument of `Transport.send`), the
 * first call loads and runs the composer only when that fits in the time left, and throws
 * `NotInTimeError` otherwise.
 *
 * @example
 * const transport: Transport = { async send(mail) { await myRawSender(await composeMime(mail)) } };
 */
export async function composeMime(mail: Mail, time?: SendTime): Promise<Buffer> {
  const Composer = await loadComposer(time);
  firstCompose ??= firstUseOnce(FIRST_USE_CPU_MS.firstCompose, "this container's first composing");
  return firstCompose(time, () => buildMime(Composer, mail));
}

/** The raw message of `mail`, as `Composer` builds it. */
function buildMime(Composer: typeof MailComposer & {}, mail: Mail): Promise<Buffer> {
  const composer = new Composer({
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
