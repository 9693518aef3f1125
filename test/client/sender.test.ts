import { strict as assert } from 'node:assert';
import { Sender, FrameSink } from '../../src/client/sender';
import { ClassChatError } from '../../src/protocol/errors';
import type { ClientFrame } from '../../src/protocol/frames';
import { FakeClock } from './helpers/fake-clock';

/** A socket stand-in that reports congestion after `room` writes until drained. */
class FakeSink implements FrameSink {
  readonly frames: ClientFrame[] = [];
  constructor(private room = Infinity) {}
  get congested(): boolean {
    return this.room <= 0;
  }
  write(frame: ClientFrame): void {
    this.frames.push(frame);
    this.room--;
  }
  drain(room: number): void {
    this.room = room;
  }
  get ids(): string[] {
    return this.frames.map((frame) => (frame.type === 'send' ? frame.id : frame.type));
  }
}

describe('Sender', () => {
  let clock: FakeClock;

  beforeEach(() => {
    clock = new FakeClock();
  });

  it('stops writing while the socket is congested and continues after drain', () => {
    const sender = new Sender(clock);
    const sink = new FakeSink(2);
    sender.attach(sink);
    const ids = Array.from({ length: 5 }, (_, i) => sender.queue('bob', { text: `${i}` }).id);
    assert.deepEqual(sink.ids, ids.slice(0, 2));
    sink.drain(10);
    sender.pump();
    assert.deepEqual(sink.ids, ids);
  });

  it('keeps at most maxInFlight messages waiting for sent', () => {
    const sender = new Sender(clock, { maxInFlight: 3 });
    const sink = new FakeSink();
    sender.attach(sink);
    const ids = Array.from({ length: 5 }, (_, i) => sender.queue('bob', { text: `${i}` }).id);
    assert.equal(sink.frames.length, 3);
    sender.onSent(ids[0], 1, 1, false);
    assert.deepEqual(sink.ids, ids.slice(0, 4));
  });

  it('queues while detached and sends everything, same ids, when attached again', () => {
    const sender = new Sender(clock);
    const first = new FakeSink();
    sender.attach(first);
    const ids = [sender.queue('bob', { text: 'a' }).id, sender.queue('*', { text: 'b' }).id];
    sender.detach();
    const third = sender.queue('bob', { text: 'c' }).id;
    const second = new FakeSink();
    sender.attach(second);
    assert.deepEqual(second.ids, [...ids, third]);
  });

  it('pauses all sending after rate_limited and resends the same id after the delay', () => {
    const sender = new Sender(clock, { retry: { initialMs: 1000, maxMs: 1000, random: () => 0 } });
    const sink = new FakeSink();
    sender.attach(sink);
    const a = sender.queue('bob', { text: 'a' }).id;
    assert.equal(sender.onError(a, new ClassChatError('rate_limited')), true);
    const b = sender.queue('bob', { text: 'b' }).id;
    assert.deepEqual(sink.ids, [a]);
    clock.advance(499);
    assert.deepEqual(sink.ids, [a]);
    clock.advance(1);
    assert.deepEqual(sink.ids, [a, a, b]);
  });

  it('rejects on other errors and reports ids it does not know', async () => {
    const sender = new Sender(clock);
    sender.attach(new FakeSink());
    const { id, sent } = sender.queue('bob', { text: 'a' });
    assert.equal(sender.onError('unknown', new ClassChatError('unknown_user')), false);
    sender.onError(id, new ClassChatError('unknown_user'));
    await assert.rejects(sent, (error: unknown) => error instanceof ClassChatError && error.code === 'unknown_user');
    assert.equal(sender.size, 0);
  });

  it('cancels its retry timer when detached', () => {
    const sender = new Sender(clock);
    sender.attach(new FakeSink());
    const { id, sent } = sender.queue('bob', { text: 'a' });
    sender.onError(id, new ClassChatError('storage_failed'));
    assert.equal(clock.pending, 1);
    sender.rejectAll(new Error('closed'));
    assert.equal(clock.pending, 0);
    return assert.rejects(sent, /closed/);
  });
});
