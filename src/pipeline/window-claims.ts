/**
 * The sends of one reporter that take part in the cross-container claim of a window, keyed
 * `<fingerprint>#<window start>`. The table names one owner per window and lets that owner claim it
 * again, so every send of the window from this container shares one claim: it is given back only
 * when none of them is in flight and none was delivered (or refused for good).
 */
export interface WindowClaims {
  /**
   * Counts a send about to claim `key`, a window that ends at `endsAt` (epoch ms), once a release of
   * it under way is done: the release would otherwise delete the new claim. `now` lets go of windows
   * that have ended.
   */
  enter(key: string, endsAt: number, now: number): Promise<void>;
  /**
   * A send counted by `enter` is done: `held` when the claim must stand (its mail was delivered or
   * refused for good). When it was the last in flight and none held the claim, `release` (if given)
   * gives the claim back; the promise returned settles when it has.
   */
  leave(key: string, held: boolean, release?: () => Promise<void>): Promise<void> | undefined;
}

interface Window {
  sending: number;
  held: boolean;
  readonly endsAt: number;
  releasing: Promise<void> | undefined;
}

/**
 * Creates the claims of one reporter.
 * @example
 * const claims = createWindowClaims();
 * await claims.enter('0773201cf0582848#1764579600000', 1764579900000, Date.now());
 */
export function createWindowClaims(): WindowClaims {
  const windows = new Map<string, Window>();
  return {
    async enter(key, endsAt, now) {
      for (const [other, window] of windows) {
        if (window.endsAt <= now && window.sending === 0 && window.releasing === undefined) {
          windows.delete(other);
        }
      }
      const releasing = windows.get(key)?.releasing;
      if (releasing !== undefined) await releasing;
      let window = windows.get(key);
      if (window === undefined) {
        window = { sending: 0, held: false, endsAt, releasing: undefined };
        windows.set(key, window);
      }
      window.sending += 1;
    },
    leave(key, held, release) {
      const window = windows.get(key);
      if (window === undefined) return undefined;
      window.sending -= 1;
      if (held) window.held = true;
      if (window.sending > 0 || window.held) return undefined;
      if (release === undefined) {
        windows.delete(key);
        return undefined;
      }
      const released = release().finally(() => {
        if (windows.get(key) === window) windows.delete(key);
      });
      window.releasing = released;
      return released;
    },
  };
}
