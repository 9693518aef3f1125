import assert from 'node:assert/strict';
import { generateIdentity } from '../../src/crypto/identity';
import { RegistrationGate, RegistrationLimits } from '../../src/server/registration-gate';
import { silentLogger } from '../../src/server/logger';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

const OFF: RegistrationLimits = { maxUsers: 0, perAddressPerHour: 0, perHour: 0, joinCodeGuessesPerAddress: 0, joinCodeGuesses: 0 };

function gate(limits: Partial<RegistrationLimits>, joinCode?: string) {
  const clock = { time: 1_000_000, now() { return this.time; } };
  return { clock, gate: new RegistrationGate(joinCode, { ...OFF, ...limits }, clock, silentLogger) };
}

describe('registration gate', () => {
  it('lets one address register its hourly share at once, then one more each time the share refills', () => {
    const { clock, gate: g } = gate({ perAddressPerHour: 3 });
    for (let i = 0; i < 3; i++) assert.equal(g.admit('10.0.0.1', undefined, i), undefined);
    assert.equal(g.admit('10.0.0.1', undefined, 3), 'registration_limited');
    assert.equal(g.admit('10.0.0.2', undefined, 3), undefined, 'another address has its own share');
    clock.time += 20 * 60_000; // a third of an hour: one of three back
    assert.equal(g.admit('10.0.0.1', undefined, 4), undefined);
    assert.equal(g.admit('10.0.0.1', undefined, 5), 'registration_limited');
  });

  it('bounds new names from every address together', () => {
    const { gate: g } = gate({ perHour: 5 });
    for (let i = 0; i < 5; i++) assert.equal(g.admit(`10.0.0.${i}`, undefined, i), undefined);
    assert.equal(g.admit('10.0.0.9', undefined, 5), 'registration_limited');
  });

  it('refuses a new name once the server holds maxUsers', () => {
    const { gate: g } = gate({ maxUsers: 2 });
    assert.equal(g.admit('a', undefined, 1), undefined);
    assert.equal(g.admit('a', undefined, 2), 'server_full');
  });

  it('locks an address out after its wrong join codes, even for the right code, until the window refills', () => {
    const { clock, gate: g } = gate({ joinCodeGuessesPerAddress: 3 }, 'room-42');
    for (let i = 0; i < 3; i++) assert.equal(g.admit('10.0.0.1', `guess-${i}`, 0), 'bad_join_code');
    assert.equal(g.admit('10.0.0.1', 'room-42', 0), 'too_many_attempts');
    assert.equal(g.admit('10.0.0.2', 'room-42', 0), undefined, 'another address is not locked');
    clock.time += 200_000; // a third of the ten-minute window: one guess back
    assert.equal(g.admit('10.0.0.1', 'room-42', 1), undefined);
  });

  it('bounds wrong join codes from every address together', () => {
    const { gate: g } = gate({ joinCodeGuesses: 4 }, 'room-42');
    for (let i = 0; i < 4; i++) assert.equal(g.admit(`10.0.1.${i}`, 'nope', 0), 'bad_join_code');
    assert.equal(g.admit('10.0.1.200', 'nope', 0), 'too_many_attempts');
  });

  it('asks for the join code without counting a missing one as a guess', () => {
    const { gate: g } = gate({ joinCodeGuessesPerAddress: 1 }, 'room-42');
    for (let i = 0; i < 5; i++) assert.equal(g.admit('10.0.0.1', undefined, 0), 'join_code_required');
    assert.equal(g.admit('10.0.0.1', 'room-42', 0), undefined);
  });

  it('forgets refilled addresses instead of growing without bound', () => {
    const { clock, gate: g } = gate({ perAddressPerHour: 1 });
    for (let i = 0; i < 10_000; i++) g.admit(`a${i}`, undefined, 0);
    clock.time += 3_600_000;
    // The 10,001st address makes room by forgetting the refilled ones; a1 starts afresh.
    assert.equal(g.admit('new', undefined, 0), undefined);
    assert.equal(g.admit('a1', undefined, 0), undefined);
  });

  describe('over the wire', () => {
    let server: TestServer;
    const clients: RawClient[] = [];
    afterEach(async () => {
      for (const client of clients.splice(0)) client.close();
      await server?.close();
    });

    it('refuses the fourth new name from one address with registration_limited, and still logs in the names it has', async () => {
      server = await startTestServer({ registrations: { perAddressPerHour: 3 } });
      const identities = await Promise.all([0, 1, 2, 3].map(() => generateIdentity()));
      for (let i = 0; i < 3; i++) {
        const { client, welcome } = await RawClient.login(server.port, `user${i}`, identities[i]);
        clients.push(client);
        assert.equal(welcome.registered, true);
      }
      const fourth = await RawClient.open(server.port);
      clients.push(fourth);
      await fourth.sendLogin('user3', identities[3]);
      const error = await fourth.next('error');
      assert.equal(error.code, 'registration_limited');
      assert.equal(error.fatal, true);
      await fourth.waitClosed();
      const again = await RawClient.login(server.port, 'user0', identities[0]);
      clients.push(again.client);
      assert.equal(again.welcome.registered, false);
    });

    it('stops join code guessing from one address at the limit, with too_many_attempts', async () => {
      server = await startTestServer({ joinCode: 'room-42', registrations: { joinCodeGuessesPerAddress: 2 } });
      const identity = await generateIdentity();
      const codes = ['guess-1', 'guess-2', 'room-42'];
      const answers: string[] = [];
      for (const joinCode of codes) {
        const client = await RawClient.open(server.port);
        clients.push(client);
        await client.sendLogin('mallory', identity, { joinCode });
        answers.push((await client.next('error')).code);
      }
      assert.deepEqual(answers, ['bad_join_code', 'bad_join_code', 'too_many_attempts']);
    });
  });
});
