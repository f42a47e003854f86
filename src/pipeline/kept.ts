import type { Mail } from '../core/render/mail.js';
import type { Report } from '../core/report/types.js';

/** A report whose send failed, kept in the container to be sent with a later invocation. */
export interface KeptReport {
  /** The report as it was to be mailed (after `beforeSend`, when `hooked`). */
  readonly report: Report;
  /** Its threading headers: the late mail keeps its Message-ID, so a copy that did arrive is one mail. */
  readonly headers: Pick<Mail, 'messageId' | 'references'>;
  /** True when `beforeSend` has seen the report (or there is none); else it runs before the late send. */
  readonly hooked: boolean;
  /** True once its text is in the log: not before `beforeSend` has seen it. */
  readonly logged: boolean;
  readonly fingerprint: string;
  readonly subject: string;
  /** When what it reports happened (epoch ms): the flood and dedupe window it belongs to. */
  readonly happenedAt: number;
  /** The repeats held back before it that its mail tells (flood control's count when it was admitted). */
  readonly told: number;
  /** The request id of the invocation it reports: what its full log record is found by. */
  readonly requestId: string | undefined;
  /** Its size, as the mail's upper estimate: what the store's byte bound counts. */
  readonly bytes: number;
  /** Sends tried so far (the first included); a late one that made progress (see `Transport.firstUseSteps`) is not counted. */
  readonly attempts: number;
  /** Why the last of them failed. */
  readonly reason: string;
}

/** Why a kept report was let go without being sent. */
export type KeptDropReason = 'count' | 'bytes';

/** The store's bounds: a container keeps at most this many reports, of at most this many bytes together. */
export interface KeptBounds {
  readonly maxReports: number;
  readonly maxBytes: number;
}

/**
 * The reports of one reporter that wait for a later invocation, oldest first, bounded in number and
 * bytes: what is over the bounds is dropped, the oldest first, and handed back to be logged.
 */
export interface KeptReports {
  /**
   * Keeps `report` (newest), then drops the oldest until the bounds hold. Returns what was dropped:
   * `report` itself when it alone is over the byte bound.
   */
  keep(report: KeptReport): readonly { report: KeptReport; why: KeptDropReason }[];
  /**
   * Puts back reports taken out by `take` and not sent, before the ones kept since (they are older);
   * returns what the bounds drop.
   */
  putBack(reports: readonly KeptReport[]): readonly { report: KeptReport; why: KeptDropReason }[];
  /** Takes every waiting report out, oldest first: an invocation that overlaps sees none of them. */
  take(): readonly KeptReport[];
}

/**
 * Creates the store of one reporter. `changed` hears whether any report waits, each time that answer
 * changes: the adapters read it at the start of each invocation.
 * @example
 * const kept = createKeptReports({ maxReports: 10, maxBytes: 1_048_576 }, (any) => { pending = any; });
 */
export function createKeptReports(bounds: KeptBounds, changed: (any: boolean) => void): KeptReports {
  let reports: KeptReport[] = [];
  let bytes = 0;
  let told = false;
  const tell = () => {
    const any = reports.length > 0;
    if (any !== told) changed(any);
    told = any;
  };

  const trim = (): { report: KeptReport; why: KeptDropReason }[] => {
    const dropped: { report: KeptReport; why: KeptDropReason }[] = [];
    while (reports.length > bounds.maxReports || (bytes > bounds.maxBytes && reports.length > 0)) {
      const why: KeptDropReason = reports.length > bounds.maxReports ? 'count' : 'bytes';
      const oldest = reports.shift() as KeptReport;
      bytes -= oldest.bytes;
      dropped.push({ report: oldest, why });
    }
    tell();
    return dropped;
  };

  return {
    keep(report) {
      // Alone over the bound: the older ones stay, and only this one is let go.
      if (report.bytes > bounds.maxBytes) return [{ report, why: 'bytes' }];
      reports.push(report);
      bytes += report.bytes;
      return trim();
    },
    putBack(taken) {
      reports = [...taken, ...reports];
      for (const report of taken) bytes += report.bytes;
      return trim();
    },
    take() {
      const taken = reports;
      reports = [];
      bytes = 0;
      tell();
      return taken;
    },
  };
}
