/**
 * One new name registered on two nodes at the same moment (issue 20): exactly one key gets it,
 * the other login is refused with `name_taken`, and the database keeps the winner's key.
 */
import { strict as assert } from 'node:assert';
import { Client } from 'pg';
import { generateIdentity } from '../../src/crypto/identity';
import { usePostgresNodes } from '../helpers/postgres-nodes';
import { RawClient } from '../helpers/raw-client';

const ROUNDS = 25;

describe('one new name registered on two PostgreSQL nodes at once', function () {
  this.timeout(90000);
  const { clients, database, node } = usePostgresNodes('registration');

  /** The login's outcome: the welcome's name, or the error's code. */
  async function outcome(client: RawClient): Promise<string> {
    return client.waitFor(() => {
      const frame = client.frames.find((f) => f.type === 'welcome' || f.type === 'error');
      if (!frame) return undefined;
      return frame.type === 'welcome' ? 'welcome' : frame.type === 'error' ? frame.code : undefined;
    }, 'welcome or error');
  }

  it('lets exactly one of two simultaneous logins take the name, round after round', async () => {
    const url = await database();
    const ports = [await node(url, 'a'), await node(url, 'b')];
    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const name = `racer${round}`;
        const identities = await Promise.all([generateIdentity(), generateIdentity()]);
        const racers = await Promise.all(ports.map((port) => RawClient.open(port)));
        clients.push(...racers);
        // Both logins leave at once, one to each node.
        await Promise.all(racers.map((racer, i) => racer.sendLogin(name, identities[i])));
        const results = await Promise.all(racers.map(outcome));
        const winners = results.flatMap((result, i) => (result === 'welcome' ? [i] : []));
        assert.equal(winners.length, 1, `round ${round}: exactly one login takes ${name}, got ${JSON.stringify(results)}`);
        const loser = 1 - winners[0];
        assert.equal(results[loser], 'name_taken', `round ${round}: the other is told the name is taken`);
        const stored = await db.query<{ public_key: string }>('SELECT public_key FROM classchat_users WHERE name = $1', [name]);
        assert.equal(stored.rows[0]?.public_key, identities[winners[0]].publicKey, `round ${round}: the database keeps the winner's key`);
        // The winner's key still logs in on the loser's node; the loser's key does not.
        const again = await RawClient.login(ports[loser], name, identities[winners[0]]);
        clients.push(again.client);
        const thief = await RawClient.open(ports[winners[0]]);
        clients.push(thief);
        await thief.sendLogin(name, identities[loser]);
        assert.equal(await outcome(thief), 'name_taken');
        for (const client of clients.splice(0)) client.close();
      }
    } finally {
      await db.end();
    }
  });
});
