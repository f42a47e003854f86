import type { Config } from '../config/load.js';
import { readProperty, remainingTimeMs, safeString } from '../core/input/safe.js';
import type { Clock, Timer, Transport } from '../core/ports.js';
import { enforceMaxBytes } from '../core/render/fit.js';
import type { Mail } from '../core/render/mail.js';
import { scrubText } from '../core/scrub/shapes.js';
import { escapeControl } from '../core/text.js';
import { runWithin, sendBudget, sendTime } from './budget.js';
import { describeFailure } from './describe-failure.js';

/** The list a mail of `mailAdmins` or `mailManagers` goes to. */
export type MailList = 'ADMINS' | 'MANAGERS';

/** A message for a list, as the caller wrote it. */
export interface ListMessage {
  readonly subject: string;
  readonly message: string;
  /** The `text/html` alternative, when given and not empty. */
  readonly html: string | undefined;
  /** The invocation's Lambda context, when given: the send then ends before its deadline. */
  readonly context: unknown;
}

/** What sending to a list came to: never an exception. */
export type ListDelivery =
  | { readonly status: 'sent'; readonly mail: Mail }
  | { readonly status: 'empty' }
  | {
      readonly status: 'failed';
      /** The subject as it was to go out. */
      readonly subject: string;
      /** Why, on one line, scrubbed. */
      readonly reason: string;
      /** The transport's code (`MessageRejected`, `ECONNREFUSED`...), when it gave one. */
      readonly code: string | undefined;
      readonly error: unknown;
    };

/**
 * The mail of Django's `mail_admins` / `mail_managers`: `EMAIL_SUBJECT_PREFIX` joined to the subject,
 * From `SERVER_EMAIL`, the whole list in one To. Unlike Django, which refuses a subject with a line
 * break, the subject is escaped as every subject of the library is; text and HTML go through the
 * shape-based scrubbing and the size cap of every mail.
 * @example
 * listMail(config, 'ADMINS', { subject: 'Import done', message: '52 rows', html: undefined, context: undefined });
 */
export function listMail(config: Config, list: MailList, message: ListMessage): Mail {
  // Strings from a typed caller; anything else, as JavaScript would print it.
  const mail: Mail = {
    from: config.serverEmail,
    to: list === 'ADMINS' ? config.admins : config.managers,
    subject: scrubText(escapeControl(`${config.subjectPrefix}${safeString(message.subject)}`, false)),
    text: scrubText(safeString(message.message)),
    // Django's `if html_message:`: an empty one adds no part.
    html: message.html === undefined || message.html === '' ? undefined : scrubText(safeString(message.html)),
  };
  return enforceMaxBytes(mail, config.maxBytes);
}

/**
 * Sends a message to ADMINS or MANAGERS through `transport`, within `ERROR_MAIL_SEND_BUDGET_MS` (and
 * before the deadline of `message.context`, when given). An empty list sends nothing, as in Django.
 * Resolves to what happened; never rejects.
 * @example
 * const delivery = await sendListMail({ config, transport, clock, timer }, 'ADMINS', message);
 */
export async function sendListMail(
  deps: {
    readonly config: Config;
    readonly transport: Transport;
    readonly clock: Clock;
    readonly timer: Timer;
  },
  list: MailList,
  message: ListMessage,
): Promise<ListDelivery> {
  const { config } = deps;
  // Django's rule (#9383): no recipients, no message, no connection.
  if ((list === 'ADMINS' ? config.admins : config.managers).length === 0) return { status: 'empty' };
  const mail = listMail(config, list, message);
  try {
    const budget = sendBudget(config.sendBudgetMs, remainingTimeMs(message.context), false);
    if (budget <= 0) throw new Error('no time left before the invocation deadline');
    const time = sendTime(budget, deps.clock, message.context);
    await runWithin(budget, deps.timer, (signal) => deps.transport.send(mail, signal, time));
    return { status: 'sent', mail };
  } catch (error) {
    const code = readProperty(error, 'code');
    return {
      status: 'failed',
      subject: mail.subject,
      reason: describeFailure(error),
      code: typeof code === 'string' ? code : undefined,
      error,
    };
  }
}
