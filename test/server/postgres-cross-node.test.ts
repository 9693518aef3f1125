/**
 * Once a node has answered a teacher or a room's creator, every node acts on it (issue 20), even
 * one that hears of the change late: node B's listening connection to PostgreSQL goes through a
 * proxy that holds back its notifications (a real slow link), while its pool still reaches the
 * database. Found by the two-node fuzz (test/fuzz/server-model.test.ts).
 */
import { strict as assert } from 'node:assert';
import { ChatServer } from '../../src/server/chat-server';
import type { Identity } from '../../src/crypto/identity';
import { PostgresStore } from '../../src/server/store/postgres/postgres-store';
import { TestPostgres } from '../helpers/postgres';
import { ListenProxy } from '../helpers/pg-listen-proxy';
import { rawAnswers, type Answer } from '../helpers/raw-answers';
import { RawClient } from '../helpers/raw-client';

const V3 = { v: 3 };
const TEACHER = 'mrs.k';

describe('PostgreSQL nodes act on what another node answered a moment ago', function () {
  this.timeout(60000);
  let pg: TestPostgres;
  let proxy: ListenProxy;
  let databases = 0;
  const servers: Array<{ server: ChatServer; store: PostgresStore }> = [];
  const clients: RawClient[] = [];
  const identities = new Map<string, Identity>();
  before(async () => {
    pg = await TestPostgres.start();
    proxy = await ListenProxy.start(pg.port);
  });
  afterEach(async () => {
    proxy.release();
    for (const client of clients.splice(0)) client.close();
    identities.clear();
    for (const { server, store } of servers.splice(0)) {
      await server.close();
      await store.close().catch(() => undefined);
    }
  });
  after(async () => {
    await proxy?.close();
    await pg?.stop();
  });

  /** Node A on the database directly, node B through the proxy; the teacher has the role. */
  async function twoNodes(): Promise<[number, number]> {
    const url = await pg.createDatabase(`crossnode${++databases}`);
    const setup = new PostgresStore({ url });
    await setup.open();
    await setup.setRole(TEACHER, 'teacher');
    await setup.close();
    const ports: number[] = [];
    for (const [name, nodeUrl] of [['a', url], ['b', proxy.via(url)]]) {
      const store = new PostgresStore({ url: nodeUrl, node: name });
      await store.open();
      const server = new ChatServer({ store, rateLimit: false });
      servers.push({ server, store });
      ports.push((await server.listen(0, '127.0.0.1')).port);
    }
    return [ports[0], ports[1]];
  }

  async function login(port: number, name: string): Promise<RawClient> {
    const result = await RawClient.login(port, name, identities.get(name), V3);
    identities.set(name, result.identity);
    clients.push(result.client);
    return result.client;
  }

  /** The teacher on node A and sam on node B, each listed on the other's node. */
  async function teacherAndSam(): Promise<{ teacher: RawClient; sam: RawClient; ports: [number, number] }> {
    const ports = await twoNodes();
    const teacher = await login(ports[0], TEACHER);
    const sam = await login(ports[1], 'sam');
    await teacher.next('presence', (p) => p.user.name === 'sam' && p.user.online);
    await sam.next('presence', (p) => p.user.name === TEACHER && p.user.online);
    return { teacher, sam, ports };
  }

  const { answer, say, request, moderate, code } = rawAnswers();
  const createRoom = (client: RawClient, room: string, members: string[]) => request(client, { type: 'room_create', room, kind: 'class', encrypted: false, members }, 'room');

  it('refuses on node B what the teacher on node A has just been told is in force (exam mode, a mute)', async () => {
    const { teacher, sam } = await teacherAndSam();
    proxy.hold();
    assert.equal(code(await moderate(teacher, { action: 'read_only', on: true })), 'done');
    assert.equal(code(await say(sam, '*', 'answer 3 is b')), 'read_only', 'exam mode holds on node B at once');
    sam.send({ type: 'send', id: 'an-edit', to: '*', text: 'answer 3 is c', ref: { seq: 999, rel: 'edit' } });
    assert.equal(code(await answer(sam, 'id', 'an-edit', 'sent')), 'read_only', 'exam mode is the refusal before any reference check, as on one node');
    assert.equal(code(await moderate(teacher, { action: 'mute', name: 'sam', minutes: 5 })), 'done');
    assert.equal(code(await say(sam, TEACHER, 'why?')), 'muted', 'the mute holds on node B at once');
  });

  it('accepts on node B what the teacher on node A has just lifted (exam mode off, an unmute)', async () => {
    const { teacher, sam } = await teacherAndSam();
    assert.equal(code(await moderate(teacher, { action: 'read_only', on: true })), 'done');
    assert.equal(code(await moderate(teacher, { action: 'mute', name: 'sam', minutes: 5 })), 'done');
    await sam.next('msg', (m) => m.event?.kind === 'muted');
    proxy.hold();
    assert.equal(code(await moderate(teacher, { action: 'unmute', name: 'sam' })), 'done');
    assert.equal(code(await say(sam, TEACHER, 'thanks')), 'sent');
    assert.equal(code(await moderate(teacher, { action: 'read_only', on: false })), 'done');
    assert.equal(code(await say(sam, '*', 'is the exam over?')), 'sent');
  });

  it("stores a student's messages on node B in the order written while one of them waits to catch up", async () => {
    const { teacher, sam } = await teacherAndSam();
    assert.equal(code(await moderate(teacher, { action: 'read_only', on: true })), 'done');
    await sam.next('msg', (m) => m.event?.kind === 'read_only');
    proxy.hold();
    assert.equal(code(await moderate(teacher, { action: 'read_only', on: false })), 'done');
    // The first is refused by what node B knows until it catches up; the second is not. One
    // write, so node B reads both before it has caught up.
    const first = { type: 'send', id: 'first', to: '*', text: 'is the exam over?' };
    const second = { type: 'send', id: 'second', to: TEACHER, text: 'may I leave?' };
    sam.writeRaw(`${JSON.stringify(first)}\n${JSON.stringify(second)}\n`);
    const answers = [(await answer(sam, 'id', 'first', 'sent')) as Answer & { seq?: number }, (await answer(sam, 'id', 'second', 'sent')) as Answer & { seq?: number }];
    assert.deepEqual(answers.map(code), ['sent', 'sent']);
    assert.ok(answers[0].seq! < answers[1].seq!, `stored in the order written (seqs ${answers[0].seq}, ${answers[1].seq})`);
  });

  it('judges a message on node B before the frames written after it, as one node does (a ping answered later)', async () => {
    const { teacher, sam } = await teacherAndSam();
    proxy.hold();
    assert.equal(code(await moderate(teacher, { action: 'read_only', on: true })), 'done');
    // A client syncs with a ping: once the pong is in, what it wrote before is answered.
    sam.writeRaw(`${JSON.stringify({ type: 'send', id: 'in-exam', to: '*', text: 'answer 3 is b' })}\n${JSON.stringify({ type: 'ping', rid: 'sync' })}\n`);
    await sam.next('pong', (p) => p.rid === 'sync');
    const answered = sam.frames.find((f) => (f.type === 'sent' || f.type === 'error') && (f as { id?: string }).id === 'in-exam') as Answer | undefined;
    assert.equal(answered && code(answered), 'read_only', 'the refusal came before the pong');
  });

  it('lets a member on node B read and write in a room created on node A a moment ago', async () => {
    const { teacher, sam } = await teacherAndSam();
    proxy.hold();
    assert.equal(code(await createRoom(teacher, 'sec-a', ['sam'])), 'room');
    assert.equal(code(await request(sam, { type: 'history', with: '#sec-a' }, 'history_page')), 'history_page');
    assert.equal(code(await say(sam, '#sec-a', 'present')), 'sent');
    const members = await request(sam, { type: 'room_members', room: 'sec-a' }, 'room_members');
    assert.deepEqual(members.members?.slice().sort(), [TEACHER, 'sam']);
  });

  it('answers a room_leave on node B with the room as the leave left it, whatever node A wrote just before', async () => {
    const { teacher, sam } = await teacherAndSam();
    assert.equal(code(await createRoom(teacher, 'sec-a', ['sam'])), 'room');
    await sam.next('msg', (m) => m.event?.kind === 'created');
    proxy.hold();
    assert.equal(code(await say(teacher, '*', 'reading week starts monday')), 'sent');
    const left = await request(sam, { type: 'room_leave', room: 'sec-a' }, 'room');
    assert.equal(code(left), 'room');
    assert.deepEqual({ member: left.room?.member, size: left.room?.size }, { member: false, size: 1 });
  });

  it('answers sent (duplicate) to a message resent on node B after a mute, when node A stored it before the mute', async () => {
    const { teacher, sam, ports } = await teacherAndSam();
    const onA = await login(ports[0], 'sam');
    onA.send({ type: 'send', id: 'before-mute', to: '*', text: 'my answer' });
    const first = (await answer(onA, 'id', 'before-mute', 'sent')) as Answer & { seq?: number };
    assert.equal(code(first), 'sent');
    assert.equal(code(await moderate(teacher, { action: 'mute', name: 'sam', minutes: 5 })), 'done');
    await sam.next('msg', (m) => m.event?.kind === 'muted');
    // As a client that lost node A before it read `sent` does: the same id, on node B.
    sam.send({ type: 'send', id: 'before-mute', to: '*', text: 'my answer' });
    const again = (await answer(sam, 'id', 'before-mute', 'sent')) as Answer & { seq?: number; duplicate?: boolean };
    assert.deepEqual({ type: again.type, seq: again.seq, duplicate: again.duplicate }, { type: 'sent', seq: first.seq, duplicate: true });
    assert.equal(code(await say(sam, '*', 'something new')), 'muted', 'a new message is still refused');
  });

  it('refuses on node B the login of a user the teacher on node A has just banned', async () => {
    const { teacher, ports } = await teacherAndSam();
    proxy.hold();
    assert.equal(code(await moderate(teacher, { action: 'ban', name: 'sam' })), 'done');
    const again = await RawClient.open(ports[1]);
    clients.push(again);
    await again.sendLogin('sam', identities.get('sam')!, V3);
    const reply = await again.waitFor(() => again.frames.find((f) => f.type === 'welcome' || f.type === 'error'), 'welcome or error');
    assert.equal(reply.type === 'error' ? reply.code : reply.type, 'banned');
  });
});
