import { strict as assert } from 'node:assert';
import { Backoff } from '../../src/client/backoff';

describe('Backoff', () => {
  it('doubles the cap from initialMs up to maxMs', () => {
    const backoff = new Backoff({ initialMs: 500, maxMs: 4000, random: () => 0.999999 });
    const delays = Array.from({ length: 6 }, () => backoff.next());
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 4000, 4000]);
  });

  it('uses full jitter: any delay from 0 to the cap', () => {
    const low = new Backoff({ initialMs: 500, maxMs: 30_000, random: () => 0 });
    const mid = new Backoff({ initialMs: 500, maxMs: 30_000, random: () => 0.5 });
    assert.equal(low.next(), 0);
    mid.next();
    assert.equal(mid.next(), 500);
  });

  it('keeps at least half the cap with equal jitter', () => {
    const backoff = new Backoff({ initialMs: 1000, maxMs: 8000, jitter: 'equal', random: () => 0 });
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [500, 1000, 2000]);
  });

  it('starts over after reset', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.999999 });
    backoff.next();
    backoff.next();
    assert.equal(backoff.attempts, 2);
    backoff.reset();
    assert.equal(backoff.next(), 100);
  });

  it('stays finite after a very long outage', () => {
    const backoff = new Backoff({ initialMs: 500, maxMs: 30_000, random: () => 0.999999 });
    for (let i = 0; i < 5000; i++) backoff.next();
    assert.equal(backoff.next(), 30_000);
  });

  it('defaults to 500 ms initial and 30 s max', () => {
    const backoff = new Backoff();
    assert.equal(backoff.initialMs, 500);
    assert.equal(backoff.maxMs, 30_000);
  });

  it('refuses a max below the initial delay', () => {
    assert.throws(() => new Backoff({ initialMs: 1000, maxMs: 10 }), RangeError);
  });
});
