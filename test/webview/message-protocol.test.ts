/** The webview's reply, edit, delete, react and copy intents as the host checks them, and which actions a message offers. */
import { strict as assert } from 'node:assert';
import { actionsFor } from '../../webview/message-permissions';
import { parseWebviewMessage, type MessageView } from '../../webview/protocol';
import { dayLabel } from '../../webview/day-label';

const base: MessageView = { id: 'm1', seq: 7, from: 'bob', mine: false, ts: 0, text: 'hi', encrypted: false, plain: false, delivery: 'sent' };

describe('webview → host message actions', () => {
  it('accepts replies, edits, deletes, reactions and copies with their fields', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'send', conversation: '*', text: 'yes', replyTo: 7 }), { type: 'send', conversation: '*', text: 'yes', replyTo: 7 });
    assert.deepEqual(parseWebviewMessage({ type: 'edit', conversation: 'bob', seq: 3, text: 'fixed' }), { type: 'edit', conversation: 'bob', seq: 3, text: 'fixed' });
    assert.deepEqual(parseWebviewMessage({ type: 'delete', conversation: '#lab-3', seq: 9 }), { type: 'delete', conversation: '#lab-3', seq: 9 });
    assert.deepEqual(parseWebviewMessage({ type: 'react', conversation: '*', seq: 1, emoji: '👍' }), { type: 'react', conversation: '*', seq: 1, emoji: '👍', remove: false });
    assert.deepEqual(parseWebviewMessage({ type: 'react', conversation: '*', seq: 1, emoji: '👨‍👩‍👧', remove: true }), { type: 'react', conversation: '*', seq: 1, emoji: '👨‍👩‍👧', remove: true });
    assert.deepEqual(parseWebviewMessage({ type: 'copy', text: 'a\nb' }), { type: 'copy', text: 'a\nb' });
  });

  it('rejects bad seqs, emoji with spaces or too long, and oversized text', () => {
    for (const bad of [
      { type: 'send', conversation: '*', text: 'x', replyTo: 0 },
      { type: 'send', conversation: '*', text: 'x', replyTo: 2 ** 53 },
      { type: 'send', conversation: '*', text: 'x', replyTo: null },
      { type: 'edit', conversation: 'bob', seq: '3', text: 'x' },
      { type: 'edit', conversation: 'bob', seq: 3 },
      { type: 'edit', conversation: 'bob', seq: 3, text: 'x'.repeat(70_000) },
      { type: 'delete', conversation: 'bob' },
      { type: 'delete', seq: 1 },
      { type: 'react', conversation: '*', seq: 1, emoji: '' },
      { type: 'react', conversation: '*', seq: 1, emoji: 'thumbs up' },
      { type: 'react', conversation: '*', seq: 1, emoji: 'y'.repeat(33) },
      { type: 'react', conversation: '*', seq: 1, emoji: '👍', remove: 1 },
      { type: 'copy' },
      { type: 'copy', text: 'x'.repeat(70_000) },
    ]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad).slice(0, 80));
    }
  });
});

describe('message actions offered', () => {
  it('offers edit and delete on your own text, staff delete only where the server can read, nothing on deleted or system lines', () => {
    assert.deepEqual(actionsFor(base, false), ['reply', 'react', 'copy']);
    assert.deepEqual(actionsFor({ ...base, mine: true, from: 'alice' }, false), ['reply', 'react', 'edit', 'delete', 'copy']);
    assert.deepEqual(actionsFor(base, true), ['reply', 'react', 'delete', 'copy']);
    assert.deepEqual(actionsFor({ ...base, encrypted: true }, true), ['reply', 'react', 'copy']);
    assert.deepEqual(actionsFor({ ...base, seq: undefined, delivery: 'pending', mine: true }, false), ['copy']);
    assert.deepEqual(actionsFor({ ...base, deleted: { by: 'bob' }, text: undefined }, true), []);
    assert.deepEqual(actionsFor({ ...base, system: true }, true), []);
    const file = { file: 'f1', name: 'a.pdf', size: 1, direction: 'outgoing' as const, peer: 'bob', state: 'done' as const };
    assert.deepEqual(actionsFor({ ...base, mine: true, from: 'alice', file }, false), ['reply', 'react', 'delete'], 'a file offer is not edited or copied');
  });
});

describe('date separators', () => {
  it('says Today, Yesterday, a weekday date this year and a full date before', () => {
    const now = new Date(2026, 5, 15, 10, 0).getTime();
    assert.equal(dayLabel(new Date(2026, 5, 15, 0, 1).getTime(), now), 'Today');
    assert.equal(dayLabel(new Date(2026, 5, 14, 23, 59).getTime(), now), 'Yesterday');
    assert.equal(dayLabel(new Date(2026, 5, 13, 12).getTime(), now), new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' }).format(new Date(2026, 5, 13, 12)));
    assert.match(dayLabel(new Date(2025, 11, 31).getTime(), now), /2025/);
  });
});
