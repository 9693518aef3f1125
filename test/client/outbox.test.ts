import { strict as assert } from 'node:assert';
import { newMessageId, Outbox } from '../../src/client/outbox';
import { ChatClientError } from '../../src/client/errors';

describe('Outbox', () => {
  it('makes ids the server accepts: 1-64 of [A-Za-z0-9_-], different every time', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newMessageId()));
    assert.equal(ids.size, 1000);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{1,64}$/);
  });

  it('hands out entries oldest first and skips those in flight', () => {
    const outbox = new Outbox();
    const a = outbox.add('bob', { text: 'a' });
    const b = outbox.add('*', { text: 'b' });
    assert.equal(outbox.nextToSend()?.id, a.id);
    outbox.markInFlight(a.id);
    assert.equal(outbox.nextToSend()?.id, b.id);
    assert.equal(outbox.inFlight, 1);
  });

  it('resolves the promise with seq and ts when acknowledged, and forgets the entry', async () => {
    const outbox = new Outbox();
    const { id, sent } = outbox.add('bob', { text: 'hi' });
    outbox.markInFlight(id);
    outbox.acknowledge(id, 7, 1234, false);
    assert.deepEqual(await sent, { id, to: 'bob', seq: 7, ts: 1234, duplicate: false });
    assert.equal(outbox.size, 0);
    assert.equal(outbox.inFlight, 0);
  });

  it('ignores an acknowledgement for an unknown id', () => {
    assert.equal(new Outbox().acknowledge('nope', 1, 1, false), undefined);
  });

  it('keeps the place and id of a requeued entry', () => {
    const outbox = new Outbox();
    const a = outbox.add('bob', { text: 'a' });
    outbox.add('bob', { text: 'b' });
    outbox.markInFlight(a.id);
    outbox.requeue(a.id);
    assert.equal(outbox.nextToSend()?.id, a.id);
    assert.equal(outbox.inFlight, 0);
  });

  it('puts everything back in line after a lost connection', () => {
    const outbox = new Outbox();
    const a = outbox.add('bob', { text: 'a' });
    const b = outbox.add('bob', { text: 'b' });
    outbox.markInFlight(a.id);
    outbox.markInFlight(b.id);
    outbox.requeueAll();
    assert.equal(outbox.inFlight, 0);
    assert.equal(outbox.nextToSend()?.id, a.id);
  });

  it('rejects with outbox_full beyond its capacity', () => {
    const outbox = new Outbox(2);
    outbox.add('bob', { text: '1' });
    outbox.add('bob', { text: '2' });
    assert.throws(() => outbox.add('bob', { text: '3' }), (error: unknown) => error instanceof ChatClientError && error.code === 'outbox_full');
  });

  it('rejects every pending promise on rejectAll', async () => {
    const outbox = new Outbox();
    const a = outbox.add('bob', { text: 'a' });
    const b = outbox.add('bob', { text: 'b' });
    outbox.rejectAll(new Error('closed'));
    await assert.rejects(a.sent, /closed/);
    await assert.rejects(b.sent, /closed/);
    assert.equal(outbox.size, 0);
  });
});
