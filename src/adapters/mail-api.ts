import { type Config, loadConfig } from '../config/load.js';
import { mailBySettings } from '../core/decide/mail-settings.js';
import { readProperty, safeString } from '../core/input/safe.js';
import type { Log, LogRecord, Transport } from '../core/ports.js';
import type { Reporter } from '../pipeline/reporter.js';
import { keptChanged, noteHandled, trackHandled } from './handled.js';
import { withoutCapture } from './log-capture.js';
import type { ErrorMailOptions } from './runtime.js';
import { systemClock, systemTimer, writeJsonLine } from './system.js';

/**
 * Options of `mailAdmins` and `mailManagers`: Django's `html_message` and `fail_silently`, plus every
 * option of `withErrorMail` (settings override their environment variables).
 *
 * @example
 * await mailAdmins('Import done', '52 rows', { html: '<p>52 rows</p>', failSilently: false });
 */
export interface MailOptions extends ErrorMailOptions {
  /** A `text/html` alternative part (Django's `html_message`); an empty string adds none. */
  readonly html?: string | undefined;
  /**
   * `false`: a send that fails rejects with a {@link MailNotSentError}, as Django's
   * `fail_silently=False` raises. `true`: it is logged as one JSON line and the promise resolves.
   * @default true (Django's default is false: on Lambda, a mail must not fail the invocation)
   */
  readonly failSilently?: boolean | undefined;
  /** The invocation's Lambda context: the send then ends before its deadline. */
  readonly context?: unknown;
}

/**
 * Options of `reportError`: the invocation the error belongs to, plus every option of
 * `withErrorMail` (settings override their environment variables).
 *
 * @example
 * await reportError(error, { event, context });
 */
export interface ReportErrorOptions extends ErrorMailOptions {
  /** The handler's event: an HTTP request is shown (scrubbed) and named in the subject. */
  readonly event?: unknown;
  /**
   * The handler's Lambda context: the report names the request id and its logs, the send ends before
   * the deadline, and a wrapper tells this invocation's reports from another's.
   */
  readonly context?: unknown;
}

/**
 * Raised by `mailAdmins` and `mailManagers` with `failSilently: false` when the mail was not sent;
 * the transport's error is the `cause`.
 * @example
 * try { await mailAdmins('x', 'y', { failSilently: false }) } catch (error) { if (error instanceof MailNotSentError) ... }
 */
export class MailNotSentError extends Error {
  override readonly name = 'MailNotSentError' as const;
  /** The list it was for. */
  readonly list: 'ADMINS' | 'MANAGERS';
  /** The transport's code (`MessageRejected`, `ECONNREFUSED`...), when it gave one. */
  readonly code: string | undefined;

  constructor(
    message: string,
    list: 'ADMINS' | 'MANAGERS',
    code: string | undefined,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.list = list;
    this.code = code;
  }
}

type ReportPath = typeof import('./report-path.js');

/** One set of settings and what is made from them, shared by every call given the same options. */
interface Setup {
  readonly config: Config;
  readonly log: Log;
  readonly options: ErrorMailOptions;
  transport: Transport | undefined;
  reporter: Promise<Reporter> | undefined;
  reported: boolean;
}

// Calls given equal options share a setup: one reading of the settings, one flood gate. Bounded,
// for options made anew with values that differ each call.
const MAX_SETUPS = 16;
const setups = new Map<string, Setup>();
const ids = new WeakMap<object, number>();
let nextId = 0;
let reportPath: Promise<ReportPath> | undefined;

/** The report path, loaded with the first mail or report. */
function loadReportPath(): Promise<ReportPath> {
  reportPath ??= import('./report-path.js');
  return reportPath;
}

/** Equal options give equal keys: settings by value, the environment by its entries, functions and the transport by identity. */
function keyOf(options: ErrorMailOptions): string {
  const names = Object.keys(options).sort();
  if (names.length === 0) return '';
  const identity = (value: object) => {
    let id = ids.get(value);
    if (id === undefined) {
      nextId += 1;
      id = nextId;
      ids.set(value, id);
    }
    return `#${id}`;
  };
  return JSON.stringify(
    names.map((name) => {
      const value: unknown = (options as Record<string, unknown>)[name];
      if (name === 'env' && typeof value === 'object' && value !== null) {
        return [name, Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))];
      }
      if (
        typeof value === 'function' ||
        (name === 'transport' && typeof value === 'object' && value !== null)
      ) {
        return [name, identity(value)];
      }
      return [name, value];
    }),
    (_, value: unknown) => (value instanceof RegExp ? `/${value.source}/${value.flags}` : value),
  );
}

/** The setup of these options: settings read (and checked: throws `ConfigError`) on first use. */
function setupFor(options: ErrorMailOptions): Setup {
  const key = keyOf(options);
  const known = setups.get(key);
  if (known !== undefined) return known;
  const { env, transport, log: given = writeJsonLine, beforeSend, ...overrides } = options;
  // The library's own lines are never an invocation's log lines, wherever the given log writes them.
  const log: Log = given === writeJsonLine ? given : (record) => withoutCapture(() => given(record));
  const config = loadConfig(env, overrides);
  for (const note of config.notes) safeLog(log, { level: 'WARN', message: `lambda-error-mail: ${note}` });
  const setup: Setup = { config, log, options, transport, reporter: undefined, reported: false };
  if (setups.size >= MAX_SETUPS) setups.delete(setups.keys().next().value as string);
  setups.set(key, setup);
  return setup;
}

/** `Name: message` of an invalid setting (a ConfigError lists each on a line), on one line for a log record. */
function describeProblem(error: unknown): string {
  const text = `${safeString(readProperty(error, 'name'))}: ${safeString(readProperty(error, 'message'))}`;
  return text.replace(/\r?\n/g, ' ');
}

function safeLog(log: Log, record: LogRecord): void {
  try {
    log(record);
  } catch {
    // Nowhere left to report to.
  }
}

/**
 * Mails `ADMINS`, as Django's `mail_admins`: the subject after `EMAIL_SUBJECT_PREFIX`, From
 * `SERVER_EMAIL`, the whole list in one To, `html` as an alternative part; nothing when `ADMINS` is
 * empty. Sent through the backend `EMAIL_BACKEND` selects, marked as automatic like every mail of
 * the library. As in Django, `DEBUG` does not stop it (only error reports are off with `DEBUG`).
 * Resolves once the mail was handed over (or not sent: see `failSilently`).
 *
 * @throws {MailNotSentError} (the promise rejects) with `failSilently: false` only, when the mail was not sent.
 * @throws {ConfigError} (the promise rejects) with `failSilently: false` only, when a setting is invalid.
 * @example
 * await mailAdmins('Nightly import', `Imported ${rows} rows; ${skipped} skipped.`);
 */
export function mailAdmins(subject: string, message: string, options: MailOptions = {}): Promise<void> {
  return mailList('ADMINS', subject, message, options);
}

/**
 * Mails `MANAGERS`, as Django's `mail_managers`: the same rules as {@link mailAdmins}, for the
 * `MANAGERS` list (which never falls back to `ADMINS`).
 *
 * @throws {MailNotSentError} (the promise rejects) with `failSilently: false` only, when the mail was not sent.
 * @throws {ConfigError} (the promise rejects) with `failSilently: false` only, when a setting is invalid.
 * @example
 * await mailManagers('New sign-up', `${user.email} signed up.`, { html: `<b>${escapeHtml(user.email)}</b> signed up.` });
 */
export function mailManagers(subject: string, message: string, options: MailOptions = {}): Promise<void> {
  return mailList('MANAGERS', subject, message, options);
}

async function mailList(
  list: 'ADMINS' | 'MANAGERS',
  subject: string,
  message: string,
  options: MailOptions,
): Promise<void> {
  const { html, failSilently = true, context, ...rest } = options;
  let setup: Setup;
  try {
    setup = setupFor(rest);
  } catch (error) {
    if (!failSilently) throw error;
    safeLog(rest.log ?? writeJsonLine, {
      level: 'ERROR',
      message: `mail to ${list} not sent`,
      reason: describeProblem(error),
    });
    return;
  }
  let delivery: Awaited<ReturnType<ReportPath['sendListMail']>>;
  try {
    const path = await loadReportPath();
    setup.transport ??= path.createTransport(setup.config);
    delivery = await path.sendListMail(
      { config: setup.config, transport: setup.transport, clock: systemClock, timer: systemTimer },
      list,
      { subject, message, html, context },
    );
  } catch (error) {
    // The package's own files are missing or broken.
    const reason = `the mail could not be built: ${safeString(error)}`;
    delivery = { status: 'failed', subject: '', reason, code: undefined, error };
  }
  if (delivery.status !== 'failed') return;
  if (!failSilently) {
    throw new MailNotSentError(`mail to ${list} not sent: ${delivery.reason}`, list, delivery.code, {
      cause: delivery.error,
    });
  }
  safeLog(setup.log, {
    level: 'ERROR',
    message: `mail to ${list} not sent`,
    reason: delivery.reason,
    code: delivery.code,
    subject: delivery.subject,
  });
}

/**
 * Reports an error the handler caught and handled, with everything a report of an unhandled one
 * has: the same scrubbing, size caps, flood control, cross-container dedupe and send budget, and the
 * request when `event` is an HTTP one. The subject says it was handled:
 * `[prefix] ERROR (EXTERNAL IP): Handled error: /orders`. Like Django's `AdminEmailHandler`, it sends
 * nothing when `DEBUG` is true or `ADMINS` is empty.
 *
 * Never rejects, and costs the handler nothing it has to wait for: inside `withErrorMail` or
 * `errorMail()` the wrapper awaits the report before the invocation returns, so a call that is not
 * awaited still goes out before Lambda freezes the container. When the same error object then
 * escapes the handler, or the handler returns a 5xx after reporting, the wrapper sends no second
 * mail for that invocation. Outside a wrapper, await the promise it returns.
 *
 * @example
 * try {
 *   await chargeCard(order);
 * } catch (error) {
 *   void reportError(error, { event, context });
 *   return { statusCode: 402, body: 'Payment declined' };
 * }
 */
export function reportError(error: unknown, options: ReportErrorOptions = {}): Promise<void> {
  const { event, context, ...rest } = options;
  const at = Date.now();
  let setup: Setup;
  try {
    setup = setupFor(rest);
  } catch (problem) {
    safeLog(rest.log ?? writeJsonLine, {
      level: 'ERROR',
      message: 'error mail not sent',
      reason: describeProblem(problem),
    });
    return Promise.resolve();
  }
  // Noted before any await, so that the error thrown right after this call finds itself reported;
  // and only when these settings mail it, so that a wrapper mailing by other settings still does.
  if (mailBySettings(setup.config, HANDLED_VERDICT).mail) noteHandled(error, event, context, at);
  const sending = sendHandled(setup, error, event, context, at);
  trackHandled(sending, event, context);
  return sending;
}

// What a handled error is, for "would it be mailed?" (its status does not matter: see classify).
const HANDLED_VERDICT = {
  kind: 'server-error',
  phrase: 'Handled error',
  status: undefined,
  failedIds: undefined,
} as const;

async function sendHandled(
  setup: Setup,
  error: unknown,
  event: unknown,
  context: unknown,
  at: number,
): Promise<void> {
  try {
    const reporter = await reporterOf(setup);
    // Cold start as the wrappers count it: the first report of these settings in this container.
    const coldStart = !setup.reported;
    setup.reported = true;
    await reporter.report(
      { kind: 'threw', error, handled: true },
      { event, context, startedAt: at, coldStart, logs: undefined },
    );
  } catch (problem) {
    // The package's own files are missing or broken: say so; the handler goes on.
    safeLog(setup.log, {
      level: 'ERROR',
      message: 'error mail not sent',
      reason: `the reporter could not be loaded: ${safeString(problem)}`,
    });
  }
}

/** The reporter of a setup, loaded with its first report; its kept reports go out as invocations end. */
function reporterOf(setup: Setup): Promise<Reporter> {
  if (setup.reporter === undefined) {
    const sendKept = (context: unknown) => reporter.then((loaded) => loaded.sendKept(context));
    const reporter = loadReportPath().then(({ createReporting }) =>
      createReporting(setup.config, {
        transport: setup.transport ?? setup.options.transport,
        log: setup.log,
        beforeSend: setup.options.beforeSend,
        keptChanged: (any) => keptChanged(sendKept, any),
      }),
    );
    setup.reporter = reporter;
  }
  return setup.reporter;
}
