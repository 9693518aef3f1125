/** Protocol v3's conversation names, room and moderation frames, and references (PROTOCOL.md 20). */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { checkName, checkRoomName, conversationKey, parseConversation } from '../../src/protocol/names';
import { envelopeContentSchema, isReactionText, sendContentProblem } from '../../src/protocol/references';
import { eventSchema, moderateFrame, roomCreateFrame, roomRemoveFrame } from '../../src/protocol/room-frames';

describe('protocol v3 frames', () => {
  describe('conversation names', () => {
    it('parses Everyone, a user and a room, normalised', () => {
      assert.deepEqual(parseConversation('*'), { ok: true, conversation: { kind: 'everyone' } });
      assert.deepEqual(parseConversation(' Bob '), { ok: true, conversation: { kind: 'user', name: 'bob' } });
      assert.deepEqual(parseConversation('#Lab-3'), { ok: true, conversation: { kind: 'room', room: 'lab-3' } });
    });

    it('refuses bad and reserved room names with room codes', () => {
      assert.deepEqual(parseConversation('#'), { ok: false, code: 'invalid_room_name' });
      assert.deepEqual(parseConversation('#a b'), { ok: false, code: 'invalid_room_name' });
      assert.deepEqual(parseConversation(`#${'r'.repeat(33)}`), { ok: false, code: 'invalid_room_name' });
      assert.deepEqual(parseConversation('##lab'), { ok: false, code: 'invalid_room_name' });
      assert.deepEqual(checkRoomName('#everyone'), { ok: false, code: 'name_reserved' });
      assert.deepEqual(parseConversation('no way'), { ok: false, code: 'invalid_name' });
    });

    it('property: a valid name round-trips as a user and, with #, as a room', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[a-z0-9_.-]{1,32}$/), (name) => {
          fc.pre(checkName(name).ok);
          const user = parseConversation(name);
          const room = parseConversation(`#${name}`);
          assert.ok(user.ok && room.ok);
          assert.equal(conversationKey(user.conversation), name);
          assert.equal(conversationKey(room.conversation), `#${name}`);
        }),
      );
    });
  });

  describe('room and moderation frames', () => {
    const create = { type: 'room_create', rid: 'r1', room: '#lab-3', kind: 'group', encrypted: true, members: ['bob'] };

    it('accepts a room creation and refuses an unknown kind or too many members', () => {
      assert.ok(roomCreateFrame.safeParse(create).success);
      assert.equal(roomCreateFrame.safeParse({ ...create, kind: 'secret' }).success, false);
      assert.equal(roomCreateFrame.safeParse({ ...create, members: Array.from({ length: 1000 }, (_, i) => `u${i}`) }).success, false);
      assert.ok(roomCreateFrame.safeParse({ ...create, members: Array.from({ length: 999 }, (_, i) => `u${i}`) }).success);
      assert.equal(roomRemoveFrame.safeParse({ type: 'room_remove', rid: 'r2', room: 'lab-3' }).success, false);
    });

    it('checks each moderation action for its own fields', () => {
      assert.ok(moderateFrame.safeParse({ type: 'moderate', rid: 'm1', action: 'mute', name: 'carol', minutes: 10 }).success);
      assert.equal(moderateFrame.safeParse({ type: 'moderate', rid: 'm1', action: 'mute', name: 'carol' }).success, false);
      assert.equal(moderateFrame.safeParse({ type: 'moderate', rid: 'm1', action: 'mute', name: 'carol', minutes: 10_081 }).success, false);
      assert.ok(moderateFrame.safeParse({ type: 'moderate', rid: 'm2', action: 'read_only', on: true }).success);
      assert.equal(moderateFrame.safeParse({ type: 'moderate', rid: 'm3', action: 'promote', name: 'carol' }).success, false);
    });

    it('describes events with the names they are about', () => {
      assert.ok(eventSchema.safeParse({ kind: 'removed', names: ['carol'] }).success);
      assert.equal(eventSchema.safeParse({ kind: 'exploded', names: [] }).success, false);
    });
  });

  describe('references', () => {
    const ref = (rel: string) => ({ seq: 7, rel }) as never;

    it('lets a delete carry no content and nothing else carry none', () => {
      assert.equal(sendContentProblem({ ref: ref('delete') }), undefined);
      assert.match(sendContentProblem({ ref: ref('delete'), text: 'x' })!, /neither/);
      assert.match(sendContentProblem({ ref: ref('edit') })!, /exactly one/);
      assert.equal(sendContentProblem({ ref: ref('reply'), text: 'yes' }), undefined);
      assert.equal(sendContentProblem({ text: 'plain' }), undefined);
    });

    it('takes a short clear reaction and refuses a long or boxed one', () => {
      assert.equal(sendContentProblem({ ref: ref('react'), text: '👍' }), undefined);
      assert.match(sendContentProblem({ ref: ref('react'), text: 'x'.repeat(33) })!, /1-32 bytes/);
      assert.match(sendContentProblem({ ref: ref('unreact'), box: {} })!, /inside encrypted/);
      assert.equal(isReactionText('nice one'), false);
      assert.equal(isReactionText('🎉'), true);
    });

    it('requires the id inside an encrypted reference', () => {
      assert.ok(envelopeContentSchema.safeParse({ text: 'yes', reply: { seq: 3, id: 'abc' } }).success);
      assert.equal(envelopeContentSchema.safeParse({ text: 'yes', reply: { seq: 3 } }).success, false);
    });
  });
});
