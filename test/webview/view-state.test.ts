import { strict as assert } from 'node:assert';
import { continuesGroup, GROUP_GAP_MS } from '../../webview/grouping';
import { parseWebviewMessage, MessageView } from '../../webview/protocol';
import { apply, composerBlocked, initialState } from '../../webview/view-state';

function view(id: string, extra: Partial<MessageView> = {}): MessageView {
  return { id, from: 'bob', mine: false, ts: 1000, text: id, encrypted: false, plain: false, delivery: 'sent', ...extra };
}

describe('webview state', () => {
  it('starts from the restored conversation and replaces everything on a snapshot', () => {
    const state = initialState({ active: 'bob', drafts: [] });
    assert.equal(state.active, 'bob');
    const patch = apply(state, {
      type: 'snapshot',
      connection: { status: 'connected', me: 'alice', online: 1 },
      conversations: [{ id: '*', title: 'Everyone', unread: 0 }],
      active: '*',
      messages: [view('a', { seq: 1 })],
      more: true,
    });
    assert.deepEqual(patch, { kind: 'all' });
    assert.equal(state.active, '*');
    assert.equal(state.messages.length, 1);
  });

  it('inserts new messages in seq order, above pending ones, and moves a pending message when it is sent', () => {
    const state = initialState(undefined);
    apply(state, { type: 'upsert', conversation: '*', message: view('p', { from: 'alice', mine: true, delivery: 'pending' }) });
    assert.deepEqual(apply(state, { type: 'upsert', conversation: '*', message: view('b', { seq: 5 }) }), { kind: 'message', index: 0 });
    apply(state, { type: 'upsert', conversation: '*', message: view('c', { seq: 7 }) });
    assert.deepEqual(state.messages.map((m) => m.id), ['b', 'c', 'p']);
    const patch = apply(state, { type: 'upsert', conversation: '*', message: view('p', { from: 'alice', mine: true, seq: 6, delivery: 'sent' }) });
    assert.deepEqual(patch, { kind: 'message', index: 1 });
    assert.deepEqual(state.messages.map((m) => m.id), ['b', 'p', 'c']);
    assert.equal(state.messages[1].delivery, 'sent');
  });

  it('ignores updates for other conversations and puts older pages on top without duplicates', () => {
    const state = initialState(undefined);
    apply(state, { type: 'upsert', conversation: '*', message: view('x', { seq: 10 }) });
    assert.deepEqual(apply(state, { type: 'upsert', conversation: 'bob', message: view('y') }), { kind: 'none' });
    assert.deepEqual(apply(state, { type: 'older', conversation: '*', messages: [view('o', { seq: 3 }), view('x', { seq: 10 })], more: false }), { kind: 'older', count: 1 });
    assert.deepEqual(state.messages.map((m) => m.id), ['o', 'x']);
  });

  it('disables the composer with a reason while disconnected or when the host blocks sending', () => {
    const state = initialState(undefined);
    assert.match(composerBlocked(state) ?? '', /Not connected/);
    apply(state, { type: 'connection', connection: { status: 'reconnecting', online: 0 } });
    assert.equal(composerBlocked(state), undefined, 'messages typed while reconnecting wait in the outbox');
    apply(state, { type: 'conversations', conversations: [{ id: '*', title: 'Everyone', unread: 0, sendBlocked: 'Connecting…' }] });
    assert.equal(composerBlocked(state), 'Connecting…');
  });

  it('groups messages by sender within a few minutes', () => {
    assert.equal(continuesGroup(undefined, { from: 'a', ts: 0 }), false);
    assert.equal(continuesGroup({ from: 'a', ts: 0 }, { from: 'a', ts: 60_000 }), true);
    assert.equal(continuesGroup({ from: 'a', ts: 0 }, { from: 'b', ts: 1 }), false);
    assert.equal(continuesGroup({ from: 'a', ts: 0 }, { from: 'a', ts: GROUP_GAP_MS + 1 }), false);
  });

  it('keeps a system line out of groups: it neither continues nor is continued', () => {
    assert.equal(continuesGroup({ from: 'a', ts: 0, system: true }, { from: 'a', ts: 1 }), false);
    assert.equal(continuesGroup({ from: 'a', ts: 0 }, { from: 'a', ts: 1, system: true }), false);
  });
});

describe('webview → host messages', () => {
  it('accepts room conversations and the room header buttons, and rejects bad room ids', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'send', conversation: '#lab-3', text: 'hi' }), { type: 'send', conversation: '#lab-3', text: 'hi' });
    assert.deepEqual(parseWebviewMessage({ type: 'open', conversation: '#lab-3' }), { type: 'open', conversation: '#lab-3' });
    assert.deepEqual(parseWebviewMessage({ type: 'joinRoom', room: '#section-a' }), { type: 'joinRoom', room: '#section-a' });
    assert.deepEqual(parseWebviewMessage({ type: 'roomMembers', room: '#lab-3' }), { type: 'roomMembers', room: '#lab-3' });
    for (const bad of [
      { type: 'joinRoom', room: 'section-a' },
      { type: 'joinRoom', room: '#Section A' },
      { type: 'joinRoom', room: `#${'a'.repeat(33)}` },
      { type: 'joinRoom' },
      { type: 'roomMembers', room: 5 },
      { type: 'roomMembers', room: '#' },
      { type: 'open', conversation: '##lab' },
      { type: 'verify', conversation: '#lab-3' },
      { type: 'acceptKey', conversation: '#lab-3' },
    ]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });

  it('accepts well-formed messages', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'send', conversation: 'bob', text: 'hi' }), { type: 'send', conversation: 'bob', text: 'hi' });
    assert.deepEqual(parseWebviewMessage({ type: 'ready', active: '*' }), { type: 'ready', active: '*' });
    assert.deepEqual(parseWebviewMessage({ type: 'ready', active: 42 }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'loadOlder', conversation: '*' }), { type: 'loadOlder', conversation: '*' });
  });

  it('rejects anything else', () => {
    for (const bad of [undefined, null, 1, 'ready', {}, { type: 'send', conversation: 'BOB!', text: 'x' }, { type: 'send', conversation: 'bob', text: 5 }, { type: 'send', conversation: 'bob', text: 'x'.repeat(70_000) }, { type: 'open' }, { type: 'eval' }]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad)?.slice(0, 60));
    }
  });
});
