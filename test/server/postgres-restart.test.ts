/**
 * PostgreSQL restarting under two running nodes (issue 20): both nodes refuse sends with
 * storage_failed while it is down and stay up, reconnect by themselves (their pools and their
 * listening connections), and once it is back the clients' resends are stored once and reach
 * readers on both nodes in order; nothing acknowledged before the restart is lost or repeated.
 */
import { strict as assert } from 'node:assert';
import { usePostgresNodes } from '../helpers/postgres-nodes';
import { RawClient } from '../helpers/raw-client';

describe('PostgreSQL restarting under two nodes', function () {
  this.timeout(90000);
  const nodes = usePostgresNodes('restart');
  const { clients, database, node } = nodes;

  async function login(port: number, name: string): Promise<RawClient> {
    const { client } = await RawClient.login(port, name, undefined, { v: 3 });
    clients.push(client);
    return client;
  }

  const send = (client: RawClient, id: string, to: string) => client.send({ type: 'send', id, to, text: `text of ${id}` });
  const answered = (client: RawClient, ids: readonly string[]) =>
    client.waitFor(() => {
      const answers = ids.map((id) => client.frames.find((f) => (f.type === 'sent' || f.type === 'error') && (f as { id?: string }).id === id));
      return answers.every(Boolean) ? (answers as Array<{ type: string; code?: string; duplicate?: boolean }>) : undefined;
    }, `answers to ${ids.join(', ')}`, 30000);

  it('refuses sends on both nodes while it is down, and afterwards delivers every resend once, in order, across nodes', async () => {
    const url = await database();
    const portA = await node(url, 'a');
    const portB = await node(url, 'b');
    const alice = await login(portA, 'alice');
    const bob = await login(portB, 'bob');
    await alice.next('presence', (p) => p.user.name === 'bob' && p.user.online);

    send(alice, 'before-a', 'bob');
    send(bob, 'before-b', 'alice');
    assert.deepEqual((await answered(alice, ['before-a'])).map((a) => a.type), ['sent']);
    assert.deepEqual((await answered(bob, ['before-b'])).map((a) => a.type), ['sent']);

    await nodes.pg.stopServer('immediate');
    send(alice, 'during-a1', 'bob');
    send(alice, 'during-a2', '*');
    send(bob, 'during-b1', 'alice');
    assert.deepEqual((await answered(alice, ['during-a1', 'during-a2'])).map((a) => a.code), ['storage_failed', 'storage_failed']);
    assert.deepEqual((await answered(bob, ['during-b1'])).map((a) => a.code), ['storage_failed']);

    await nodes.pg.startServer();
    // The clients send again (as ChatClient's outbox does), bounded: each node's pool reconnects on its own.
    const resend = async (client: RawClient, messages: Array<[string, string]>) => {
      let pending = messages;
      const stored: Array<{ type: string; duplicate?: boolean }> = [];
      for (let attempt = 0; attempt < 40 && pending.length > 0; attempt++) {
        const refused = new Set(pending.map(([id]) => id));
        client.frames.splice(0, client.frames.length, ...client.frames.filter((f) => !(f.type === 'error' && refused.has((f as { id?: string }).id ?? ''))));
        for (const [id, to] of pending) send(client, id, to);
        const answers = await answered(client, pending.map(([id]) => id));
        stored.push(...answers.filter((a) => a.type === 'sent'));
        pending = pending.filter((_, i) => answers[i].type !== 'sent');
        if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.deepEqual(pending, [], 'every resend is stored once PostgreSQL is back');
      return stored;
    };
    const fromAlice = await resend(alice, [['during-a1', 'bob'], ['during-a2', '*']]);
    const fromBob = await resend(bob, [['during-b1', 'alice']]);
    assert.ok([...fromAlice, ...fromBob].every((a) => a.duplicate !== true), 'nothing was stored while PostgreSQL was down');

    // Each node's listening connection is back too: the other node's messages arrive there.
    const idsAt = (client: RawClient, from: string) => client.all('msg').filter((m) => m.from === from).map((m) => m.id);
    await bob.waitFor(() => (idsAt(bob, 'alice').length >= 3 ? true : undefined), "alice's messages at bob, on the other node", 30000);
    await alice.waitFor(() => (idsAt(alice, 'bob').length >= 2 ? true : undefined), "bob's messages at alice, on the other node", 30000);
    assert.deepEqual(idsAt(bob, 'alice'), ['before-a', 'during-a1', 'during-a2']);
    assert.deepEqual(idsAt(alice, 'bob'), ['before-b', 'during-b1']);
    const seqs = bob.all('msg').map((m) => m.seq);
    assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), 'in seq order');
  });
});
