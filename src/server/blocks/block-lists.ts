/**
 * Who blocked whom (PROTOCOL.md 20.9): per blocker, the names they blocked. Pure; the stores
 * keep one to answer listBlocks, and the server one to filter deliveries.
 */
export class BlockLists {
  private readonly byBlocker = new Map<string, Set<string>>();

  /** Blocks (`on`) or unblocks `blocked` for `blocker`. */
  set(blocker: string, blocked: string, on: boolean): void {
    let names = this.byBlocker.get(blocker);
    if (on) {
      if (!names) this.byBlocker.set(blocker, (names = new Set()));
      names.add(blocked);
    } else if (names) {
      names.delete(blocked);
      if (names.size === 0) this.byBlocker.delete(blocker);
    }
  }

  /** Whether `blocker` blocked `sender`. */
  has(blocker: string, sender: string): boolean {
    return this.byBlocker.get(blocker)?.has(sender) ?? false;
  }

  /** The names `blocker` blocked, sorted. */
  of(blocker: string): string[] {
    return [...(this.byBlocker.get(blocker) ?? [])].sort();
  }

  /** Everyone who blocked someone. */
  blockers(): string[] {
    return [...this.byBlocker.keys()];
  }

  /** Every blocker's list (a copy). */
  toMap(): Map<string, Set<string>> {
    return new Map([...this.byBlocker].map(([blocker, names]) => [blocker, new Set(names)]));
  }

  /** Every (blocker, blocked) pair, for a compacted log. */
  *pairs(): Iterable<[string, string]> {
    for (const [blocker, names] of this.byBlocker) for (const name of names) yield [blocker, name];
  }

  get pairCount(): number {
    let count = 0;
    for (const names of this.byBlocker.values()) count += names.size;
    return count;
  }

  static from(map: ReadonlyMap<string, ReadonlySet<string>>): BlockLists {
    const lists = new BlockLists();
    for (const [blocker, names] of map) for (const name of names) lists.set(blocker, name, true);
    return lists;
  }
}
