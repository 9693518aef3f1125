import { strict as assert } from 'node:assert';
import { generateIdentity } from '../../src/crypto/identity';
import { PlainClient } from '../helpers/plain-client';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

describe('plain-text mode (the seed protocol)', () => {
  let server: TestServer;
  const sockets: Array<{ close(): void }> = [];
  const plain = async (name?: string) => {
    const client = await PlainClient.open(server.port);
    sockets.push(client);
    await client.waitForText('"type":"hello"');
    if (name !== undefined) {
      client.write(`${name}\n`);
      await client.waitForText(`Welcome [${name}]`);
    }
    return client;
  };

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false, plainIdleMs: 100 });
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await server.close();
  });

  it('logs in with a bare name and routes name:message and all:message', async () => {
    const alice = await plain('alice');
    const bob = await plain('bob');
    const mark = bob.text.length;
    alice.write('bob:hi there\n');
    await bob.waitForText('[alice] hi there\n', mark);
    alice.write('all:hello class\n');
    await bob.waitForText('[alice] ToAll: hello class\n', mark);
  });

  it('treats an unterminated chunk as one message, as the original clients send', async () => {
    const alice = await plain();
    alice.write('alice');
    await alice.waitForText('Welcome [alice]');
    const bob = await plain('bob');
    const mark = bob.text.length;
    alice.write('bob:no newline here');
    await bob.waitForText('[alice] no newline here\n', mark);
  });

  it('asks for a user name after an empty first line and explains a message without a recipient', async () => {
    const client = await plain();
    client.write('\n');
    await client.waitForText('Please Enter Your Username Now!');
    client.write('Not A Name!\n');
    await client.waitForText('Please enter another user name');
    client.write('zoe\n');
    await client.waitForText('Welcome [zoe]');
    client.write('just some words\n');
    await client.waitForText('no recipient! (Format) username:message, all:message or room:message');
    client.write('no body:hello\n');
    await client.waitForText('there is no user or room named no body');
  });

  it('delivers missed private and everyone messages at login, marked as missed', async () => {
    const alice = await plain('alice');
    const bob = await plain('bob');
    bob.write('{quit}\n');
    await bob.waitClosed();
    alice.write('bob:while you were out\n');
    await alice.waitForText('User bob is not online right now');
    alice.write('all:class is cancelled\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const back = await plain('bob');
    await back.waitForText('[server] You Missed: [alice] while you were out\n');
    await back.waitForText('[server] You Missed: [alice] ToAll: class is cancelled\n');
    // Delivered once: a third login gets nothing again.
    back.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const third = await plain('bob');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(third.text.includes('You Missed'), false);
  });

  it('lets JSON and plain-text users talk, marking plain-text messages as unauthenticated', async () => {
    const carol = await RawClient.login(server.port, 'carol');
    sockets.push(carol.client);
    const dan = await plain('dan');
    dan.write('carol:from the terminal\n');
    const msg = await carol.client.next('msg');
    assert.deepEqual([msg.from, msg.text, msg.plain], ['dan', 'from the terminal', true]);
    const mark = dan.text.length;
    carol.client.send({ type: 'send', id: 'c1', to: 'dan', text: 'from the app' });
    await dan.waitForText('[carol] from the app\n', mark);
  });

  it('never gives a plain-text user a name bound to a key', async () => {
    const keyed = await RawClient.login(server.port, 'erin');
    sockets.push(keyed.client);
    const client = await plain();
    client.write('erin\n');
    await client.waitForText('belongs to a ClassChat app user');
    assert.equal(client.text.includes('Welcome [erin]'), false);
  });

  it('lists at most 50 online names in its welcome, then how many more', async () => {
    const identity = await generateIdentity();
    for (let i = 0; i < 60; i++) {
      const { client } = await RawClient.login(server.port, `user${i}`, identity);
      sockets.push(client);
    }
    const netcat = await plain('netcat');
    const line = netcat.text.slice(netcat.text.indexOf('Online:')).split('\n')[0];
    assert.equal(line.split(', ').length, 50);
    assert.match(line, / and 10 more$/);
  });

  it('leaves on {quit}', async () => {
    const client = await plain('fay');
    client.write('{quit}');
    await client.waitClosed();
    assert.ok(client.text.includes('Goodbye'));
  });

  it('refuses plain text when turned off', async () => {
    await server.close();
    server = await startTestServer({ plainText: false });
    const client = await PlainClient.open(server.port);
    sockets.push(client);
    client.write('alice\n');
    await client.waitClosed();
    assert.ok(client.text.includes('"code":"bad_json"'));
    assert.equal(client.text.includes('Welcome'), false);
  });
});
