import { readFileSync } from 'node:fs';
import type { Config } from '../../src/config/load.js';
import { loadConfig } from '../../src/config/load.js';
import { classify } from '../../src/core/decide/classify.js';
import type { Invocation, Outcome } from '../../src/core/input/outcome.js';
import { readRequest } from '../../src/core/input/request.js';
import { readTrigger } from '../../src/core/input/trigger.js';
import type { SourceLookup } from '../../src/core/ports.js';
import { buildBrokenLinkReport } from '../../src/core/report/broken-link.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/core/report/limits.js';
import { buildServerErrorReport } from '../../src/core/report/server-error.js';
import type {
  BrokenLinkReport,
  InvocationReading,
  ReportInputs,
  ServerErrorReport,
} from '../../src/core/report/types.js';
import { scrubbedEventJson } from '../../src/core/scrub/raw-event.js';
import { createScrubber } from '../../src/core/scrub/scrubber.js';
import { lambdaContext } from './context.js';
import { httpApiEvent } from './events.js';
import { mailEnv } from './recording-transport.js';

/** The moment every report of these helpers is built at: 25 Nov 2026, 03:51:07 UTC. */
export const NOW = Date.UTC(2026, 10, 25, 3, 51, 7);

/** A Node.js version no test process runs, so a report that shows it took it from its inputs. */
export const NODE_VERSION = 'v99.1.2';

/** The settings most report tests start from (`mailEnv`), with `extra` variables on top. */
export function reportConfig(extra: Record<string, string> = {}): Config {
  return loadConfig(mailEnv(extra));
}

/** What the report builders take besides the outcome. */
export interface InputsSpec {
  readonly env?: Record<string, string>;
  readonly limits?: Limits;
  readonly nodeVersion?: string;
  readonly lookup?: SourceLookup;
}

/** Report inputs built the way the pipeline builds them: the config's own sensitive names, default caps. */
export function reportInputs(spec: InputsSpec = {}): ReportInputs {
  const config = reportConfig(spec.env);
  return {
    config,
    scrubber: createScrubber(config.sensitiveNames),
    limits: spec.limits ?? DEFAULT_LIMITS,
    nodeVersion: spec.nodeVersion ?? NODE_VERSION,
    lookup: spec.lookup,
  };
}

/** A Lambda context whose clock always says 4,200 ms are left, so reports do not depend on real time. */
export function fixedContext(
  overrides: Parameters<typeof lambdaContext>[0] = {},
): ReturnType<typeof lambdaContext> {
  return lambdaContext({ getRemainingTimeInMillis: () => 4200, ...overrides });
}

/** An invocation of `event` that started 1,500 ms before {@link NOW}, in a warm container. */
export function invocationOf(event: unknown, overrides: Partial<Invocation> = {}): Invocation {
  return { event, context: fixedContext(), startedAt: NOW - 1500, coldStart: false, ...overrides };
}

/** Reads an event and its trigger as the reporter does, once per invocation. */
export function readingOf(inputs: ReportInputs, event: unknown): InvocationReading {
  const request = readRequest(event);
  return {
    request,
    trigger: request === undefined ? readTrigger(event) : undefined,
    rawEvent: scrubbedEventJson(inputs.scrubber, event, request),
  };
}

/** What a server-error report is built from; every part has a default. */
export interface ServerErrorSpec extends InputsSpec {
  readonly outcome?: Outcome;
  /** The event; by default an HTTP API request for `/orders/42`. */
  readonly event?: unknown;
  readonly invocation?: Partial<Invocation>;
  readonly now?: number;
}

/** Builds a server-error report the way the pipeline does, from an outcome that classifies as one. */
export function serverErrorReport(spec: ServerErrorSpec = {}): ServerErrorReport {
  const inputs = reportInputs(spec);
  const outcome = spec.outcome ?? { kind: 'threw', error: new TypeError('boom') };
  const event = spec.event ?? httpApiEvent({ path: '/orders/42' });
  const verdict = classify(outcome);
  if (verdict.kind !== 'server-error') {
    throw new Error(`the outcome must classify as a server error; got "${verdict.kind}"`);
  }

  return buildServerErrorReport(
    inputs,
    outcome,
    invocationOf(event, spec.invocation),
    readingOf(inputs, event),
    verdict,
    spec.now ?? NOW,
  );
}

/** Builds a broken-link report for an HTTP event. */
export function brokenLinkReport(event: unknown, spec: InputsSpec = {}): BrokenLinkReport {
  const request = readRequest(event);
  if (request === undefined) throw new Error('the event must be an HTTP request');

  return buildBrokenLinkReport(reportInputs(spec), request);
}

/** One of the sample events under events/, parsed. */
export function sampleEvent(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../events/${name}.json`, import.meta.url), 'utf8'));
}
