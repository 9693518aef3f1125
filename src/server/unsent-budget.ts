/**
 * The server's unsent output across all connections, within one budget. Each connection's bound
 * (hardQueueBytes) times the connections allowed is far more than a server has: 200 connections
 * from each of many addresses. Above the budget, the connection that has gone longest without
 * draining is closed first (the one least likely to be reading), until the total fits again.
 */

/** A connection's share of the budget, as a Transport reports it. */
export interface BudgetMember {
  /** Bytes this member last reported (kept up to date by the budget). */
  budgetBytes: number;
  /** Since when its socket has not drained; undefined while it drains normally. */
  readonly congestedSince: number | undefined;
  /** Closes the member: the budget needs its bytes back. */
  shed(why: string): void;
}

export class UnsentBudget {
  private total = 0;
  private readonly members = new Set<BudgetMember>();
  private shedding = false;

  constructor(readonly limitBytes: number) {}

  /** Unsent bytes of every member together, as last reported. */
  get bytes(): number {
    return this.total;
  }

  join(member: BudgetMember): void {
    this.members.add(member);
  }

  /** The member's unsent bytes now; sheds members while the total is over the budget. */
  report(member: BudgetMember, bytes: number): void {
    // A member shed or closed may still report as it goes: it no longer counts.
    if (!this.members.has(member)) return;
    this.total += bytes - member.budgetBytes;
    member.budgetBytes = bytes;
    if (this.total > this.limitBytes) this.shed();
  }

  /** The member closed: its bytes no longer count. */
  leave(member: BudgetMember): void {
    if (this.members.delete(member)) this.total -= member.budgetBytes;
    member.budgetBytes = 0;
  }

  private shed(): void {
    // A shed member reports once more as it closes; that must not start a second round.
    if (this.shedding) return;
    this.shedding = true;
    try {
      while (this.total > this.limitBytes) {
        const victim = this.longestUndrained();
        if (!victim) break;
        this.leave(victim);
        victim.shed(`the server's unsent output is over its budget of ${this.limitBytes} bytes`);
      }
    } finally {
      this.shedding = false;
    }
  }

  /** The member congested the longest; among members draining normally, the one with the most unsent. */
  private longestUndrained(): BudgetMember | undefined {
    let worst: BudgetMember | undefined;
    for (const member of this.members) {
      if (member.budgetBytes === 0) continue;
      if (!worst || undrainedLonger(member, worst)) worst = member;
    }
    return worst;
  }
}

function undrainedLonger(a: BudgetMember, b: BudgetMember): boolean {
  if (a.congestedSince !== b.congestedSince) {
    if (a.congestedSince === undefined) return false;
    if (b.congestedSince === undefined) return true;
    return a.congestedSince < b.congestedSince;
  }
  return a.budgetBytes > b.budgetBytes;
}
