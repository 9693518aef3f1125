import { strict as assert } from 'node:assert';
import { formatMessage } from '../../src/cli/classchat-format';
import { formatChange, formatHit } from '../../src/cli/classchat-refs-format';
import { formatRoomMessage } from '../../src/cli/classchat-room-format';
import type { ReceivedMessage } from '../../src/client/types';

const now = new Date(2024, 4, 1, 18, 0);
const at1203 = new Date(2024, 4, 1, 12, 3).getTime();

function message(extra: Partial<ReceivedMessage>): ReceivedMessage {
  return { type: 'msg', seq: 41, id: 'a', from: 'alice', to: '*', ts: at1203, text: 'hi', encrypted: false, trust: 'not_encrypted', conversation: '*', ...extra };
}

describe('classchat references output', () => {
  it('numbers messages, quotes what a reply answers, and marks edited, deleted, reactions and mentions', () => {
    assert.equal(formatMessage(message({}), 'bob', now), '[12:03] (#41) alice → everyone: hi');
    assert.equal(formatMessage(message({ replyTo: { seq: 40, from: 'bob', snippet: 'who has it?' } }), 'bob', now), '  ↪ (#40) you: who has it?\n[12:03] (#41) alice → everyone: hi');
    assert.equal(formatMessage(message({ replyTo: { seq: 7 } }), 'bob', now), '  ↪ (#7) (a message this session has not shown)\n[12:03] (#41) alice → everyone: hi');
    assert.equal(formatMessage(message({ edited: { seq: 50, id: 'e', ts: at1203 } }), 'bob', now), '[12:03] (#41) alice → everyone: hi (edited)');
    assert.equal(formatMessage(message({ text: undefined, deleted: { by: 'alice', ts: at1203 } }), 'bob', now), '[12:03] (#41) alice → everyone: (message deleted)');
    assert.equal(formatMessage(message({ reactions: [{ emoji: '👍', names: ['bob', 'carol'] }, { emoji: '🎉', names: ['bob'] }] }), 'bob', now), '[12:03] (#41) alice → everyone: hi  (👍 2, 🎉 1)');
    assert.equal(formatMessage(message({ text: 'hi @bob', mentions: ['bob'], mentionsMe: true }), 'bob', now), '[12:03] (#41) alice → everyone [mentions you]: hi @bob');
    assert.equal(formatRoomMessage(message({ to: '#lab-3', conversation: '#lab-3', box: { nonce: 'AA==', ciphertext: 'AA==' }, encrypted: true, trust: 'pinned', mentionsMe: true }), 'bob', now), '[12:03] [#lab-3] (#41) alice [mentions you]: hi');
  });

  it('shows a moderation notice as a * line without a number', () => {
    assert.equal(formatMessage(message({ from: 'mrs.k', to: 'bob', text: 'mrs.k muted you until 12:13', event: { kind: 'muted', names: ['bob'] } }), 'bob', now), '[12:03] * mrs.k muted you until 12:13');
  });

  it('says who edited, deleted, reacted or took a reaction back, with the counts', () => {
    const change = (how: 'edited' | 'deleted' | 'reactions', extra: Partial<ReceivedMessage>) => ({ conversation: '*', seq: 41, how, message: message(extra) });
    assert.equal(formatChange(change('edited', { text: 'new\ntext' }), undefined, 'bob'), '* alice edited #41: new\n    text');
    assert.equal(formatChange(change('edited', { from: 'bob' }), undefined, 'bob'), '* you edited #41: hi');
    assert.equal(formatChange(change('deleted', { deleted: { by: 'alice', ts: 1 } }), undefined, 'bob'), '* alice deleted #41');
    assert.equal(formatChange(change('deleted', { deleted: { by: 'mrs.k', ts: 1 } }), undefined, 'bob'), "* mrs.k deleted #41 (alice's message)");
    assert.equal(formatChange(change('deleted', { deleted: { by: 'mrs.k', ts: 1 } }), undefined, 'alice'), '* mrs.k deleted #41 (your message)');
    const before = message({ reactions: [{ emoji: '👍', names: ['carol'] }] });
    assert.equal(formatChange(change('reactions', { reactions: [{ emoji: '👍', names: ['carol', 'bob'] }] }), before, 'alice'), '* bob reacted 👍 to #41 (👍 2)');
    assert.equal(formatChange(change('reactions', {}), before, 'alice'), '* carol took back 👍 on #41 (no reactions)');
    assert.equal(formatChange(change('reactions', { reactions: [{ emoji: '👍', names: ['dave'] }] }), undefined, 'alice'), '* dave reacted 👍 to #41 (👍 1)');
  });

  it('shows search hits as the message was shown, and never an escape sequence', () => {
    assert.equal(formatHit({ seq: 9, conversation: 'bob', from: 'bob', ts: at1203, text: 'code 4711' }, 'alice', now), '  [12:03] (#9) bob → you: code 4711');
    assert.equal(formatHit({ seq: 9, conversation: 'bob', from: 'alice', ts: at1203, text: 'ok' }, 'alice', now), '  [12:03] (#9) you → bob: ok');
    assert.equal(formatHit({ seq: 9, conversation: '#lab-3', from: 'carol', ts: at1203, text: 'x' }, 'alice', now), '  [12:03] [#lab-3] (#9) carol: x');
    assert.equal(formatHit({ seq: 9, conversation: '*', from: 'eve', ts: at1203, text: 'a\u001b[2Jb' }, 'alice', now).includes('\u001b'), false);
  });
});
