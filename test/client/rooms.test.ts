/**
 * Rooms through the real ChatServer with the ChatClient library (PROTOCOL.md 20.2, 20.3): an
 * encrypted group room's messages reach its members only and are readable by them only, a
 * removed member's keys do not open what is sent after, a new member reads only what comes after
 * joining, a restarted client still reads the room, the server's data directory holds no room
 * text, and a teacher's class room that is not encrypted carries text.
 */
import { strict as assert } from 'node:assert';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChatClient, ChatClientOptions, ReceivedMessage } from '../../src/client';
import { MemoryRoomKeyStore } from '../../src/client/room-key-store';
import { RoomKeys } from '../../src/crypto/sender-keys';
import { sodiumReady } from '../../src/crypto/sodium';
import type { Box } from '../../src/protocol/frames';
import type { Role } from '../../src/protocol/room-frames';
import { dataDirWithRoles, startTestServer, TestServer } from '../helpers/test-server';
import { ClientFleet, collect } from './helpers/client-fleet';
import { until } from './helpers/wait';

/** Every file under `dir`, recursively, concatenated. */
async function allBytes(dir: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(parts);
}

/** The sender key id a room box was sealed under (20.3: version byte, then 8 bytes of keyId). */
function keyIdOf(box: Box): string {
  return Buffer.from(box.ciphertext, 'base64').subarray(1, 9).toString('base64');
}

describe('rooms with the client library (real server)', function () {
  this.timeout(30_000);
  let server: TestServer;
  let fleet: ClientFleet;
  const roomKeyStores = new Map<string, MemoryRoomKeyStore>();

  async function start(roles: Record<string, Role> = {}): Promise<void> {
    server = await startTestServer({ rateLimit: false, dataDir: await dataDirWithRoles(roles) });
    fleet = new ClientFleet(() => server.port);
  }

  function storeOf(name: string): MemoryRoomKeyStore {
    if (!roomKeyStores.has(name)) roomKeyStores.set(name, new MemoryRoomKeyStore());
    return roomKeyStores.get(name)!;
  }

  const online = (name: string, options: Partial<ChatClientOptions> = {}) => fleet.online(name, { roomKeyStore: storeOf(name), ...options });

  afterEach(async () => {
    roomKeyStores.clear();
    await fleet.closeAll();
    await server.close();
  });

  /** Waits for `text` in `#room` at `client`, among `messages` (collected from it). */
  async function received(messages: ReceivedMessage[], room: string, text: string): Promise<ReceivedMessage> {
    await until(() => messages.some((m) => m.conversation === `#${room}` && m.text === text), `"${text}" in #${room}`);
    return messages.find((m) => m.conversation === `#${room}` && m.text === text)!;
  }

  /** Waits until `client` counts `names` (and only them) as the members of `room`. */
  async function membersAre(client: ChatClient, room: string, names: string[]): Promise<void> {
    const sorted = [...names].sort();
    await until(() => JSON.stringify(client.rooms().find((r) => r.name === room)?.members) === JSON.stringify(sorted), `${client.name} to see ${sorted.join(', ')} in #${room}`);
  }

  /** A RoomKeys restored from what `name`'s client saved: everything that client could open with. */
  async function savedKeysOf(name: string): Promise<RoomKeys> {
    const saved = (await storeOf(name).load()) as { keys: unknown };
    return RoomKeys.fromJSON(await sodiumReady(), name, () => true, saved.keys);
  }

  async function boxOf(client: ChatClient, room: string, text: string): Promise<ReceivedMessage> {
    const page = await client.history(`#${room}`);
    const found = page.messages.find((m) => m.text === text);
    assert.ok(found?.box, `"${text}" is in ${client.name}'s history of #${room} as a box`);
    return found;
  }

  it('lets the members of an encrypted room chat, shows nothing to others, and leaves no room text on the server', async () => {
    await start();
    const alice = await online('alice');
    const bob = await online('bob');
    const carol = await online('carol');
    const [atAlice, atBob, atCarol] = [collect(alice), collect(bob), collect(carol)];
    const created = await alice.createRoom('Lab-3', { members: ['bob'] });
    assert.deepEqual({ ...created, members: created.members }, { name: 'lab-3', kind: 'group', encrypted: true, readOnly: false, owner: 'alice', members: ['alice', 'bob'], member: true });

    const sent = await alice.sendToRoom('lab-3', 'the lab report is due Friday');
    assert.equal(sent.to, '#lab-3');
    const shown = await received(atBob, 'lab-3', 'the lab report is due Friday');
    assert.deepEqual([shown.from, shown.to, shown.encrypted, shown.trust, shown.seq], ['alice', '#lab-3', true, 'pinned', sent.seq]);
    await bob.sendToRoom('#lab-3', 'I will write the method section');
    await received(atAlice, 'lab-3', 'I will write the method section');
    assert.ok(atBob.some((m) => m.conversation === '#lab-3' && m.event?.kind === 'created' && m.text === 'alice created #lab-3 with bob'));

    const history = await alice.history('#lab-3');
    assert.deepEqual(history.messages.filter((m) => !m.event).map((m) => [m.from, m.text]), [
      ['alice', 'the lab report is due Friday'],
      ['bob', 'I will write the method section'],
    ]);
    // Carol is sent something after the room's messages: once she has it, she would have had those.
    await alice.sendText('*', 'see you all tomorrow');
    await until(() => atCarol.some((m) => m.text === 'see you all tomorrow'), 'the message to everyone at carol');
    assert.deepEqual(atCarol.filter((m) => m.to.startsWith('#') || m.hidden), []);
    assert.deepEqual(carol.rooms(), []);
    assert.equal(atBob.filter((m) => m.hidden).length, 0, 'room keys are never shown');

    await server.stop();
    const bytes = await allBytes(server.dataDir);
    for (const text of ['the lab report is due Friday', 'I will write the method section', 'method section']) assert.equal(bytes.includes(text), false, `"${text}" is not on the server's disk`);
    assert.ok(bytes.includes('see you all tomorrow'), 'the scan does read the log (the message to everyone is there)');
  });

  it('rotates the key when a member is removed: what follows does not open with anything the removed member held', async () => {
    await start();
    const alice = await online('alice');
    const bob = await online('bob');
    const carol = await online('carol');
    const [atBob, atCarol] = [collect(bob), collect(carol)];
    await alice.createRoom('study', { members: ['bob', 'carol'] });
    await alice.sendToRoom('study', 'before the removal');
    await received(atBob, 'study', 'before the removal');
    await received(atCarol, 'study', 'before the removal');
    const bobsKeys = await savedKeysOf('bob');

    await alice.removeFromRoom('study', 'bob');
    await until(() => atBob.some((m) => m.event?.kind === 'removed'), 'bob to be told of his removal');
    await alice.sendToRoom('study', 'after the removal');
    await received(atCarol, 'study', 'after the removal');

    const before = await boxOf(alice, 'study', 'before the removal');
    const after = await boxOf(alice, 'study', 'after the removal');
    assert.notEqual(keyIdOf(after.box!), keyIdOf(before.box!), 'the message after the removal is sealed under a new key');
    const head = (m: ReceivedMessage) => ({ from: m.from, to: m.to, id: m.id, box: m.box! });
    assert.equal(bobsKeys.open(head(before)).ok, true, "bob's keys as they were open what he received");
    assert.deepEqual(bobsKeys.open(head(after)), { ok: false, error: 'unknown_key' });
    assert.deepEqual((await savedKeysOf('bob')).open(head(after)), { ok: false, error: 'unknown_key' });
    assert.equal(atBob.some((m) => m.text === 'after the removal'), false);
    assert.deepEqual(bob.rooms().find((r) => r.name === 'study')?.member, false);
    await assert.rejects(bob.sendToRoom('study', 'still here?'), (error: Error & { code?: string }) => error.code === 'not_member');
  });

  it('lets a member added later read what is sent after, and nothing from before', async () => {
    await start();
    const alice = await online('alice');
    const bob = await online('bob');
    const dave = await online('dave');
    const [atBob, atDave] = [collect(bob), collect(dave)];
    await alice.createRoom('team', { members: ['bob'] });
    await alice.sendToRoom('team', 'an old plan');
    await received(atBob, 'team', 'an old plan');

    const added = await alice.addToRoom('team', ['dave']);
    assert.deepEqual(added.members, ['alice', 'bob', 'dave']);
    await membersAre(dave, 'team', ['alice', 'bob', 'dave']);
    await membersAre(bob, 'team', ['alice', 'bob', 'dave']);
    await alice.sendToRoom('team', 'welcome dave');
    await bob.sendToRoom('team', 'hi dave, from bob');
    await received(atDave, 'team', 'welcome dave');
    await received(atDave, 'team', 'hi dave, from bob');
    await dave.sendToRoom('team', 'thanks');
    await received(atBob, 'team', 'thanks');

    assert.equal(atDave.some((m) => m.text === 'an old plan'), false);
    const davesHistory = await dave.history('#team');
    assert.equal(davesHistory.messages.some((m) => m.text === 'an old plan'), false);
    const old = await boxOf(alice, 'team', 'an old plan');
    const opened = (await savedKeysOf('dave')).open({ from: old.from, to: old.to, id: old.id, box: old.box! });
    assert.equal(opened.ok, false, "the key dave was handed does not run back to the older message");
  });

  it('still reads the room after a client restarts with its saved keys', async () => {
    await start();
    const alice = await online('alice');
    let bob = await online('bob');
    const atBob = collect(bob);
    await alice.createRoom('kept', { members: ['bob'] });
    await alice.sendToRoom('kept', 'first');
    await received(atBob, 'kept', 'first');
    await bob.close();

    await alice.sendToRoom('kept', 'while bob was away');
    const backlog = await fleet.backlogAtLogin('bob', { roomKeyStore: storeOf('bob') });
    assert.deepEqual(backlog.filter((m) => m.conversation === '#kept').map((m) => [m.text, m.decryptError]), [['while bob was away', undefined]]);
    bob = fleet.clients[fleet.clients.length - 1];
    await until(() => bob.rooms().some((r) => r.name === 'kept' && r.members.length === 2), "bob's client to learn its rooms again");
    const atAlice = collect(alice);
    await bob.sendToRoom('kept', 'back again');
    await received(atAlice, 'kept', 'back again');
    const history = await bob.history('#kept');
    assert.deepEqual(history.messages.filter((m) => !m.event).map((m) => m.text), ['first', 'while bob was away', 'back again']);
  });

  it("carries a teacher's class room that is not encrypted as text, which students join", async () => {
    await start({ 'mrs.k': 'teacher' });
    const teacher = await online('mrs.k');
    const alice = await online('alice');
    const [atTeacher, atAlice] = [collect(teacher), collect(alice)];
    await teacher.createRoom('section-a', { members: [], kind: 'class', encrypted: false });
    const listed = await alice.listRooms();
    assert.deepEqual(listed.map((r) => [r.name, r.kind, r.encrypted, r.member]), [['section-a', 'class', false, false]]);
    const joined = await alice.joinRoom('section-a');
    assert.equal(joined.member, true);
    await membersAre(teacher, 'section-a', ['alice', 'mrs.k']);
    await teacher.sendToRoom('section-a', 'read chapter 3');
    const shown = await received(atAlice, 'section-a', 'read chapter 3');
    assert.deepEqual([shown.encrypted, shown.trust, shown.box], [false, 'not_encrypted', undefined]);
    await alice.sendToRoom('section-a', 'done already');
    await received(atTeacher, 'section-a', 'done already');
    assert.deepEqual(await alice.roomMembers('section-a'), ['mrs.k', 'alice']);
  });
});
