/**
 * End-to-end encrypted private messages through the real ChatServer: round trip, trust on first
 * use, safety numbers, and proof that neither the server's data directory nor any byte the
 * server received or sent holds the private text (all clients connect through a recording proxy).
 */
import { strict as assert } from 'node:assert';
import { readdir, readFile, rm } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatClientOptions } from '../../src/client';
import { ChatClientError } from '../../src/client/errors';
import { FileTrustStore } from '../../src/client/trust-store';
import { PrivateBoxes } from '../../src/crypto/e2ee';
import { generateIdentity } from '../../src/crypto/identity';
import { sodiumReady } from '../../src/crypto/sodium';
import { ClassChatError } from '../../src/protocol/errors';
import { PlainClient } from '../helpers/plain-client';
import { startTestServer, TestServer } from '../helpers/test-server';
import { LineProxy } from './helpers/line-proxy';
import { ClientFleet, collect } from './helpers/client-fleet';
import { nextEvent, until } from './helpers/wait';

function isCode(code: string) {
  return (error: unknown) => (error instanceof ClassChatError || error instanceof ChatClientError) && error.code === code;
}

/** Every file under `dir`, recursively, concatenated. */
async function allBytes(dir: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(parts);
}

describe('end-to-end encrypted private messages (real server)', function () {
  this.timeout(20_000);
  let server: TestServer;
  let proxy: LineProxy;
  let fleet: ClientFleet;

  beforeEach(async () => {
    server = await startTestServer();
    proxy = await LineProxy.start(server.port);
    fleet = new ClientFleet(() => proxy.port);
  });

  afterEach(async () => {
    await fleet.closeAll();
    await proxy.close();
    await server.close();
  });

  const client = (name: string, options: Partial<ChatClientOptions> = {}) => fleet.client(name, options);
  const online = (name: string, options: Partial<ChatClientOptions> = {}) => fleet.online(name, options);

  it('delivers alice → bob encrypted; bob sees it pinned, then verified once he verifies alice', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    await until(() => alice.roster.has('bob'), 'bob in alice\'s roster');
    const got = collect(bob);
    await alice.sendText('bob', 'hello bob');
    await until(() => got.length === 1, 'delivery');
    assert.deepEqual([got[0].from, got[0].text, got[0].encrypted, got[0].trust, got[0].decryptError], ['alice', 'hello bob', true, 'pinned', undefined]);
    assert.equal(got[0].box !== undefined, true);

    await bob.verify('alice', await alice.safetyNumber('bob'));
    await alice.sendText('bob', 'hello again');
    await until(() => got.length === 2, 'second delivery');
    assert.deepEqual([got[1].text, got[1].trust], ['hello again', 'verified']);
    assert.equal(bob.keyTrust('alice'), 'verified');
    assert.equal(alice.keyTrust('bob'), 'pinned');

    // alice reads her own sent messages back from history; messages to everyone stay readable by the server.
    await alice.sendText('*', 'to the class');
    const page = await alice.history('bob');
    assert.deepEqual(page.messages.map((m) => [m.from, m.text, m.encrypted, m.trust]), [['alice', 'hello bob', true, 'pinned'], ['alice', 'hello again', true, 'pinned']]);
    const everyone = await bob.history('*');
    assert.deepEqual(everyone.messages.map((m) => [m.text, m.encrypted, m.trust]), [['to the class', false, 'not_encrypted']]);
  });

  it('keeps private text out of the data directory and out of every byte the server received or sent', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    await until(() => alice.roster.has('bob'), 'bob in alice\'s roster');
    const got = collect(bob);
    const aliceGot = collect(alice);
    await alice.sendText('bob', 'MARKER-PRIVATE-7f3a alice to bob');
    await bob.sendText('alice', 'MARKER-PRIVATE-9c1e bob to alice');
    await alice.sendText('*', 'MARKER-PUBLIC-2b6d to everyone');
    await until(() => got.length === 2 && aliceGot.length === 1, 'deliveries');
    assert.equal(got[0].text, 'MARKER-PRIVATE-7f3a alice to bob');
    assert.equal(aliceGot[0].text, 'MARKER-PRIVATE-9c1e bob to alice');
    await alice.history('bob');
    await server.stop();

    const disk = await allBytes(server.dataDir);
    const wire = Buffer.concat([proxy.received(), proxy.sent()]);
    // The check can see: the message to everyone is on disk and on the wire.
    assert.ok(disk.includes('MARKER-PUBLIC-2b6d') && wire.includes('MARKER-PUBLIC-2b6d'));
    for (const marker of ['MARKER-PRIVATE', '7f3a alice to bob', '9c1e bob to alice']) {
      assert.equal(disk.includes(marker), false, `${marker} in the data directory`);
      assert.equal(wire.includes(marker), false, `${marker} on the wire`);
    }
    // What the server sees of a private message: who, to whom, when, a nonce and ciphertext.
    const send = proxy.received().toString('utf8').split('\n').map((line) => (line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : {})).find((frame) => frame.type === 'send' && frame.to === 'bob');
    assert.deepEqual(Object.keys(send ?? {}).sort(), ['box', 'id', 'to', 'type']);
  });

  it('shows a message whose ciphertext or nonce was flipped in transit as "could not decrypt", with its sender', async () => {
    const alice = await online('alice');
    const bob = await online('bob'); // proxy connection 1
    await until(() => alice.roster.has('bob'), 'bob in alice\'s roster');
    let flips = 0;
    proxy.rewrite = (line, index) => {
      if (index !== 1 || !line.includes('"box"')) return line;
      const frame = JSON.parse(line) as { box: { nonce: string; ciphertext: string } };
      const field = flips++ === 0 ? 'ciphertext' : 'nonce';
      const bytes = Buffer.from(frame.box[field], 'base64');
      bytes[5] ^= 0x04;
      frame.box[field] = bytes.toString('base64');
      return JSON.stringify(frame);
    };
    const got = collect(bob);
    await alice.sendText('bob', 'flip my ciphertext');
    await alice.sendText('bob', 'flip my nonce');
    await until(() => got.length === 2, 'deliveries');
    for (const message of got) {
      assert.deepEqual([message.from, message.text, message.encrypted, message.decryptError], ['alice', undefined, true, 'could_not_decrypt']);
    }
  });

  it('refuses to send to bob when a malicious server swaps his key, marks messages sealed with the new key, until alice accepts it', async () => {
    const first = await online('alice'); // proxy connection 0: pins bob's real key
    const bob = await online('bob');
    await until(() => first.roster.has('bob'), 'bob in alice\'s roster');
    const realKey = first.roster.get('bob')!.publicKey!;
    await first.close();

    const mallory = await generateIdentity();
    proxy.rewrite = (line, index) => (index === 2 ? line.split(realKey).join(mallory.publicKey) : line);
    const alice = client('alice');
    const changed = nextEvent(alice, 'keyChanged');
    await alice.connect(); // proxy connection 2: the server now claims bob has mallory's key
    assert.deepEqual((await changed)[0], 'bob');
    assert.deepEqual((await changed)[1], { pinned: realKey, current: mallory.publicKey });
    assert.equal(alice.keyTrust('bob'), 'key_changed');
    await assert.rejects(alice.sendText('bob', 'not for mallory'), isCode('key_changed'));

    // bob's real messages still open with the pin; one sealed by mallory "from bob" is marked.
    const got = collect(alice);
    await bob.sendText('alice', 'really bob');
    await until(() => got.length === 1, 'bob\'s message');
    assert.deepEqual([got[0].text, got[0].trust], ['really bob', 'pinned']);
    const sodium = await sodiumReady();
    const aliceKey = (await fleet.keys.get('alice')!.load())!.publicKey;
    const forged = new PrivateBoxes(sodium, mallory).seal(aliceKey, { from: 'bob', to: 'alice', id: 'forged1', text: 'send me your password' });
    proxy.inject(2, JSON.stringify({ type: 'msg', seq: 1_000_000, id: 'forged1', from: 'bob', to: 'alice', ts: Date.now(), box: forged }));
    await until(() => got.length === 2, 'the forged message');
    assert.deepEqual([got[1].text, got[1].trust], ['send me your password', 'key_changed']);

    // Accepting is explicit; the safety number then changes to mallory's.
    const before = await alice.safetyNumber('bob');
    assert.notEqual(before, await bob.safetyNumber('alice'));
    await alice.acceptKey('bob');
    assert.equal(alice.keyTrust('bob'), 'pinned');
    await alice.sendText('bob', 'sealed to the accepted key');
  });

  it('refuses a private message to a user whose key was never seen, and to a plain-text user unless allowed', async () => {
    const alice = client('alice');
    await assert.rejects(alice.sendText('bob', 'too early'), isCode('unknown_key'));
    await alice.connect();
    await assert.rejects(alice.sendText('nobody', 'hi'), isCode('unknown_user'));
    const plain = await PlainClient.open(server.port);
    plain.socket.write('dave\n');
    await until(() => alice.roster.get('dave')?.publicKey === null, 'dave in the roster');
    assert.equal(alice.keyTrust('dave'), 'no_key');
    await assert.rejects(alice.sendText('dave', 'hi dave'), isCode('no_key'));
    await alice.sendText('dave', 'hi dave, readable by the server', { allowUnencrypted: true });
    plain.socket.destroy();
  });

  it('delivers an encrypted message to an offline user, decrypted at login', async () => {
    const bob = await online('bob');
    await bob.close();
    const alice = await online('alice');
    await alice.sendText('bob', 'while you were away');
    const again = client('bob');
    const got = collect(again);
    await again.connect();
    await until(() => got.length === 1, 'offline delivery');
    assert.deepEqual([got[0].from, got[0].text, got[0].encrypted, got[0].trust], ['alice', 'while you were away', true, 'pinned']);
  });

  it('gives both sides the same safety number, stable across restarts, and remembers verification in the trust file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'classchat-e2ee-'));
    try {
      fleet.trusts.set('alice', new FileTrustStore(join(dir, 'alice.trust.json')));
      const alice = await online('alice');
      const bob = await online('bob');
      await until(() => alice.roster.has('bob'), 'bob in alice\'s roster');
      const number = await alice.safetyNumber('bob');
      assert.match(number, /^\d{5}( \d{5}){11}$/);
      assert.equal(await bob.safetyNumber('alice'), number);
      await alice.verify('bob', number);
      await alice.close();

      fleet.trusts.set('alice', new FileTrustStore(join(dir, 'alice.trust.json')));
      const restarted = await online('alice');
      assert.equal(await restarted.safetyNumber('bob'), number);
      assert.equal(restarted.keyTrust('bob'), 'verified');
      await assert.rejects(restarted.verify('bob', '00000 '.repeat(11) + '00000'), isCode('key_changed'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
