import type { Config } from '../../config/load.js';
import { describe } from '../input/error-chain.js';
import { firstAppFrameLine } from '../input/frames.js';
import type { Invocation, Outcome, Verdict } from '../input/outcome.js';
import type { RequestInfo } from '../input/request.js';
import { readString } from '../input/safe.js';
import { batchItemFailures, readTrigger, type TriggerInfo } from '../input/trigger.js';
import { DEFAULT_LIMITS } from '../report/limits.js';

/**
 * Flood control: one mail per fingerprint per throttle window, a cap on all
 * mail per minute, and a count of what was held back, told in the next mail.
 * State lives in the container; memory is bounded by an LRU of fingerprints.
 */

/** What the gate decided for one report. */
export type GateDecision =
  | {
      readonly send: true;
      /** Reports of this fingerprint held back since the last mail of it. */
      readonly suppressed: number;
      /** When the first of those was held back (epoch ms), if any was. */
      readonly suppressedSince: number | undefined;
      /** How many mails of this fingerprint this container has sent before this one. */
      readonly sequence: number;
    }
  | { readonly send: false; readonly reason: 'throttled' | 'rate limited' };

/** The gate's settings: `ERROR_MAIL_THROTTLE_SECONDS` and `ERROR_MAIL_MAX_PER_MINUTE`. */
export interface FloodSettings {
  /** Repeats of a fingerprint within this many ms of its last mail are counted, not mailed; 0: no throttle. */
  readonly throttleMs: number;
  /** Most mails per rolling minute, all fingerprints together; 0: no cap. */
  readonly maxPerMinute: number;
  /** Fingerprints remembered; the least recently seen is forgotten first. */
  readonly maxFingerprints: number;
}

interface Entry {
  lastMailedAt: number | undefined;
  suppressed: number;
  suppressedSince: number | undefined;
  sequence: number;
}

/** Decides, per report, whether it is mailed; `now` is handed in, so the gate is a pure state machine. */
export interface FloodGate {
  decide(fingerprint: string, now: number): GateDecision;
}

/** Creates the gate of one container (one per wrapped handler). */
export function createFloodGate(settings: FloodSettings): FloodGate {
  const entries = new Map<string, Entry>();
  // Send times within the last minute, oldest first; never longer than maxPerMinute.
  const recent: number[] = [];

  return {
    decide(fingerprint, now) {
      let entry = entries.get(fingerprint);
      if (entry === undefined) {
        entry = { lastMailedAt: undefined, suppressed: 0, suppressedSince: undefined, sequence: 0 };
      } else {
        entries.delete(fingerprint);
      }
      // Re-inserted last: a Map iterates in insertion order, so the first key is the least recent.
      entries.set(fingerprint, entry);
      if (entries.size > settings.maxFingerprints) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }

      const inWindow =
        settings.throttleMs > 0 &&
        entry.lastMailedAt !== undefined &&
        now - entry.lastMailedAt < settings.throttleMs;
      while (recent.length > 0 && now - (recent[0] as number) >= 60_000) recent.shift();
      const capped = settings.maxPerMinute > 0 && recent.length >= settings.maxPerMinute;
      if (inWindow || capped) {
        entry.suppressed += 1;
        entry.suppressedSince ??= now;
        return { send: false, reason: inWindow ? 'throttled' : 'rate limited' };
      }

      const decision: GateDecision = {
        send: true,
        suppressed: entry.suppressed,
        suppressedSince: entry.suppressedSince,
        sequence: entry.sequence,
      };
      entry.lastMailedAt = now;
      entry.suppressed = 0;
      entry.suppressedSince = undefined;
      entry.sequence += 1;
      if (settings.maxPerMinute > 0) recent.push(now);
      return decision;
    },
  };
}

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
 * class, its first application frame and the route; for a returned 5xx, the
 * status and the route; for a broken link, the path and the Referer's host.
 */
export function fingerprintOf(
  outcome: Outcome,
  verdict: Verdict,
  request: RequestInfo | undefined,
  invocation: Invocation,
  config: Config,
  eventTrigger: TriggerInfo | undefined,
): string {
  let where = request?.route;
  if (where === undefined) {
    const trigger = eventTrigger ?? readTrigger(invocation.event);
    const fn = readString(invocation.context, 'functionName') ?? config.functionName ?? 'lambda';
    where = `${fn} ${trigger.kind} ${trigger.source ?? ''}`;
  }
  if (verdict.kind === 'broken-link') {
    const referer = request?.referer ?? '';
    const refererHost = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(referer)?.[1] ?? '';
    return hashFingerprint(['404', request?.path ?? '', refererHost]);
  }
  if (outcome.kind === 'timeout') return hashFingerprint(['timeout', where]);
  if (outcome.kind === 'returned' && batchItemFailures(outcome.result) !== undefined) {
    return hashFingerprint(['batch', where]);
  }
  if (outcome.kind === 'returned') {
    return hashFingerprint(['status', String(verdict.kind === 'server-error' ? verdict.status : ''), where]);
  }
  const error = describe(outcome.error, DEFAULT_LIMITS);
  return hashFingerprint(['error', error.type, firstAppFrame(error.stack), where]);
}

/**
 * Threading headers: a unique Message-ID, and References/In-Reply-To naming
 * one id per fingerprint, the same in every container.
 */
export function threadHeaders(
  fingerprint: string,
  sequence: number,
): { messageId: string; references: string } {
  const random = () => Math.floor(Math.random() * 0x100000000).toString(36);
  const unique = `${random()}${random()}`;
  return {
    messageId: `<${fingerprint}.${sequence}.${unique}@lambda-error-mail>`,
    references: `<${fingerprint}@lambda-error-mail>`,
  };
}
