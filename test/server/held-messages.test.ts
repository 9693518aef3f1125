/**
 * Messages to a classmate who has never logged in (PROTOCOL.md 20.7): kept for their first login,
 * as the original ClassChat did, for v3 and plain-text senders; bounded per sender; after a week
 * dropped with the sender told; across restarts.
 */
import { strict as assert } from 'node:assert';
import { HeldMessages } from '../../src/server/held-messages';
import { PlainClient } from '../helpers/plain-client';
import { RawClient } from '../helpers/raw-client';
import { V3Harness } from '../helpers/v3-harness';

describe('messages held for names nobody registered yet', () => {
  const harness = new V3Harness();
  let now = Date.now();
  const clock = { now: () => now };
  const serverOptions = { clock, held: { perSender: 3, sweepMs: 3_600_000 } };
  const server = () => harness.server;
  const login = (name: string, v = 3) => harness.login(name, { v });
  const send = (client: RawClient, id: string, to: string, text: string) => harness.send(client, to, { id, text });

  beforeEach(async () => {
    now = Date.now();
    await harness.start({}, serverOptions);
  });
  afterEach(() => harness.close());

  it('keeps a v3 message for frank and delivers it at his first login; a v1 sender still gets unknown_user', async () => {
    const alice = await login('alice');
    const sent = await send(alice, 'h1', 'Frank', 'welcome to the class');
    assert.deepEqual(sent.type === 'sent' && sent.held, true);
    const old = await login('oldie', 1);
    const refused = await send(old, 'h2', 'frank', 'hi');
    assert.deepEqual(refused.type === 'error' && refused.code, 'unknown_user');
    const frank = await login('frank');
    const message = await frank.next('msg', (m) => m.text === 'welcome to the class');
    assert.deepEqual([message.from, message.to], ['alice', 'frank']);
    frank.send({ type: 'history', rid: 'h', with: 'alice' });
    assert.deepEqual((await frank.next('history_page')).messages.map((m) => m.text), ['welcome to the class']);
  });

  it('holds a plain-text message too, saying so, and bounds how many one sender has waiting', async () => {
    const pat = await PlainClient.open(server().port);
    harness.track(pat);
    pat.write('pat\n');
    await pat.waitForText('Welcome [pat]');
    pat.write('frank:see you in lab\n');
    await pat.waitForText('User frank has not joined yet. We will send this message when they first log in');
    const alice = await login('alice');
    for (const name of ['gus', 'hal', 'ivy']) assert.equal((await send(alice, `b-${name}`, name, 'hello')).type, 'sent');
    const fourth = await send(alice, 'b-jo', 'jo', 'hello');
    assert.deepEqual(fourth.type === 'error' && [fourth.code, /too many messages waiting/.test(fourth.message)], ['unknown_user', true]);
    const frank = await login('frank');
    const got = await frank.next('msg', (m) => m.text === 'see you in lab');
    assert.equal(got.plain, true);
  });

  it('refuses a box to an unregistered name (no key to seal to) and a name that is a room', async () => {
    const alice = await login('alice');
    alice.send({ type: 'send', id: 'x1', to: 'frank', box: { nonce: Buffer.alloc(24).toString('base64'), ciphertext: Buffer.alloc(40).toString('base64') } });
    assert.equal((await alice.next('error', (e) => e.id === 'x1')).code, 'unknown_user');
    alice.send({ type: 'room_create', rid: 'r', room: 'lab', kind: 'group', encrypted: true, members: [] });
    await alice.next('room');
    assert.deepEqual(((await send(alice, 'x2', 'lab', 'hi')) as { code?: string }).code, 'unknown_user');
  });

  it('after a week drops what nobody came for and tells the sender, also after a restart', async () => {
    const alice = await login('alice');
    const sent = await send(alice, 'w1', 'typo', 'anyone there?');
    assert.equal(sent.type, 'sent');
    harness.closeClients();
    await server().stop();
    await harness.start({}, { ...serverOptions, dataDir: server().dataDir });
    assert.equal((await server().store.listHeld()).length, 1, 'still held after a restart');
    const held = new HeldMessages(server().store, () => ({ submit: (from, input) => server().server.submit(from, input), acknowledge: () => undefined, confirming: () => false, sessionsOf: () => [] }), { perSender: 3, ttlMs: 7 * 86_400_000, sweepMs: 1 }, clock, { debug() {}, info() {}, warn() {}, error() {} } as never);
    now += 6 * 86_400_000;
    await held.sweep();
    assert.equal((await server().store.listHeld()).length, 1, 'kept for the whole week');
    now += 2 * 86_400_000;
    await held.sweep();
    assert.equal((await server().store.listHeld()).length, 0);
    const again = await login('alice');
    const told = await again.next('msg', (m) => m.event?.kind === 'undelivered');
    assert.deepEqual([told.from, told.event?.names, told.event?.seq], ['server', ['typo'], sent.type === 'sent' ? sent.seq : -1]);
    const typo = await login('typo');
    await typo.next('synced');
    assert.equal(typo.all('msg').length, 0, 'a name registering after the week gets nothing');
  });
});
