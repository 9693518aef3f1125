/**
 * Two server nodes on one PostgreSQL (issue 20): a user on one reaches users on the other, in
 * order and exactly once, sees who is online there, and a resend to the other node is a duplicate.
 */
import { strict as assert } from 'node:assert';
import { usePostgresNodes } from '../helpers/postgres-nodes';
import { RawClient } from '../helpers/raw-client';

const V3 = { v: 3 };

describe('two server nodes on one PostgreSQL', function () {
  this.timeout(60000);
  const { clients, database, node } = usePostgresNodes('nodes');

  async function login(port: number, name: string, identity?: Awaited<ReturnType<typeof RawClient.login>>['identity']) {
    const result = await RawClient.login(port, name, identity, V3);
    clients.push(result.client);
    return result;
  }

  const texts = (client: RawClient) => client.all('msg').map((m) => `${m.from}>${m.to}:${m.text ?? m.event?.kind}`);

  it('delivers private, room and everyone messages across nodes once and in order, with presence and dedupe', async () => {
    const url = await database({ alice: 'teacher' }); // a teacher's room may be unencrypted: text to read
    const portA = await node(url, 'a');
    const portB = await node(url, 'b');
    const alice = await login(portA, 'alice');
    const bob = await login(portB, 'bob');
    // Presence: bob came online on the other node; alice's node puts him in its roster.
    const seen = await alice.client.next('presence', (p) => p.user.name === 'bob');
    assert.equal(seen.user.online, true);

    const send = (client: RawClient, id: string, to: string, text: string) => client.send({ type: 'send', id, to, text });
    send(alice.client, 'p1', 'bob', 'private one');
    alice.client.send({ type: 'room_create', rid: 'r1', room: 'lab', kind: 'group', encrypted: false, members: ['bob'] });
    await alice.client.next('room', (r) => (r as { rid?: string }).rid === 'r1');
    send(alice.client, 'r2', '#lab', 'in the lab');
    send(alice.client, 'e3', '*', 'to everyone');
    send(alice.client, 'p4', 'bob', 'private two');
    await bob.client.waitFor(() => (bob.client.all('msg').length >= 5 ? true : undefined), 'five messages at bob');
    send(bob.client, 'b1', '#lab', 'bob in the lab');
    send(bob.client, 'b2', 'alice', 'hi alice');
    await alice.client.waitFor(() => (alice.client.all('msg').length >= 3 ? true : undefined), "bob's two at alice");

    // Nothing more arrives: a marker sent last is the next thing each sees.
    send(alice.client, 'end', 'bob', 'marker');
    await bob.client.waitFor(() => (bob.client.all('msg').some((m) => m.id === 'end') ? true : undefined), 'the marker at bob');
    assert.deepEqual(texts(bob.client), ['alice>bob:private one', 'alice>#lab:created', 'alice>#lab:in the lab', 'alice>*:to everyone', 'alice>bob:private two', 'alice>bob:marker']);
    assert.deepEqual(texts(alice.client), ['alice>#lab:created', 'bob>#lab:bob in the lab', 'bob>alice:hi alice']);
    const seqs = bob.client.all('msg').map((m) => m.seq);
    assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));

    // alice's `sent` for p4 was lost: she resends it to the other node.
    const again = await login(portB, 'alice', alice.identity);
    send(again.client, 'p4', 'bob', 'private two');
    const sent = await again.client.next('sent', (s) => s.id === 'p4');
    assert.equal(sent.duplicate, true);
    assert.equal(sent.seq, bob.client.all('msg').find((m) => m.id === 'p4')?.seq);

    // bob goes offline on his node: alice hears it.
    bob.client.close();
    const gone = await alice.client.next('presence', (p) => p.user.name === 'bob' && !p.user.online);
    assert.equal(gone.user.online, false);
  });

  it('gives readers on both nodes messages sent on both at once in seq order, each once', async () => {
    const url = await database();
    const portA = await node(url, 'a');
    const portB = await node(url, 'b');
    const [alice, carol, bob, dave] = await Promise.all([login(portA, 'alice'), login(portA, 'carol'), login(portB, 'bob'), login(portB, 'dave')]);
    for (let i = 0; i < 150; i++) {
      alice.client.send({ type: 'send', id: `a${i}`, to: '*', text: `a${i}` });
      bob.client.send({ type: 'send', id: `b${i}`, to: '*', text: `b${i}` });
    }
    for (const reader of [carol, dave]) {
      await reader.client.waitFor(() => (reader.client.all('msg').length >= 300 ? true : undefined), '300 messages', 20000);
      const seqs = reader.client.all('msg').map((m) => m.seq);
      assert.equal(new Set(seqs).size, 300, 'each once');
      assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), 'in seq order');
    }
    assert.deepEqual(carol.client.all('msg').map((m) => m.id), dave.client.all('msg').map((m) => m.id), 'the same order on both nodes');
  });
});
