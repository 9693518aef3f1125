import { strict as assert } from 'node:assert';
import { formatIncoming, formatMembers, formatRoomList, formatRoomMessage } from '../../src/cli/classchat-room-format';
import type { RoomView } from '../../src/client/room-book';
import type { ReceivedMessage } from '../../src/client/types';

const now = new Date(2024, 4, 1, 18, 0);
const at1203 = new Date(2024, 4, 1, 12, 3).getTime();
const box = { nonce: 'AA==', ciphertext: 'AA==' };

function roomMessage(extra: Partial<ReceivedMessage>): ReceivedMessage {
  return { type: 'msg', seq: 1, id: 'a', from: 'alice', to: '#lab-3', ts: at1203, text: 'hello', box, encrypted: true, trust: 'pinned', ...extra };
}

function room(extra: Partial<RoomView>): RoomView {
  return { name: 'lab-3', kind: 'group', encrypted: true, readOnly: false, owner: 'alice', members: ['alice', 'bob'], member: true, ...extra };
}

describe('classchat room output', () => {
  it('shows a room message as [#room] sender, marking a room the server reads and an untrusted key', () => {
    assert.equal(formatRoomMessage(roomMessage({}), 'bob', now), '[12:03] [#lab-3] (#1) alice: hello');
    assert.equal(formatRoomMessage(roomMessage({ from: 'bob' }), 'bob', now), '[12:03] [#lab-3] (#1) you: hello');
    assert.equal(formatRoomMessage(roomMessage({ box: undefined, encrypted: false, trust: 'not_encrypted' }), 'bob', now), '[12:03] [#lab-3] (#1) alice [not encrypted]: hello');
    assert.equal(formatRoomMessage(roomMessage({ trust: 'key_changed' }), 'bob', now), '[12:03] [#lab-3] (#1) alice [KEY CHANGED]: hello');
    assert.equal(formatRoomMessage(roomMessage({ text: 'two\nlines' }), 'bob', now), '[12:03] [#lab-3] (#1) alice: two\n    lines');
  });

  it('shows an event as a * line, and a message it could not open without its bytes', () => {
    const event = roomMessage({ box: undefined, encrypted: false, trust: 'not_encrypted', text: 'alice added bob', event: { kind: 'added', names: ['bob'] } });
    assert.equal(formatRoomMessage(event, 'bob', now), '[12:03] [#lab-3] * alice added bob');
    const failed = formatRoomMessage(roomMessage({ text: undefined, decryptError: 'unknown_key' }), 'bob', now);
    assert.match(failed, /^\[12:03\] \[#lab-3\] \(#1\) alice: !! could not decrypt this message from alice: their room key did not reach this client/);
    assert.match(formatRoomMessage(roomMessage({ text: undefined, decryptError: 'could_not_decrypt' }), 'alice', now), /you: !! could not decrypt your message: it was changed/);
  });

  it('never lets a room name or a sender forge a line or an escape sequence', () => {
    const line = formatRoomMessage(roomMessage({ to: '#x\u001b[2J', from: 'eve\nmallory', text: 'a\u001b]0;t\u0007b' }), 'bob', now);
    assert.equal(line.includes('\u001b'), false);
    assert.equal(line.split('\n').length, 1);
  });

  it('routes room messages to the room format and others to the usual one', () => {
    assert.equal(formatIncoming(roomMessage({}), 'bob', now), '[12:03] [#lab-3] (#1) alice: hello');
    assert.equal(formatIncoming(roomMessage({ to: '*', box: undefined, encrypted: false, trust: 'not_encrypted' }), 'bob', now), '[12:03] (#1) alice → everyone: hello');
  });

  it('lists your rooms, then the class rooms you can join, with settings, sizes and owners', () => {
    const rooms = [
      room({}),
      room({ name: 'announcements', kind: 'class', encrypted: false, readOnly: true, owner: 'mrs.k', members: [], member: false }),
      room({ name: 'other-group', member: false, members: [] }),
    ];
    assert.deepEqual(formatRoomList(rooms, new Map([['lab-3', 2], ['announcements', 30]]), 'alice'), [
      'Your rooms (1):',
      '  #lab-3  group  end-to-end encrypted  2 members  yours',
      'Class rooms you can join (1): (/join ROOM)',
      '  #announcements  class  not encrypted: the server can read it; read-only: only teachers and TAs write in it  30 members  owner mrs.k',
    ]);
    assert.deepEqual(formatRoomList([], new Map(), 'alice'), ['Your rooms (0): none yet (/create ROOM NAME...)', 'Class rooms you can join (0): none']);
  });

  it('lists members sorted, marking you', () => {
    assert.equal(formatMembers('lab-3', ['carol', 'alice', 'bob'], 'bob'), '* #lab-3 (3): alice, bob (you), carol');
  });
});
