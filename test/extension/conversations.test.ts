import { strict as assert } from 'node:assert';
import type { ReceivedMessage, RosterEntry } from '../../src/client/types';
import { ConversationChange, Conversations, MAX_MESSAGES_PER_CONVERSATION } from '../../src/extension/conversations';

const KEY = 'A'.repeat(43) + '=';

function roster(entries: Record<string, { online: boolean; key?: boolean }>): Map<string, RosterEntry> {
  return new Map(Object.entries(entries).map(([name, e]) => [name, { online: e.online, publicKey: e.key === false ? null : KEY }]));
}

let nextSeq = 1;
function msg(from: string, to: string, text: string, extra: Partial<ReceivedMessage> = {}): ReceivedMessage {
  const seq = nextSeq++;
  return { type: 'msg', seq, id: `m${seq}`, from, to, ts: 1_700_000_000_000 + seq, text, encrypted: to !== '*', trust: to !== '*' ? 'pinned' : 'not_encrypted', ...extra };
}

describe('Conversations (the chat state in the extension host)', () => {
  let c: Conversations;
  let changes: ConversationChange[];

  beforeEach(() => {
    c = new Conversations('alice');
    changes = [];
    c.onChange((change) => changes.push(change));
  });

  it('lists classmates online first, then offline, each by name, without the user', () => {
    c.setRoster(roster({ alice: { online: true }, zed: { online: true }, bob: { online: false }, carol: { online: true }, dan: { online: false, key: false } }));
    assert.deepEqual(
      c.classmates().map((m) => [m.name, m.online, m.hasKey]),
      [
        ['carol', true, true],
        ['zed', true, true],
        ['bob', false, true],
        ['dan', false, false],
      ],
    );
    assert.equal(c.onlineCount(), 2);
    assert.deepEqual(c.summaries().map((s) => s.id), ['*', 'carol', 'zed', 'bob', 'dan']);
  });

  it('files private messages under the other person and messages to everyone under "*"', () => {
    c.setRoster(roster({ bob: { online: true } }));
    c.receive(msg('bob', 'alice', 'hi alice'));
    c.receive(msg('bob', '*', 'hi all'));
    assert.deepEqual(c.messages('bob').map((m) => m.text), ['hi alice']);
    assert.deepEqual(c.messages('*').map((m) => m.text), ['hi all']);
    assert.equal(c.conversationOf({ from: 'alice', to: 'bob' }), 'bob');
  });

  it('counts unread messages unless their conversation is open in a visible view', () => {
    c.setRoster(roster({ bob: { online: true }, carol: { online: true } }));
    c.setVisible(true);
    c.open('bob');
    assert.equal(c.receive(msg('bob', 'alice', 'seen'))?.unread, false);
    assert.equal(c.receive(msg('carol', 'alice', 'not seen'))?.unread, true);
    assert.equal(c.unread('bob'), 0);
    assert.equal(c.unread('carol'), 1);
    c.setVisible(false);
    c.receive(msg('bob', 'alice', 'hidden view'));
    assert.equal(c.unread('bob'), 1);
    assert.equal(c.totalUnread(), 2);
    c.setVisible(true);
    assert.equal(c.unread('bob'), 0, 'showing the view reads the open conversation');
    c.open('carol');
    assert.equal(c.unread('carol'), 0);
    assert.ok(changes.some((change) => change.kind === 'list'));
  });

  it('counts and lists classmates named like Object.prototype keys (__proto__, constructor) as anyone else', () => {
    c.setRoster(new Map(['__proto__', 'constructor', 'toString'].map((name) => [name, { online: true, publicKey: KEY }])));
    c.receive(msg('__proto__', 'alice', 'one'));
    c.receive(msg('__proto__', 'alice', 'two'));
    c.receive(msg('constructor', 'alice', 'three'));
    assert.deepEqual(c.summaries().map((s) => [s.id, s.unread]), [['*', 0], ['__proto__', 2], ['constructor', 1], ['toString', 0]]);
    assert.deepEqual(c.messages('__proto__').map((m) => m.text), ['one', 'two']);
    assert.equal(c.totalUnread(), 3);
  });

  it('shows a typed message as pending, then sent with the server seq, without counting it unread', () => {
    const pending = c.addPending('x1', 'bob', 'hello', 1000, true);
    assert.equal(pending.delivery, 'pending');
    assert.equal(pending.mine, true);
    c.markSent('x1', 'bob', 42, 1234);
    const [sent] = c.messages('bob');
    assert.equal(sent.delivery, 'sent');
    assert.equal(sent.seq, 42);
    assert.equal(sent.ts, 1234);
    assert.equal(c.unread('bob'), 0);
    const updates = changes.filter((change) => change.kind === 'message');
    assert.equal(updates.length, 2, 'one change for pending, one for sent');
  });

  it('marks a refused message failed with the reason', () => {
    c.addPending('x2', '*', 'too much', 1000, false);
    c.markFailed('x2', '*', 'Not sent: the message is too long.');
    const [failed] = c.messages('*');
    assert.equal(failed.delivery, 'failed');
    assert.equal(failed.error, 'Not sent: the message is too long.');
  });

  it('keeps received messages above our unsent ones, in seq order', () => {
    c.addPending('p1', '*', 'mine, unsent', 1000, false);
    c.receive(msg('bob', '*', 'first', { seq: 10, id: 'b10' }));
    c.receive(msg('bob', '*', 'second', { seq: 11, id: 'b11' }));
    assert.deepEqual(c.messages('*').map((m) => m.text), ['first', 'second', 'mine, unsent']);
  });

  it('puts history above what is shown, skipping messages it already has', () => {
    const live = msg('bob', '*', 'live', { seq: 100, id: 'live' });
    c.receive(live);
    c.addHistory('*', [msg('bob', '*', 'old 1', { seq: 50, id: 'o1' }), msg('alice', '*', 'old mine', { seq: 60, id: 'o2' }), live], true);
    assert.deepEqual(c.messages('*').map((m) => m.text), ['old 1', 'old mine', 'live']);
    assert.equal(c.messages('*')[1].mine, true);
    assert.equal(c.oldestSeq('*'), 50);
    assert.equal(c.hasMore('*'), true);
    const older = changes.find((change) => change.kind === 'older');
    assert.ok(older && older.kind === 'older' && older.messages.length === 2);
  });

  it('marks messages the server could read and explains ones that could not be decrypted', () => {
    c.receive(msg('bob', '*', 'public'));
    c.receive(msg('bob', 'alice', '', { text: undefined, encrypted: true, decryptError: 'could_not_decrypt' }));
    const [open] = c.messages('*');
    const [broken] = c.messages('bob');
    assert.equal(open.encrypted, false);
    assert.equal(broken.encrypted, true);
    assert.equal(broken.text, undefined);
    assert.match(broken.problem ?? '', /could not be decrypted/);
  });

  it('does not show the same message twice', () => {
    const m = msg('bob', '*', 'once');
    assert.ok(c.receive(m));
    assert.equal(c.receive(m), undefined);
    assert.equal(c.messages('*').length, 1);
  });

  it('keeps at most MAX_MESSAGES_PER_CONVERSATION in memory and says older ones exist', () => {
    for (let i = 0; i < MAX_MESSAGES_PER_CONVERSATION + 5; i++) c.receive(msg('bob', '*', `m${i}`));
    assert.equal(c.messages('*').length, MAX_MESSAGES_PER_CONVERSATION);
    assert.equal(c.messages('*')[0].text, 'm5');
    assert.equal(c.hasMore('*'), true);
  });
});
