import type { Config } from '../../config/load.js';
import type { ErrorInfo } from '../input/error-chain.js';
import type { LogSection } from '../input/log-lines.js';
import type { NameValue, RequestInfo } from '../input/request.js';
import type { TriggerInfo, TriggerKind } from '../input/trigger.js';
import type { SourceLookup } from '../ports.js';
import type { Scrubber } from '../scrub/scrubber.js';
import type { Limits } from './limits.js';

/** Facts about the Lambda invocation, in the order they are shown. */
export interface LambdaInfo {
  readonly entries: readonly NameValue[];
  /** The CloudWatch Logs console, filtered on this request's id; undefined without log group/stream. */
  readonly logsUrl: string | undefined;
  readonly requestId: string | undefined;
  /** The tenant the invocation ran for (`context.tenantId`, a function in tenant isolation mode). */
  readonly tenantId: string | undefined;
  readonly functionName: string | undefined;
  /** Milliseconds from the start of the invocation to the report. */
  readonly elapsedMs: number;
  /** True for the first invocation of this container. */
  readonly coldStart: boolean;
}

/** The request as shown in a report: every value already scrubbed and capped. */
export interface ShownRequest {
  readonly method: string;
  /** scheme://host/path?query, with sensitive query values hidden. */
  readonly url: string;
  readonly query: readonly NameValue[];
  readonly headers: readonly NameValue[];
  readonly cookies: readonly NameValue[];
  readonly body: ShownBody | undefined;
}

/** The request body as shown: scrubbed, capped, with what was left out counted. */
export interface ShownBody {
  /** The text shown; empty for a binary body. */
  readonly text: string;
  /** Size of the decoded body in bytes. */
  readonly bytes: number;
  /** Bytes of the decoded body not shown. */
  readonly omittedBytes: number;
  readonly binary: boolean;
  readonly decodedFromBase64: boolean;
}

/** A non-HTTP event as shown in a report, in place of the request. */
export interface ShownEvent {
  readonly trigger: TriggerKind;
  /** The queue, topic, bucket, table, stream, rule or user pool, by name. */
  readonly source: string | undefined;
  /** Further facts about the source (a durable execution's ARN), scrubbed and capped. */
  readonly details: readonly NameValue[];
  readonly recordCount: number | undefined;
  /** Record ids, the first `limits.items` of them and a count of the rest. */
  readonly recordIds: readonly string[];
  /** For a partial batch response: the ids of the failed items. */
  readonly failedIds: readonly string[] | undefined;
  /** The first record (or the event), as scrubbed, trimmed JSON. */
  readonly firstRecord: string;
}

/** Reports of the same fingerprint that flood control held back since its last mail. */
export interface Repeats {
  readonly count: number;
  /** When the first of them happened, as an ISO-8601 string. */
  readonly since: string;
}

/** A mail sent late: its first send failed, and it went out with a later invocation of the container. */
export interface Delayed {
  /** When what it reports happened, as an ISO-8601 string. */
  readonly happenedAt: string;
  /** Why the send of that time failed, on one line, scrubbed. */
  readonly reason: string;
}

/** A server-error report: what the mail to ADMINS says, before rendering. */
export interface ServerErrorReport {
  readonly kind: 'server-error';
  /** `WARNING` for a possible timeout (nothing has failed yet), else `ERROR`. */
  readonly level: 'ERROR' | 'WARNING';
  readonly subject: string;
  /** Django's log line: `Internal Server Error: /path`. */
  readonly logLine: string;
  /** `TypeError at /path`, or `Report at /path` for a returned 5xx. */
  readonly title: string;
  /** ` at /path` (the escaped request path), or empty without a request. */
  readonly at: string;
  /** The error message, or "No exception message supplied". */
  readonly summary: string;
  /** The error chain, root cause first; empty for a returned 5xx. */
  readonly errors: readonly ErrorInfo[];
  /** The returned status, for a returned 5xx. */
  readonly returnedStatus: number | undefined;
  /** Why there is no traceback (a returned 5xx, a possible timeout), when there is none. */
  readonly tracebackNote: string | undefined;
  /** Why frames show bundle positions or no source (a map over its bound, broken, out of time); empty when none. */
  readonly sourceNotes: readonly string[];
  /** What the invocation logged (console, standard streams); undefined when not captured. */
  readonly logs: LogSection | undefined;
  readonly request: ShownRequest | undefined;
  /** The event summary of a non-HTTP invocation; undefined for an HTTP request. */
  readonly event: ShownEvent | undefined;
  readonly lambda: LambdaInfo;
  readonly environment: readonly NameValue[];
  /** When the report was built, as an ISO-8601 string. */
  readonly time: string;
  /** The Node.js version of the runtime (`v22.12.0`). */
  readonly nodeVersion: string;
  /** Held-back repeats told in this mail, if any. */
  readonly repeats: Repeats | undefined;
  /** Mails of this report's fingerprint that this container sent before this one. */
  readonly mailsBefore: number;
  /** The event as Lambda delivered it: scrubbed, indented JSON, the request body left out. */
  readonly rawEvent: string;
  /** Set when this mail goes out late, after its first send failed. */
  readonly delayed?: Delayed | undefined;
}

/** A broken-link report: the four lines Django's middleware mails to MANAGERS. */
export interface BrokenLinkReport {
  readonly kind: 'broken-link';
  readonly subject: string;
  readonly referer: string;
  readonly requestedUrl: string;
  readonly userAgent: string;
  readonly ip: string;
  /** Held-back repeats told in this mail, if any. */
  readonly repeats: Repeats | undefined;
  /** Mails of this report's fingerprint that this container sent before this one. */
  readonly mailsBefore: number;
  /** Set when this mail goes out late, after its first send failed. */
  readonly delayed?: Delayed | undefined;
}

/**
 * What a mail says, before rendering: what a `beforeSend` hook sees and may edit.
 * @example
 * const beforeSend = (report: Report) => (report.kind === 'broken-link' ? null : report);
 */
export type Report = ServerErrorReport | BrokenLinkReport;

/** What a report is built from, besides the outcome itself. */
export interface ReportInputs {
  readonly config: Config;
  readonly scrubber: Scrubber;
  readonly limits: Limits;
  /** The Node.js version of the runtime (`v22.12.0`), shown in the report. */
  readonly nodeVersion: string;
  /** Maps bundled stack frames to their source and reads source lines; without it, stacks show as thrown. */
  readonly lookup?: SourceLookup | undefined;
}

/**
 * What the reporter reads from an invocation once: a report may be rebuilt
 * several times, smaller each time, to fit `ERROR_MAIL_MAX_BYTES`.
 */
export interface InvocationReading {
  readonly request: RequestInfo | undefined;
  /** The trigger of a non-HTTP event; undefined for an HTTP request. */
  readonly trigger: TriggerInfo | undefined;
  /** The scrubbed raw event (`scrubbedEventJson`), whole: each build caps it. */
  readonly rawEvent: string;
}
