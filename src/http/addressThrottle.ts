// Wrong passwords counted per client address: the lock per email (shops/staff.ts) does nothing against
// one address trying a common password on many emails. Kept in memory (each server process counts its
// own; a restart forgets), since an address belongs to no shop and every table is a shop's.
const WINDOW_MS = 15 * 60_000;
/** Wrong passwords from one address within the window after which its sign-ins pause. */
const LIMIT = 50;
/** Addresses remembered at most; beyond, the oldest windows go first (memory stays bounded under a flood). */
const MAX_ADDRESSES = 100_000;

export class AddressThrottle {
  private readonly windows = new Map<string, { since: number; failures: number }>();

  /** Until when sign-ins from `address` are paused, or null. */
  pausedUntil(address: string, now = Date.now()): Date | null {
    const w = this.windows.get(address);
    if (!w || now - w.since >= WINDOW_MS) return null;
    return w.failures >= LIMIT ? new Date(w.since + WINDOW_MS) : null;
  }

  failed(address: string, now = Date.now()): void {
    const w = this.windows.get(address);
    if (w && now - w.since < WINDOW_MS) {
      w.failures++;
      return;
    }
    this.windows.delete(address);
    // A Map iterates in insertion order, so its first key has the oldest window.
    if (this.windows.size >= MAX_ADDRESSES) this.windows.delete(this.windows.keys().next().value!);
    this.windows.set(address, { since: now, failures: 1 });
  }
}
