/**
 * A class of 50,000 (the bound; a single-line roster broke at ~18,500): no server line
 * passes the documented limit, an app client gets every name, and old clients are told why.
 */
import assert from 'node:assert/strict';
import { generateIdentity } from '../../src/crypto/identity';
import { LIMITS } from '../../src/protocol/limits';
import { ClientFleet } from '../client/helpers/client-fleet';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

const CLASS_SIZE = 50_000;
/** 32-character names, the longest allowed, make the biggest roster. */
const nameOf = (index: number) => `u${String(index).padStart(31, '0')}`;

describe('a roster of 50,000 users', function () {
  this.timeout(180_000);
  let server: TestServer;
  const clients: RawClient[] = [];
  let fleet: ClientFleet;

  before(async () => {
    server = await startTestServer({ registrations: { maxUsers: 0, perAddressPerHour: 0, perHour: 0 } });
    const identity = await generateIdentity();
    const chunk = 500;
    for (let start = 0; start < CLASS_SIZE; start += chunk) {
      const names = Array.from({ length: Math.min(chunk, CLASS_SIZE - start) }, (_, offset) => nameOf(start + offset));
      const results = await Promise.all(names.map((name) => server.server.authenticate(name, identity.publicKey, undefined, '127.0.0.1')));
      assert.ok(results.every((result) => result.ok));
    }
    fleet = new ClientFleet(() => server.port);
  });

  after(async () => {
    for (const client of clients) client.close();
    await Promise.all(fleet.clients.map((client) => client.close()));
    await server.close();
  });

  it('comes to a v2 login in pages, each line within the limit, every name once, before synced', async () => {
    const client = await RawClient.open(server.port);
    clients.push(client);
    // Byte lengths of the lines as they arrive, across chunk boundaries.
    const lines: number[] = [];
    let current = 0;
    client.socket.on('data', (chunk: Buffer) => {
      let from = 0;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, from)) {
        lines.push(current + at - from);
        current = 0;
        from = at + 1;
      }
      current += chunk.length - from;
    });
    await client.sendLogin('zed', await generateIdentity(), { v: 2 });
    const welcome = await client.next('welcome');
    assert.equal(welcome.more, true);
    assert.ok(welcome.users.length <= LIMITS.maxRosterPage);
    const names = welcome.users.map((user) => user.name);
    for (;;) {
      const page = await client.next('roster');
      assert.ok(page.users.length <= LIMITS.maxRosterPage);
      names.push(...page.users.map((user) => user.name));
      if (!page.more) break;
    }
    await client.next('synced');
    assert.deepEqual(client.invalid, []);
    assert.equal(names.length, CLASS_SIZE + 1);
    assert.equal(new Set(names).size, CLASS_SIZE + 1);
    assert.ok(names.includes(nameOf(CLASS_SIZE - 1)) && names.includes('zed'));
    assert.ok(Math.max(...lines) < LIMITS.maxServerLineBytes, `longest line ${Math.max(...lines)} bytes`);
  });

  it('gives the app client the whole roster', async () => {
    const alice = fleet.client('alice');
    await alice.connect();
    assert.equal(alice.roster.size, CLASS_SIZE + 2);
    assert.equal(alice.roster.get(nameOf(12_345))?.online, false);
    assert.equal(alice.roster.get('alice')?.online, true);
  });

  it('refuses a v1 login with a clear reason instead of a line too long to read', async () => {
    const client = await RawClient.open(server.port);
    clients.push(client);
    await client.sendLogin('old', await generateIdentity());
    const error = await client.next('error');
    assert.equal(error.code, 'unsupported_version');
    assert.match(error.message, /update ClassChat/);
    await client.waitClosed();
    assert.equal(client.all('welcome').length, 0);
  });
});
