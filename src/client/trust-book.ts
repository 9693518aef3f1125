/**
 * Trust on first use, in memory: the pinned key per classmate, loaded once from a TrustStore and
 * written back (one save at a time) whenever a pin is added, accepted or verified.
 */
import type { Pin, TrustStore } from './trust-store';

/** What the client knows of a classmate's current key. */
export type KeyTrust = 'verified' | 'pinned' | 'key_changed' | 'unknown_key';

/** The server reports a key for a pinned user that is not the pin: another key, or none (null). */
export interface KeyChange {
  pinned: string;
  current: string | null;
}

export class TrustBook {
  private pins = new Map<string, Pin>();
  private loading: Promise<void> | undefined;
  private saving: Promise<void> = Promise.resolve();
  /** A save waiting for the one before it; later changes join it rather than queue another. */
  private queued: Promise<void> | undefined;

  constructor(
    private readonly store: TrustStore,
    private readonly now: () => number,
    /** Failures of saves nobody awaits (a new pin seen in the roster). */
    private readonly onSaveError: (error: Error) => void,
  ) {}

  /** Loads the stored pins once (a failed load is retried on the next call). */
  load(): Promise<void> {
    if (!this.loading) {
      this.loading = this.store.load().then((pins) => {
        // Pins made before the load finished (none in practice) win over stored ones.
        for (const [name, pin] of pins) if (!this.pins.has(name)) this.pins.set(name, pin);
      });
      this.loading.catch(() => (this.loading = undefined));
    }
    return this.loading;
  }

  /** Every pin, verified ones first (what the provisioning bundle carries to a new device). */
  all(): Array<[string, Pin]> {
    return [...this.pins].sort(([, a], [, b]) => Number(b.verified) - Number(a.verified));
  }

  get(name: string): Pin | undefined {
    const pin = this.pins.get(name);
    return pin && { ...pin };
  }

  /**
   * How `publicKey`, the key the server now reports for `name`, relates to the pin: null when it
   * reports no key (a pinned user turned "plain text" is a key change: a downgrade the server could
   * fake), undefined when nothing is reported (offline).
   */
  status(name: string, publicKey: string | null | undefined): KeyTrust {
    const pin = this.pins.get(name);
    if (!pin) return 'unknown_key';
    if (publicKey !== undefined && publicKey !== pin.publicKey) return 'key_changed';
    return pin.verified ? 'verified' : 'pinned';
  }

  /** A key seen in the roster: pinned when `name` has no pin yet. Returns the status afterwards. */
  observe(name: string, publicKey: string | null): KeyTrust {
    if (publicKey !== null && !this.pins.has(name)) {
      this.pins.set(name, { publicKey, verified: false, pinnedAt: this.now() });
      this.persist().catch(this.onSaveError);
    }
    return this.status(name, publicKey);
  }

  /**
   * A roster or presence report of `name`'s key, after `previous` (the report before it on this
   * connection): the change to warn about, once, when the report differs from the pin.
   */
  report(name: string, publicKey: string | null, previous: string | null | undefined): KeyChange | undefined {
    const pinned = this.pins.get(name)?.publicKey;
    if (this.observe(name, publicKey) !== 'key_changed' || pinned === undefined || previous === publicKey) return undefined;
    return { pinned, current: publicKey };
  }

  /** Pins `publicKey` for `name` (unverified), replacing an earlier pin; null forgets the pin (the user has no key now). */
  accept(name: string, publicKey: string | null): Promise<void> {
    if (publicKey === null) {
      this.pins.delete(name);
      return this.persist();
    }
    const pin = this.pins.get(name);
    if (pin?.publicKey === publicKey) return this.persist();
    this.pins.set(name, { publicKey, verified: false, pinnedAt: this.now() });
    return this.persist();
  }

  /** Marks the pinned key of `name` verified; false when it is not `publicKey`. */
  async verify(name: string, publicKey: string): Promise<boolean> {
    const pin = this.pins.get(name);
    if (!pin || pin.publicKey !== publicKey) return false;
    pin.verified = true;
    await this.persist();
    return true;
  }

  /**
   * Saves the pins as they are when the save starts; saves never overlap, and changes made while
   * one runs share the next (a roster of 50,000 new keys once queued 50,000 full saves).
   */
  private persist(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.saving.catch(() => undefined).then(() => {
      this.queued = undefined;
      return this.store.save(this.pins);
    });
    this.queued = next;
    this.saving = next;
    return next;
  }
}
