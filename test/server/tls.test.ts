/**
 * ChatServer with TLS: the same connection code behind a handshake (modes, limits,
 * backpressure), and clear refusals for clients that do not speak TLS.
 */
import { strict as assert } from 'node:assert';
import { connect as tcpConnect, createServer, Server, Socket } from 'node:net';
import { listenOnLoopback } from '../helpers/loopback';
import { RawClient } from '../helpers/raw-client';
import { PlainClient } from '../helpers/plain-client';
import { startTestServer, TestServer } from '../helpers/test-server';
import { testCertificate } from '../helpers/tls-fixture';
import type { SelfSignedCertificate } from '../../src/server/self-signed-cert';
import type { ChatServerOptions } from '../../src/server/chat-server';

describe('ChatServer over TLS', function () {
  this.timeout(20_000);
  let cert: SelfSignedCertificate;
  let server: TestServer | undefined;
  const open: Array<{ close(): void }> = [];

  before(async () => {
    cert = await testCertificate();
  });
  afterEach(async () => {
    for (const client of open.splice(0)) client.close();
    await server?.close();
    server = undefined;
  });

  async function startTls(options: Partial<ChatServerOptions> = {}): Promise<TestServer> {
    server = await startTestServer({ tls: { cert: cert.certPem, key: cert.keyPem }, ...options });
    return server;
  }

  async function tlsClient(port: number): Promise<RawClient> {
    const client = await RawClient.openTls(port, { ca: cert.certPem });
    open.push(client);
    return client;
  }

  it('logs in and delivers messages over TLS, listing "tls" in hello', async () => {
    const { port } = await startTls();
    const alice = await tlsClient(port);
    assert.ok(alice.hello.features.includes('tls'));
    assert.ok((alice.socket as import('node:tls').TLSSocket).authorized, 'the certificate verifies against itself as CA');
    await alice.loginAs('alice');
    const bob = await tlsClient(port);
    await bob.loginAs('bob');
    await bob.next('synced');
    alice.send({ type: 'send', id: 'm1', to: '*', text: 'hello over TLS' });
    assert.equal((await alice.next('sent')).id, 'm1');
    const msg = await bob.next('msg');
    assert.deepEqual([msg.from, msg.text], ['alice', 'hello over TLS']);
  });

  it('sends a welcome with a 700-user roster intact over TLS', async () => {
    const { port, server: chat } = await startTls();
    for (let i = 0; i < 700; i++) assert.ok((await chat.authenticate(`u${String(i).padStart(29, '0')}`, null, undefined, `seed-${i}`)).ok);
    const zed = await tlsClient(port);
    const { welcome } = await zed.loginAs('zed');
    assert.deepEqual(welcome.users, chat.roster());
    assert.equal(welcome.users.length, 701);
  });

  it('does not list "tls" in hello when serving plain TCP', async () => {
    server = await startTestServer();
    const client = await RawClient.open(server.port);
    open.push(client);
    assert.ok(!client.hello.features.includes('tls'));
  });

  it('tells a plain JSON client, waiting for hello, that TLS is required, and keeps serving TLS clients', async () => {
    const { port } = await startTls({ tlsFirstByteTimeoutMs: 200 });
    const plain = await RawClient.open(port, false);
    open.push(plain);
    const refusal = await plain.next('error');
    assert.equal(refusal.code, 'tls_required');
    assert.equal(refusal.fatal, true);
    assert.match(refusal.message, /only TLS/);
    await plain.waitClosed();
    const alice = await tlsClient(port);
    await alice.loginAs('alice');
  });

  it('answers a plain-text user (nc) who types first with the TLS-required line', async () => {
    const { port } = await startTls();
    const nc = await PlainClient.open(port);
    open.push({ close: () => nc.socket.destroy() });
    nc.write('alice\n');
    await nc.waitForText('tls_required');
    await nc.waitForText('"fatal":true');
  });

  it('speaks the plain-text mode inside TLS too', async () => {
    const { port } = await startTls();
    const client = await tlsClient(port);
    client.writeRaw('carol\n');
    await client.waitFor(() => (client.invalid.some((line) => line.includes('Welcome [carol]')) ? true : undefined), 'the plain-text welcome');
  });

  it('closes a client that starts a handshake and never finishes it', async () => {
    const { port } = await startTls({ tlsHandshakeTimeoutMs: 300 });
    const socket = tcpConnect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    const started = Date.now();
    socket.write(Buffer.from([0x16, 0x03, 0x01])); // the first bytes of a ClientHello, then nothing
    await new Promise((resolve) => socket.once('close', resolve));
    const waited = Date.now() - started;
    assert.ok(waited >= 250 && waited < 5000, `closed after ${waited} ms`);
    const alice = await tlsClient(port);
    await alice.loginAs('alice');
  });

  it('counts TLS connections per address', async () => {
    const { port } = await startTls({ maxConnectionsPerAddress: 2 });
    await tlsClient(port);
    await tlsClient(port);
    // The refusal comes over TLS instead of hello.
    const socket = (await import('node:tls')).connect({ host: '127.0.0.1', port, ca: cert.certPem });
    let text = '';
    socket.setEncoding('utf8').on('data', (data: string) => (text += data));
    await new Promise((resolve) => socket.once('close', resolve));
    assert.match(text, /"code":"too_many_connections"/);
  });

  it('closes a TLS TCP client that connects to a plain server, and keeps serving plain clients', async () => {
    server = await startTestServer();
    const { connect } = await import('node:tls');
    const socket = connect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false });
    const failure = await new Promise<NodeJS.ErrnoException>((resolve) => socket.once('error', resolve));
    assert.match(String(failure.code), /ERR_SSL|ECONNRESET/);
    const plain = await RawClient.login(server.port, 'alice');
    open.push(plain.client);
  });

  it('isolates a TLS client that stops reading: it is dropped while others receive everything', async function () {
    this.timeout(30_000);
    const { port } = await startTls({ rateLimit: false, softQueueBytes: 64 * 1024, hardQueueBytes: 1024 * 1024, stallTimeoutMs: 300 });
    const sender = await tlsClient(port);
    await sender.loginAs('sender');
    const fast = await tlsClient(port);
    await fast.loginAs('fast');
    // A TLS socket keeps draining TCP into memory even when paused: stall a relay in between instead.
    const relay = await StallingRelay.start(port);
    open.push(relay);
    const slow = await tlsClient(relay.port);
    await slow.loginAs('slow');
    await slow.next('synced');
    relay.stopReadingFromServer();
    const total = 1500; // 12 MB: more than the loopback socket buffers hold
    const text = 'x'.repeat(8000);
    for (let i = 0; i < total; i++) sender.send({ type: 'send', id: `m${i}`, to: '*', text: `${i} ${text}` });
    await fast.waitFor(() => (fast.all('msg').length === total ? true : undefined), `${total} messages at the fast reader`, 20_000);
    await fast.waitFor(() => (server!.server.sessions.isOnline('slow') ? undefined : true), 'the slow reader to be dropped', 10_000);
  });
});

/** Relays one connection to the server; can stop reading from the server, like a client that stopped reading. */
class StallingRelay {
  private upstream: Socket | undefined;
  private readonly sockets: Socket[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<StallingRelay> {
    const server = createServer();
    const relay = new StallingRelay(server, await listenOnLoopback(server));
    server.on('connection', (client) => {
      const upstream = tcpConnect(targetPort, '127.0.0.1');
      relay.upstream = upstream;
      relay.sockets.push(client, upstream);
      for (const socket of [client, upstream]) socket.on('error', () => undefined);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    return relay;
  }

  stopReadingFromServer(): void {
    this.upstream?.unpipe();
    this.upstream?.pause();
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
  }
}
