/**
 * ChatClient over TLS against the real server: verification by CA file or pinned fingerprint,
 * refusals in plain words, and reconnects that stay on TLS.
 */
import { strict as assert } from 'node:assert';
import { ChatClientError } from '../../src/client/errors';
import { checkTlsOptions } from '../../src/client/tls';
import { ClassChatError } from '../../src/protocol/errors';
import { parseFingerprint } from '../../src/protocol/cert-fingerprint';
import { generateSelfSigned, SelfSignedCertificate } from '../../src/server/self-signed-cert';
import { startTestServer, TestServer } from '../helpers/test-server';
import { testCertificate } from '../helpers/tls-fixture';
import { ClientFleet, collect } from './helpers/client-fleet';
import { nextEvent, until } from './helpers/wait';

describe('ChatClient over TLS', function () {
  this.timeout(15_000);
  let cert: SelfSignedCertificate;
  let server: TestServer;
  let fleet: ClientFleet;

  before(async () => {
    cert = await testCertificate();
  });
  afterEach(async () => {
    await fleet.closeAll();
    await server.close();
  });

  async function startTls(certificate = cert, dataDir?: string, port?: number): Promise<void> {
    server = await startTestServer({ tls: { cert: certificate.certPem, key: certificate.keyPem }, tlsFirstByteTimeoutMs: 300, dataDir, port });
  }

  function failure(error: unknown): ChatClientError {
    assert.ok(error instanceof ChatClientError, `expected a ChatClientError, got ${String(error)}`);
    return error;
  }

  beforeEach(() => {
    fleet = new ClientFleet(() => server.port);
  });

  it('logs in and exchanges messages with the server certificate as CA file', async () => {
    await startTls();
    const alice = await fleet.online('alice', { tls: { ca: cert.certPem } });
    const bob = await fleet.online('bob', { tls: { ca: cert.certPem } });
    const bobGot = collect(bob);
    await alice.sendText('bob', 'secret over TLS');
    await alice.sendText('*', 'hello class');
    await until(() => bobGot.length === 2, 'two messages at bob');
    assert.deepEqual(bobGot.map((m) => [m.text, m.encrypted]), [['secret over TLS', true], ['hello class', false]]);
    assert.ok(alice.state === 'connected');
  });

  it('accepts the pinned fingerprint, written without colons in lower case', async () => {
    await startTls();
    const pin = cert.fingerprint.replace(/:/g, '').toLowerCase();
    const alice = await fleet.online('alice', { tls: { fingerprint: pin } });
    assert.equal(alice.state, 'connected');
  });

  it('accepts a pinned certificate whatever host name is used', async () => {
    await startTls();
    const alice = await fleet.online('alice', { tls: { fingerprint: cert.fingerprint, servername: 'not-in-the-cert.example' } });
    assert.equal(alice.state, 'connected');
  });

  it('refuses a certificate other than the pinned one, showing both fingerprints', async () => {
    await startTls();
    const other = await generateSelfSigned({ hosts: [], days: 1 });
    const alice = fleet.client('alice', { tls: { fingerprint: other.fingerprint } });
    const error = failure(await alice.connect().then(() => undefined, (e: unknown) => e));
    assert.equal(error.code, 'tls_failed');
    assert.ok(error.message.includes(`its SHA-256 fingerprint is ${cert.fingerprint}`), error.message);
    assert.ok(error.message.includes(`expected ${other.fingerprint}`), error.message);
    assert.equal(alice.state, 'closed');
  });

  it('refuses an untrusted self-signed certificate without a pin or CA', async () => {
    await startTls();
    const alice = fleet.client('alice', { tls: {} });
    const error = failure(await alice.connect().then(() => undefined, (e: unknown) => e));
    assert.equal(error.code, 'tls_failed');
    assert.match(error.message, /not trusted \(self-signed\).*fingerprint/);
  });

  it('refuses a certificate for another host name', async () => {
    await startTls();
    const alice = fleet.client('alice', { tls: { ca: cert.certPem, servername: 'elsewhere.example' } });
    const error = failure(await alice.connect().then(() => undefined, (e: unknown) => e));
    assert.equal(error.code, 'tls_failed');
    assert.match(error.message, /is for DNS:localhost, IP Address:127\.0\.0\.1.*, not "elsewhere\.example"/);
  });

  it('refuses an expired certificate', async () => {
    const expired = await generateSelfSigned({ hosts: [], days: 1, notBefore: new Date(Date.now() - 3 * 86_400_000) });
    await startTls(expired);
    const alice = fleet.client('alice', { tls: { ca: expired.certPem } });
    const error = failure(await alice.connect().then(() => undefined, (e: unknown) => e));
    assert.equal(error.code, 'tls_failed');
    assert.match(error.message, /has expired/);
  });

  it('refuses an expired certificate even when it is the pinned one', async () => {
    const expired = await generateSelfSigned({ hosts: [], days: 1, notBefore: new Date(Date.now() - 3 * 86_400_000) });
    await startTls(expired);
    const alice = fleet.client('alice', { tls: { fingerprint: expired.fingerprint } });
    const error = failure(await alice.connect().then(() => undefined, (e: unknown) => e));
    assert.equal(error.code, 'tls_failed');
    assert.match(error.message, /has expired/);
  });

  it('tells a plain TCP client that the server requires TLS, does not retry, and the server keeps serving', async () => {
    await startTls();
    const plain = fleet.client('plain');
    const error = await plain.connect().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ClassChatError && error.code === 'tls_required', String(error));
    assert.equal(plain.state, 'closed');
    const alice = await fleet.online('alice', { tls: { fingerprint: cert.fingerprint } });
    assert.equal(alice.state, 'connected');
  });

  it('tells a TLS client that the server is plain TCP, and the server keeps serving', async () => {
    server = await startTestServer();
    const alice = fleet.client('alice', { tls: { fingerprint: cert.fingerprint } });
    const error = failure(await alice.connect().then(() => undefined, (e: unknown) => e));
    assert.equal(error.code, 'tls_failed');
    assert.match(error.message, /did not answer with TLS|during the TLS handshake/);
    const bob = await fleet.online('bob');
    assert.equal(bob.state, 'connected');
  });

  it('reconnects over TLS after the server restarts', async () => {
    await startTls();
    const { port, dataDir } = server;
    const alice = await fleet.online('alice', { tls: { fingerprint: cert.fingerprint } });
    const lost = nextEvent(alice, 'state', (state) => state.state === 'reconnecting');
    await server.stop();
    await lost;
    // The new server speaks only TLS: a plain reconnect would be refused with tls_required (permanent).
    await startTls(cert, dataDir, port);
    await nextEvent(alice, 'state', (state) => state.state === 'connected', 10_000);
    const sent = await alice.sendText('*', 'back');
    assert.ok(sent.seq > 0);
  });

  it('checks TLS options when the client is made', () => {
    assert.throws(() => checkTlsOptions({ fingerprint: 'AB:CD' }), /64 hex digits/);
    assert.throws(() => checkTlsOptions({ ca: 'not a certificate' }), /PEM/);
    assert.equal(checkTlsOptions({ fingerprint: cert.fingerprint.toLowerCase() }).fingerprint, cert.fingerprint);
    assert.equal(parseFingerprint(` ${cert.fingerprint.replace(/:/g, ' ')} `), cert.fingerprint);
    assert.equal(parseFingerprint('zz'.repeat(32)), undefined);
  });
});
