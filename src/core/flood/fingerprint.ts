import type { Verdict } from '../decide/classify.js';
import { describe } from '../input/error-chain.js';
import { firstAppFrameLine } from '../input/frames.js';
import type { Invocation, Outcome } from '../input/outcome.js';
import type { RequestInfo } from '../input/request.js';
import { readString } from '../input/safe.js';
import { readTrigger, type TriggerInfo } from '../input/trigger.js';
import type { Random, SourceLookup } from '../ports.js';
import { DEFAULT_LIMITS } from '../report/limits.js';

/**
 * A short, stable hash of a fingerprint's parts (two 32-bit FNV-1a hashes),
 * the same in every container, so Message-ID threads and cross-container
 * dedupe agree.
 */
export function hashFingerprint(parts: readonly string[]): string {
  const text = parts.join('\u0000');
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x01000193) ^ (b >>> 13);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * The first frame of a stack that is the application's own (see
 * {@link firstAppFrameLine}), without line and column, so a fingerprint
 * survives unrelated edits above it.
 */
export function firstAppFrame(stack: string | undefined): string {
  return firstAppFrameLine(stack)?.replace(/:\d+:\d+\)?$/, '') ?? '';
}

/**
 * What makes two reports "the same" for flood control: for a thrown error, its
 * class, its first application frame and the route (a handled one apart from a thrown one); for a returned 5xx, the
 * status and the route; for a broken link, the path and the Referer's host.
 */
export function fingerprintOf(
  outcome: Outcome,
  verdict: Verdict,
  request: RequestInfo | undefined,
  invocation: Invocation,
  eventTrigger: TriggerInfo | undefined,
  /** `AWS_LAMBDA_FUNCTION_NAME`, for a context that names no function. */
  functionName: string | undefined,
  /** Maps bundled frames: the first user frame is then the source's, the same across bundles. */
  lookup?: SourceLookup,
): string {
  let where = request?.route;
  if (where === undefined) {
    const trigger = eventTrigger ?? readTrigger(invocation.event, invocation.durable);
    const fn = readString(invocation.context, 'functionName') ?? functionName ?? 'lambda';
    where = `${fn} ${trigger.kind} ${trigger.source ?? ''}`;
  }
  if (verdict.kind === 'broken-link') {
    const referer = request?.referer ?? '';
    const refererHost = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(referer)?.[1] ?? '';
    return hashFingerprint(['404', request?.path ?? '', refererHost]);
  }
  // The warning and the later "Timed out" are two mails of their own: neither holds the other back.
  if (outcome.kind === 'timeout') {
    return hashFingerprint([outcome.pastDeadline === true ? 'timed-out' : 'timeout', where]);
  }
  if (verdict.kind === 'server-error' && verdict.failedIds !== undefined) {
    return hashFingerprint(['batch', where]);
  }
  if (outcome.kind === 'returned') {
    return hashFingerprint(['status', String(verdict.kind === 'server-error' ? verdict.status : ''), where]);
  }
  // Positions only: the fingerprint needs no source lines.
  const positions: SourceLookup | undefined = lookup && {
    position: (file, line, column) => lookup.position(file, line, column),
    excerpt: () => undefined,
    notes: () => lookup.notes(),
  };
  const error = describe(outcome.error, DEFAULT_LIMITS, false, positions);
  // A handled error is not the same report as the error escaping: each has its own window.
  const kind = outcome.handled === true ? 'handled' : 'error';
  return hashFingerprint([kind, error.type, firstAppFrame(error.stack), where]);
}

/**
 * Threading headers: a unique Message-ID, and References/In-Reply-To naming
 * one id per fingerprint, the same in every container.
 */
export function threadHeaders(
  fingerprint: string,
  sequence: number,
  random: Random,
): { messageId: string; references: string } {
  const draw = () => Math.floor(random() * 0x100000000).toString(36);
  const unique = `${draw()}${draw()}`;
  return {
    messageId: `<${fingerprint}.${sequence}.${unique}@lambda-error-mail>`,
    references: `<${fingerprint}@lambda-error-mail>`,
  };
}
