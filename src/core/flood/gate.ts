// Flood control: one mail per fingerprint per throttle window, a cap on all mail per minute, and a
// count of what was held back, told in the next mail. A send that failed gives its window back
// (`undelivered`) until its mail is delivered late (`delivered`). State lives in the container; memory
// is bounded by an LRU of fingerprints.

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
  | {
      readonly send: false;
      readonly reason: 'throttled' | 'rate-limited';
      /** When the rule that held it back lets the next mail through (epoch ms). */
      readonly until: number;
      /**
       * True for the first report this rule holds back in its window (for `throttled`, this
       * fingerprint's window; for `rate-limited`, since the cap last let a mail through): the one
       * the reporter writes a log line for.
       */
      readonly first: boolean;
    };

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
  /** `lastMailedAt` before the last mail was admitted: what `undelivered` restores. */
  mailedBefore: number | undefined;
  /** The window (its `lastMailedAt`) whose holding back was already told. */
  toldWindow: number | undefined;
  suppressed: number;
  suppressedSince: number | undefined;
  sequence: number;
}

/** Decides, per report, whether it is mailed; `now` is handed in, so the gate is a pure state machine. */
export interface FloodGate {
  decide(fingerprint: string, now: number): GateDecision;
  /**
   * The mail admitted at `admittedAt` (with `decision`) was not delivered: its fingerprint's window is
   * given back, so the next repeat is mailed, and the report counts as a repeat held back, told in
   * that mail. It still counts toward the cap per minute, which bounds the first sends tried while
   * the mail service is down (late sends of kept reports do not come through the gate).
   */
  undelivered(fingerprint: string, admittedAt: number, decision: Extract<GateDecision, { send: true }>): void;
  /**
   * The undelivered mail of what happened at `happenedAt`, which told `told` repeats, was delivered
   * late: its window is taken back (unless a mail was admitted since), and it and the repeats it told
   * no longer count as held back.
   */
  delivered(fingerprint: string, happenedAt: number, told: number): void;
}

/** Creates the gate of one container (one per wrapped handler). */
export function createFloodGate(settings: FloodSettings): FloodGate {
  const entries = new Map<string, Entry>();
  // Send times within the last minute, oldest first; never longer than maxPerMinute.
  const recent: number[] = [];
  // The cap's holding back is told once until the time it named: then a mail goes through again.
  let capToldUntil = Number.NEGATIVE_INFINITY;

  return {
    decide(fingerprint, now) {
      let entry = entries.get(fingerprint);
      if (entry === undefined) {
        entry = {
          lastMailedAt: undefined,
          mailedBefore: undefined,
          toldWindow: undefined,
          suppressed: 0,
          suppressedSince: undefined,
          sequence: 0,
        };
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
        if (inWindow) {
          const first = entry.toldWindow !== entry.lastMailedAt;
          entry.toldWindow = entry.lastMailedAt;
          return {
            send: false,
            reason: 'throttled',
            until: (entry.lastMailedAt as number) + settings.throttleMs,
            first,
          };
        }
        const until = (recent[0] as number) + 60_000;
        const first = now >= capToldUntil;
        capToldUntil = until;
        return { send: false, reason: 'rate-limited', until, first };
      }

      const decision: GateDecision = {
        send: true,
        suppressed: entry.suppressed,
        suppressedSince: entry.suppressedSince,
        sequence: entry.sequence,
      };
      entry.mailedBefore = entry.lastMailedAt;
      entry.lastMailedAt = now;
      entry.suppressed = 0;
      entry.suppressedSince = undefined;
      entry.sequence += 1;
      if (settings.maxPerMinute > 0) recent.push(now);
      return decision;
    },
    undelivered(fingerprint, admittedAt, decision) {
      const entry = entries.get(fingerprint);
      // Forgotten, or mailed again since: nothing of that admission is left to give back.
      if (entry === undefined || entry.lastMailedAt !== admittedAt) return;
      entry.lastMailedAt = entry.mailedBefore;
      // The repeats that mail would have told, the undelivered report itself, and any held back
      // while it was being sent.
      entry.suppressed += decision.suppressed + 1;
      entry.suppressedSince = decision.suppressedSince ?? admittedAt;
    },
    delivered(fingerprint, happenedAt, told) {
      const entry = entries.get(fingerprint);
      // Forgotten, or mailed since: that mail's window stands, and it told the repeats.
      if (entry === undefined || (entry.lastMailedAt !== undefined && entry.lastMailedAt >= happenedAt))
        return;
      entry.lastMailedAt = happenedAt;
      entry.suppressed = Math.max(0, entry.suppressed - told - 1);
      if (entry.suppressed === 0) entry.suppressedSince = undefined;
    },
  };
}
