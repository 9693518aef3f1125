import { strict as assert } from 'node:assert';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

describe('server robustness', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  const login = async (name: string, identity?: Parameters<typeof RawClient.login>[2]) => {
    const result = await RawClient.login(server.port, name, identity);
    clients.push(result.client);
    return result;
  };

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.close();
  });

  it('answers malformed lines with error codes and keeps serving the connection', async () => {
    server = await startTestServer();
    const alice = await login('alice');
    const c = alice.client;
    c.writeRaw('not json\n');
    assert.equal((await c.next('error')).code, 'bad_json');
    c.writeRaw('[1,2,3]\n');
    assert.equal((await c.next('error')).code, 'bad_json');
    c.writeRaw('{"type":"teleport"}\n');
    assert.equal((await c.next('error')).code, 'unknown_type');
    c.writeRaw('{"type":"send","id":"x","to":"*","text":42}\n');
    const wrongType = await c.next('error');
    assert.deepEqual([wrongType.code, wrongType.id], ['invalid_frame', 'x']);
    c.writeRaw(Buffer.concat([Buffer.from('{"type":"send","id":"u","to":"*","text":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]));
    assert.equal((await c.next('error')).code, 'bad_utf8');
    c.writeRaw('{"type":"send","id":"big","to":"*","text":"' + 'a'.repeat(200 * 1024) + '"}\n');
    assert.equal((await c.next('error')).code, 'line_too_long');
    c.writeRaw('{"type":"send","id":"nul","to":"*","text":"a\\u0000b"}\n');
    assert.equal((await c.next('sent')).id, 'nul');
    c.send({ type: 'ping', rid: 'still-alive' });
    assert.equal((await c.next('pong')).rid, 'still-alive');
  });

  it('closes a connection that only sends garbage', async () => {
    server = await startTestServer();
    const client = await RawClient.open(server.port);
    clients.push(client);
    for (let i = 0; i < 100; i++) client.writeRaw('{garbage\n');
    await client.waitClosed();
    assert.equal(client.all('error').pop()?.code, 'abuse');
  });

  it('isolates a client that stops reading: others keep receiving, it is dropped, and its mail waits for it', async function () {
    this.timeout(30000);
    server = await startTestServer({ rateLimit: false, softQueueBytes: 64 * 1024, hardQueueBytes: 1024 * 1024, stallTimeoutMs: 300 });
    const sender = await login('sender');
    const fast = await login('fast');
    const slow = await login('slow');
    await slow.client.next('synced');
    slow.client.socket.pause();
    const text = 'x'.repeat(8000);
    const total = 1500;
    for (let i = 0; i < total; i++) sender.client.send({ type: 'send', id: `m${i}`, to: '*', text: `${i} ${text}` });
    await fast.client.waitFor(() => (fast.client.all('msg').length === total ? true : undefined), `${total} messages at the fast reader`, 20000);
    await fast.client.waitFor(() => (server.server.sessions.isOnline('slow') ? undefined : true), 'the slow reader to be dropped', 10000);
    slow.client.close();
    const back = await login('slow', slow.identity);
    const texts = new Set<string>();
    back.client.socket.on('data', () => undefined);
    await back.client.waitFor(() => {
      for (const msg of back.client.all('msg')) texts.add(msg.id);
      const last = back.client.all('msg').pop();
      if (last) back.client.send({ type: 'ack', seq: last.seq });
      back.client.frames.length = 0;
      return texts.size === total ? true : undefined;
    }, 'all missed messages after reconnecting', 20000);
    assert.equal(texts.size, total);
  });
});
