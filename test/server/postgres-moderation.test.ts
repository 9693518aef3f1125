/**
 * What a teacher does on one PostgreSQL node holds on every node (issue 20): mutes, exam mode and
 * bans reach a student logged in elsewhere, a role the operator sets and a block list change reach
 * running nodes (read again if a node missed the notification), and a
 * room name (users and rooms share one namespace) goes to exactly one creator across nodes.
 */
import { strict as assert } from 'node:assert';
import { Client } from 'pg';
import { generateIdentity, type Identity } from '../../src/crypto/identity';
import { PostgresStore } from '../../src/server/store/postgres/postgres-store';
import { usePostgresNodes } from '../helpers/postgres-nodes';
import { rawAnswers } from '../helpers/raw-answers';
import { RawClient } from '../helpers/raw-client';

const V3 = { v: 3 };
const RACE_ROUNDS = 15;

describe('moderation, roles and room names across PostgreSQL nodes', function () {
  this.timeout(90000);
  const identities = new Map<string, Identity>();
  const { clients, database, node } = usePostgresNodes('moderation');
  afterEach(() => identities.clear());

  /** A database where `roles` are set, and two nodes on it. */
  async function twoNodes(roles: Record<string, 'teacher' | 'ta'> = {}): Promise<{ url: string; ports: [number, number] }> {
    const url = await database(roles);
    return { url, ports: [await node(url, 'a'), await node(url, 'b')] };
  }

  async function login(port: number, name: string): Promise<RawClient> {
    const result = await RawClient.login(port, name, identities.get(name), V3);
    identities.set(name, result.identity);
    clients.push(result.client);
    return result.client;
  }

  const { say, request, moderate, code } = rawAnswers();
  const createRoom = (client: RawClient, room: string) => request(client, { type: 'room_create', room, kind: 'group', encrypted: false, members: [] }, 'room');

  it('refuses a student on node B what a teacher on node A muted, made read-only or banned', async () => {
    const { ports } = await twoNodes({ 'mrs.k': 'teacher' });
    const teacher = await login(ports[0], 'mrs.k');
    const sam = await login(ports[1], 'sam');
    await teacher.next('presence', (p) => p.user.name === 'sam' && p.user.online);

    assert.equal(code(await moderate(teacher, { action: 'mute', name: 'sam', minutes: 5 })), 'done');
    await sam.next('msg', (m) => m.event?.kind === 'muted');
    assert.equal(code(await say(sam, '*', 'hello?')), 'muted');
    assert.equal(code(await moderate(teacher, { action: 'unmute', name: 'sam' })), 'done');
    await sam.next('msg', (m) => m.event?.kind === 'unmuted');
    assert.equal(code(await say(sam, '*', 'thanks')), 'sent');

    assert.equal(code(await moderate(teacher, { action: 'read_only', on: true })), 'done');
    await sam.next('msg', (m) => m.event?.kind === 'read_only');
    assert.equal(code(await say(sam, '*', 'answer 3 is b')), 'read_only');
    assert.equal(code(await moderate(teacher, { action: 'read_only', on: false })), 'done');

    assert.equal(code(await moderate(teacher, { action: 'ban', name: 'sam' })), 'done');
    const ended = await sam.next('error', (e) => e.code === 'banned');
    assert.equal(ended.fatal, true);
    await sam.waitClosed();
    const again = await RawClient.open(ports[1]);
    clients.push(again);
    await again.sendLogin('sam', identities.get('sam')!, V3);
    assert.equal((await again.next('error')).code, 'banned', 'the ban holds on the node sam was on');
  });

  it('gives a role the operator sets while nodes run to every node', async () => {
    const { url, ports } = await twoNodes();
    const tim = await login(ports[1], 'tim');
    const sam = await login(ports[0], 'sam');
    await tim.next('presence', (p) => p.user.name === 'sam' && p.user.online);
    assert.equal(code(await moderate(tim, { action: 'mute', name: 'sam', minutes: 5 })), 'forbidden');
    // `classchat-server role tim ta --store URL` does this, with the nodes running.
    const operator = new PostgresStore({ url });
    await operator.open();
    await operator.setRole('tim', 'ta');
    await operator.close();
    const shown = await sam.next('presence', (p) => p.user.name === 'tim' && p.user.role === 'ta');
    assert.equal(shown.user.role, 'ta', "sam's node shows tim as a TA");
    // tim's node hears the role on its own connection to PostgreSQL: a few tries, bounded.
    let muted = code(await moderate(tim, { action: 'mute', name: 'sam', minutes: 5 }));
    for (let tries = 1; muted === 'forbidden' && tries < 40; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      muted = code(await moderate(tim, { action: 'mute', name: 'sam', minutes: 5 }));
    }
    assert.equal(muted, 'done', "tim's node lets him moderate");
    await sam.next('msg', (m) => m.event?.kind === 'muted');
    assert.equal(code(await say(sam, '*', 'hello?')), 'muted');
  });

  it('refuses on node B a room name created on node A, and lets one of two simultaneous creates win', async () => {
    const { ports } = await twoNodes({ 'mrs.k': 'teacher', 'mr.j': 'teacher' });
    const onA = await login(ports[0], 'mrs.k');
    const onB = await login(ports[1], 'mr.j');
    assert.equal(code(await createRoom(onA, 'lab')), 'room');
    assert.equal(code(await createRoom(onB, 'lab')), 'name_taken');
    for (let round = 0; round < RACE_ROUNDS; round++) {
      const results = await Promise.all([createRoom(onA, `race${round}`), createRoom(onB, `race${round}`)]);
      assert.deepEqual(results.map(code).sort(), ['name_taken', 'room'], `round ${round}: one create wins, got ${JSON.stringify(results)}`);
    }
    // A room's name is no user's: registering it on the other node is refused.
    const taken = await RawClient.open(ports[1]);
    clients.push(taken);
    await taken.sendLogin('lab', await generateIdentity(), V3);
    assert.equal((await taken.next('error')).code, 'name_taken');
  });
  it("keeps a block made on node A on node B: the blocked person's private messages stop there, the blocker's sessions there learn the list, and an unblock reaches them too", async () => {
    const { ports } = await twoNodes();
    const alice = await login(ports[0], 'alice');
    const aliceOnB = await login(ports[1], 'alice');
    const dave = await login(ports[1], 'dave');
    const bob = await login(ports[1], 'bob');
    await alice.next('presence', (p) => p.user.name === 'bob' && p.user.online);
    assert.equal(code(await request(alice, { type: 'block', name: 'dave' }, 'blocked')), 'blocked');
    const news = await aliceOnB.next('blocked');
    assert.deepEqual(news.names, ['dave'], "alice's session on node B is told");
    assert.equal(code(await say(dave, 'alice', 'while blocked')), 'sent', 'the blocked sender is not told');
    assert.equal(code(await say(bob, 'alice', 'from bob')), 'sent');
    // Waits without consuming, so `texts` still sees it.
    const seen = (client: RawClient, text: string) => client.waitFor(() => client.all('msg').find((m) => m.text === text), text);
    for (const session of [alice, aliceOnB]) await seen(session, 'from bob');
    const texts = (client: RawClient) => client.all('msg').filter((m) => m.to === 'alice').map((m) => `${m.from}: ${m.text}`);
    assert.deepEqual(texts(alice), ['bob: from bob'], 'node A keeps it from alice');
    assert.deepEqual(texts(aliceOnB), ['bob: from bob'], "dave's own node keeps it from alice");
    assert.equal(code(await request(alice, { type: 'unblock', name: 'dave' }, 'blocked')), 'blocked');
    assert.deepEqual((await aliceOnB.next('blocked', (f) => f.names.length === 0)).names, []);
    assert.equal(code(await say(dave, 'alice', 'after unblocking')), 'sent');
    for (const session of [alice, aliceOnB]) await seen(session, 'after unblocking');
  });
  it("reads block lists and roles again when a node's listening connection comes back, so changes made while it was gone hold there", async () => {
    const { url, ports } = await twoNodes();
    const alice = await login(ports[0], 'alice');
    const aliceOnB = await login(ports[1], 'alice');
    await login(ports[1], 'dave');
    await alice.next('presence', (p) => p.user.name === 'dave' && p.user.online);
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'classchat-bus-b'");
      assert.equal(rowCount, 1, "node B's listening connection is found");
      // Node B waits 500 ms before it listens again: this block's notification does not reach it.
      assert.equal(code(await request(alice, { type: 'block', name: 'dave' }, 'blocked')), 'blocked');
      await admin.query("INSERT INTO classchat_roles (name, role) VALUES ('dave', 'ta')");
    } finally {
      await admin.end();
    }
    assert.deepEqual((await aliceOnB.next('blocked')).names, ['dave'], 'node B read the list again');
    await aliceOnB.next('presence', (p) => p.user.name === 'dave' && p.user.role === 'ta');
  });
});
