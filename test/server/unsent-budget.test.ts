import { strict as assert } from 'node:assert';
import { BudgetMember, UnsentBudget } from '../../src/server/unsent-budget';

class Member implements BudgetMember {
  budgetBytes = 0;
  shedWhy: string | undefined;
  constructor(
    readonly name: string,
    public congestedSince: number | undefined,
    private readonly budget: UnsentBudget,
  ) {
    budget.join(this);
  }
  shed(why: string): void {
    this.shedWhy = why;
    // A closing transport reports once more; the budget must not start another round.
    this.budget.report(this, 0);
  }
}

describe('UnsentBudget', () => {
  it('closes the longest-congested member first, only as many as it takes', () => {
    const budget = new UnsentBudget(1000);
    const reading = new Member('reading', undefined, budget);
    const recent = new Member('recent', 200, budget);
    const oldest = new Member('oldest', 100, budget);
    budget.report(reading, 400);
    budget.report(recent, 300);
    budget.report(oldest, 300);
    assert.equal(budget.bytes, 1000);
    budget.report(reading, 500);
    assert.ok(oldest.shedWhy?.includes('budget of 1000 bytes'));
    assert.equal(recent.shedWhy, undefined);
    assert.equal(reading.shedWhy, undefined);
    assert.equal(budget.bytes, 800);
  });

  it('among members that drain normally, closes the one holding most', () => {
    const budget = new UnsentBudget(100);
    const small = new Member('small', undefined, budget);
    const big = new Member('big', undefined, budget);
    budget.report(small, 40);
    budget.report(big, 70);
    assert.ok(big.shedWhy);
    assert.equal(small.shedWhy, undefined);
    budget.leave(small);
    assert.equal(budget.bytes, 0);
  });
});
