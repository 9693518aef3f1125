/**
 * Rooms over the raw protocol (PROTOCOL.md 20.2, 20.6): creating, joining, adding and removing,
 * who receives a room message, roles deciding who may do what, history, the shared namespace, what
 * v1 and plain-text clients see, and all of it after a restart.
 */
import { strict as assert } from 'node:assert';
import { generateIdentity } from '../../src/crypto/identity';
import type { Role } from '../../src/protocol/room-frames';
import { PlainClient } from '../helpers/plain-client';
import { RawClient } from '../helpers/raw-client';
import { V3Harness } from '../helpers/v3-harness';

const BOX = { nonce: Buffer.alloc(24, 1).toString('base64'), ciphertext: Buffer.alloc(48, 2).toString('base64') };

describe('rooms', () => {
  const harness = new V3Harness();
  const start = (roles: Record<string, Role> = {}) => harness.start(roles);
  const login = (name: string, extra?: Record<string, unknown>) => harness.login(name, extra);
  const server = () => harness.server;
  /** A room request, answered with its `room` frame or an error. */
  const request = (client: RawClient, frame: Record<string, unknown>) => harness.request(client, frame, 'room');
  const sendTo = (client: RawClient, to: string, content: Record<string, unknown>) => harness.send(client, to, content);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 150));
  const roomMessages = (client: RawClient, room: string) => client.all('msg').filter((m) => m.to === `#${room}`);

  afterEach(() => harness.close());

  it('delivers a group room message to its members only, and refuses non-members and text in an encrypted room', async () => {
    await start();
    const alice = await login('alice');
    const bob = await login('bob');
    const carol = await login('carol');
    const created = await request(alice, { type: 'room_create', room: 'Lab-3', kind: 'group', encrypted: true, members: ['bob'] });
    assert.equal(created.type, 'room');
    assert.deepEqual(created.type === 'room' && { ...created.room, seq: 0 }, { room: 'lab-3', kind: 'group', encrypted: true, readOnly: false, owner: 'alice', size: 2, member: true, seq: 0 });
    const event = await bob.next('msg', (m) => m.event?.kind === 'created');
    assert.deepEqual([event.from, event.to, event.event?.names], ['alice', '#lab-3', ['bob']]);

    const sent = await sendTo(alice, '#lab-3', { box: BOX });
    assert.equal(sent.type, 'sent');
    const received = await bob.next('msg', (m) => m.to === '#lab-3' && m.box !== undefined);
    assert.equal(received.seq, sent.type === 'sent' ? sent.seq : -1);
    assert.equal((await sendTo(alice, '#lab-3', { text: 'in the clear' })).type, 'error');
    const outsider = await sendTo(carol, '#lab-3', { box: BOX });
    assert.deepEqual(outsider.type === 'error' && outsider.code, 'unknown_room');
    assert.deepEqual((await request(carol, { type: 'room_join', room: 'lab-3' })).type === 'error', true);
    await settle();
    assert.equal(roomMessages(carol, 'lab-3').length, 0, 'carol sees nothing of a room she is not in');
    assert.equal(roomMessages(alice, 'lab-3').filter((m) => !m.event).length, 0, 'the sender is not sent its own message');
  });

  it('stops delivering to a removed member, who is told, and lets the owner add someone later', async () => {
    await start();
    const alice = await login('alice');
    const bob = await login('bob');
    const dave = await login('dave');
    await request(alice, { type: 'room_create', room: 'study', kind: 'group', encrypted: true, members: ['bob'] });
    assert.equal((await request(bob, { type: 'room_remove', room: 'study', name: 'alice' })).type, 'error', 'only the owner removes');
    const removed = await request(alice, { type: 'room_remove', room: 'study', name: 'bob' });
    assert.equal(removed.type === 'room' && removed.room.size, 1);
    await bob.next('msg', (m) => m.event?.kind === 'removed' && m.event.names[0] === 'bob');
    const after = await sendTo(alice, '#study', { box: BOX });
    assert.equal(after.type, 'sent');
    assert.equal((await sendTo(bob, '#study', { box: BOX })).type, 'error');
    await request(alice, { type: 'room_add', room: 'study', members: ['dave'] });
    await dave.next('msg', (m) => m.event?.kind === 'added');
    const later = await sendTo(alice, '#study', { box: BOX });
    await dave.waitFor(() => dave.all('msg').find((m) => later.type === 'sent' && m.seq === later.seq), 'the message after dave was added');
    await settle();
    assert.equal(roomMessages(bob, 'study').filter((m) => !m.event).length, 0, 'bob got nothing after his removal');
    assert.equal(roomMessages(dave, 'study').filter((m) => !m.event).length, 1, 'dave gets only what was sent after he was added');
  });

  it('lets only a teacher create class and read-only rooms, which students join but cannot write in', async () => {
    await start({ 'mrs.k': 'teacher' });
    const teacher = await login('mrs.k');
    const alice = await login('alice');
    assert.deepEqual(harness.welcomes.get('mrs.k')?.users.find((u) => u.name === 'mrs.k')?.role, 'teacher');
    assert.deepEqual(harness.welcomes.get('alice')?.users.find((u) => u.name === 'alice')?.role, undefined);
    const denied = await request(alice, { type: 'room_create', room: 'section-a', kind: 'class', encrypted: false, members: [] });
    assert.deepEqual(denied.type === 'error' && denied.code, 'forbidden');
    const clear = await request(alice, { type: 'room_create', room: 'notes', kind: 'group', encrypted: false, members: [] });
    assert.deepEqual(clear.type === 'error' && clear.code, 'forbidden');
    await request(teacher, { type: 'room_create', room: 'announcements', kind: 'class', encrypted: false, readOnly: true, members: [] });
    const joined = await request(alice, { type: 'room_join', room: '#announcements' });
    assert.equal(joined.type === 'room' && joined.room.member, true);
    const refused = await sendTo(alice, '#announcements', { text: 'can I?' });
    assert.deepEqual(refused.type === 'error' && refused.code, 'read_only');
    await sendTo(teacher, '#announcements', { text: 'Exam on Friday' });
    const announcement = await alice.next('msg', (m) => m.text === 'Exam on Friday');
    assert.equal(announcement.to, '#announcements');
    alice.send({ type: 'room_list', rid: 'list' });
    const list = await alice.next('room_list');
    assert.deepEqual(list.rooms.map((r) => [r.room, r.member]), [['announcements', true]]);
  });

  it('gives a member the room history since joining, and refuses others', async () => {
    await start();
    const alice = await login('alice');
    const bob = await login('bob');
    const carol = await login('carol');
    await request(alice, { type: 'room_create', room: 'team', kind: 'group', encrypted: true, members: [] });
    await sendTo(alice, '#team', { box: BOX });
    await request(alice, { type: 'room_add', room: 'team', members: ['bob'] });
    const after = await sendTo(alice, '#team', { box: BOX });
    bob.send({ type: 'history', rid: 'h1', with: '#team' });
    const page = await bob.next('history_page');
    assert.deepEqual(page.messages.map((m) => m.event?.kind ?? 'box'), ['added', 'box']);
    assert.equal(page.messages[1].seq, after.type === 'sent' ? after.seq : -1);
    carol.send({ type: 'history', rid: 'h2', with: '#team' });
    assert.equal((await carol.next('error', (e) => e.rid === 'h2')).code, 'unknown_room');
  });

  it('keeps users and rooms in one namespace', async () => {
    await start();
    const alice = await login('alice');
    await login('bob');
    const clash = await request(alice, { type: 'room_create', room: 'bob', kind: 'group', encrypted: true, members: [] });
    assert.deepEqual(clash.type === 'error' && clash.code, 'name_taken');
    await request(alice, { type: 'room_create', room: 'lab', kind: 'group', encrypted: true, members: [] });
    const squatter = await RawClient.open(server().port);
    harness.track(squatter);
    await squatter.sendLogin('lab', await generateIdentity());
    assert.equal((await squatter.next('error')).code, 'name_taken');
  });

  it('shows room messages and events to v1 clients and plain-text users as readable text', async () => {
    await start({ 'mrs.k': 'teacher' });
    const teacher = await login('mrs.k');
    const old = await login('oldclient', {});
    const plain = await PlainClient.open(server().port);
    harness.track(plain);
    plain.write('pat\n');
    await plain.waitForText('Welcome [pat]');
    await request(teacher, { type: 'room_create', room: 'section-a', kind: 'class', encrypted: false, members: ['oldclient', 'pat'] });
    await sendTo(teacher, '#section-a', { text: 'read chapter 3' });
    const shown = await old.next('msg', (m) => m.text === '[#section-a] read chapter 3');
    assert.deepEqual([shown.to, shown.from, shown.event], ['oldclient', 'mrs.k', undefined]);
    assert.ok(old.all('msg').some((m) => m.text === '[#section-a] mrs.k created #section-a with oldclient, pat'));
    const mark = await plain.waitForText('[mrs.k] #section-a: read chapter 3');
    plain.write('section-a:done already\n');
    const reply = await teacher.next('msg', (m) => m.text === 'done already');
    assert.deepEqual([reply.from, reply.to, reply.plain], ['pat', '#section-a', true]);
    teacher.send({ type: 'send', id: 'key1', to: 'oldclient', box: BOX, hidden: true });
    await teacher.next('sent', (f) => f.id === 'key1');
    await sendTo(teacher, 'oldclient', { box: BOX });
    await old.next('msg', (m) => m.box !== undefined);
    assert.equal(old.all('msg').filter((m) => m.id === 'key1').length, 0, 'a room key is not delivered to a v1 client');
    assert.ok(mark > 0);
  });

  it('keeps rooms and membership across a restart', async () => {
    await start();
    const alice = await login('alice');
    await login('bob');
    await request(alice, { type: 'room_create', room: 'kept', kind: 'group', encrypted: true, members: ['bob'] });
    harness.closeClients();
    const dataDir = server().dataDir;
    await server().stop();
    await harness.start({}, { dataDir });
    const alice2 = await login('alice');
    const bob2 = await login('bob');
    await bob2.next('synced');
    const sent = await sendTo(alice2, '#kept', { box: BOX });
    await bob2.next('msg', (m) => sent.type === 'sent' && m.seq === sent.seq);
  });
});
