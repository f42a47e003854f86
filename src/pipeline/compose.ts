import type { Config } from '../config/load.js';
import type { Verdict } from '../core/decide/classify.js';
import { threadHeaders } from '../core/flood/fingerprint.js';
import type { GateDecision } from '../core/flood/gate.js';
import type { Invocation, Outcome } from '../core/input/outcome.js';
import type { RequestInfo } from '../core/input/request.js';
import type { TriggerInfo } from '../core/input/trigger.js';
import type { Random, SourceLookup } from '../core/ports.js';
import { fitReport } from '../core/render/fit.js';
import type { Mail } from '../core/render/mail.js';
import { buildBrokenLinkReport } from '../core/report/broken-link.js';
import type { Limits } from '../core/report/limits.js';
import { buildServerErrorReport, type ServerErrorVerdict } from '../core/report/server-error.js';
import type { Report, ReportInputs } from '../core/report/types.js';
import { scrubbedEventJson } from '../core/scrub/raw-event.js';
import type { Scrubber } from '../core/scrub/scrubber.js';

/** An outcome that is to be mailed, with what was read from its invocation once. */
export type Mailable = (
  | {
      readonly kind: 'server-error';
      readonly verdict: ServerErrorVerdict;
      readonly request: RequestInfo | undefined;
      /** The trigger of a non-HTTP event; undefined for an HTTP request. */
      readonly trigger: TriggerInfo | undefined;
    }
  | { readonly kind: 'broken-link'; readonly verdict: Verdict; readonly request: RequestInfo }
) & {
  /** One clock reading for the report, the flood gate and the dedupe window. */
  readonly now: number;
};

/** The mail that is ready to go, and what it goes out as. */
export interface Composed {
  readonly report: Report;
  readonly mail: Mail;
  readonly fingerprint: string;
  readonly headers: Pick<Mail, 'messageId' | 'references'>;
}

/** What composing needs besides the outcome: the settings, the scrubber, the facts a report names. */
export interface Composing {
  readonly config: Config;
  readonly scrubber: Scrubber;
  readonly nodeVersion: string;
  readonly random: Random;
  /** This report's source lookup, when stacks are mapped. */
  readonly lookup?: SourceLookup | undefined;
}

/**
 * The compose stage: the report for a mailable outcome, rendered to fit `ERROR_MAIL_MAX_BYTES`, with
 * the threading headers of its fingerprint and what flood control held back.
 * @example
 * const { mail } = composeMail(composing, outcome, invocation, mailable, fingerprint, gate);
 */
export function composeMail(
  composing: Composing,
  outcome: Outcome,
  invocation: Invocation,
  decided: Mailable,
  fingerprint: string,
  gate: Extract<GateDecision, { send: true }>,
): Composed {
  const build = reportBuilder(composing, outcome, invocation, decided);
  const repeats =
    gate.suppressed === 0 || gate.suppressedSince === undefined
      ? undefined
      : { count: gate.suppressed, since: new Date(gate.suppressedSince).toISOString() };
  const headers = threadHeaders(fingerprint, gate.sequence, composing.random);
  const { report, mail } = fitReport(composing.config, build, {
    headers,
    patch: { repeats, mailsBefore: gate.sequence },
  });
  return { report, mail, fingerprint, headers };
}

/**
 * Builds the report of a mailable outcome with the caps it is handed: `fitReport` calls it smaller
 * until the mail fits; the log line of a held-back report takes its subject from one build.
 * @example
 * const subject = reportBuilder(composing, outcome, invocation, mailable)(DEFAULT_LIMITS).subject;
 */
export function reportBuilder(
  composing: Composing,
  outcome: Outcome,
  invocation: Invocation,
  decided: Mailable,
): (limits: Limits) => Report {
  const { config, scrubber } = composing;
  const { now } = decided;
  const inputs = (limits: Limits): ReportInputs => ({
    config,
    scrubber,
    limits,
    nodeVersion: composing.nodeVersion,
    lookup: composing.lookup,
  });
  if (decided.kind === 'broken-link') {
    const { request } = decided;
    return (limits) => buildBrokenLinkReport(inputs(limits), request);
  }
  const { verdict, request, trigger } = decided;
  let rawEvent: string | undefined;
  return (limits) => {
    // Scrubbed once: each rebuild only caps it.
    rawEvent ??= scrubbedEventJson(scrubber, invocation.event, request);
    return buildServerErrorReport(
      inputs(limits),
      outcome,
      invocation,
      { request, trigger, rawEvent },
      verdict,
      now,
    );
  };
}
