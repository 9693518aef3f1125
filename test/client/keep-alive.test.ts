import { strict as assert } from 'node:assert';
import { KeepAlive } from '../../src/client/keep-alive';
import { FakeClock } from './helpers/fake-clock';

describe('KeepAlive', () => {
  let clock: FakeClock;
  let pings: number;
  let dead: number[];
  let keepAlive: KeepAlive;

  beforeEach(() => {
    clock = new FakeClock();
    pings = 0;
    dead = [];
    keepAlive = new KeepAlive(clock, () => pings++, (silent) => dead.push(silent));
  });

  afterEach(() => keepAlive.stop());

  it('pings after 30 s without data from the server', () => {
    clock.advance(29_999);
    assert.equal(pings, 0);
    clock.advance(1);
    assert.equal(pings, 1);
  });

  it('does not ping while data keeps arriving', () => {
    for (let i = 0; i < 10; i++) {
      clock.advance(20_000);
      keepAlive.received();
    }
    assert.equal(pings, 0);
    assert.deepEqual(dead, []);
  });

  it('pings every 30 s and declares the connection dead after 75 s of silence', () => {
    clock.advance(74_999);
    assert.equal(pings, 2);
    assert.deepEqual(dead, []);
    clock.advance(1);
    assert.deepEqual(dead, [75_000]);
    assert.equal(clock.pending, 0);
  });

  it('a pong (any data) resets the silence', () => {
    clock.advance(30_000);
    keepAlive.received();
    clock.advance(74_000);
    assert.deepEqual(dead, []);
    clock.advance(1000);
    assert.equal(dead.length, 1);
  });

  it('leaves no timer behind when stopped', () => {
    keepAlive.stop();
    assert.equal(clock.pending, 0);
    clock.advance(100_000);
    assert.equal(pings, 0);
  });
});
