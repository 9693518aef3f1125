/**
 * ChatClient against a scripted fake server (real sockets on 127.0.0.1 port 0): login,
 * reconnect, resend, dedupe, acks, errors and malformed frames, with a fake clock for time.
 */
import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { ChatClient, ChatClientOptions, ClientState } from '../../src/client';
import { ChatClientError } from '../../src/client/errors';
import { MemoryKeyStore } from '../../src/client/key-store';
import { ClassChatError } from '../../src/protocol/errors';
import type { ChatMessage } from '../../src/protocol/frames';
import { generateIdentity, Identity } from '../../src/crypto/identity';
import { FakeClock } from './helpers/fake-clock';
import { FakeConnection, FakeServer } from './helpers/fake-server';
import { nextEvent, tick, until } from './helpers/wait';

let BOB: Identity;

function isCode(code: string) {
  return (error: unknown) => (error instanceof ClassChatError || error instanceof ChatClientError) && error.code === code;
}

function msg(seq: number, extra: Partial<ChatMessage> = {}) {
  return { type: 'msg', seq, id: `m${seq}`, from: 'bob', to: 'alice', ts: 1000 + seq, text: `hello ${seq}`, ...extra };
}

describe('ChatClient (fake server)', () => {
  before(async () => {
    BOB = await generateIdentity();
  });

  let server: FakeServer;
  let clock: FakeClock;
  let clients: ChatClient[];

  beforeEach(async () => {
    server = await FakeServer.start();
    clock = new FakeClock();
    clients = [];
  });

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
  });

  function makeClient(options: Partial<ChatClientOptions> = {}): ChatClient {
    const client = new ChatClient({
      host: '127.0.0.1',
      port: server.port,
      name: 'alice',
      keyStore: new MemoryKeyStore(),
      timers: clock,
      backoff: { initialMs: 500, maxMs: 30_000, random: () => 0.5 },
      ...options,
    });
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  }

  /** Connects a client and plays the server's side of the login. */
  async function connected(options: Partial<ChatClientOptions> = {}): Promise<{ client: ChatClient; conn: FakeConnection }> {
    const client = makeClient(options);
    const welcome = client.connect();
    const conn = await server.nextConnection();
    await conn.acceptLogin({ users: [{ name: 'alice', publicKey: null, online: true }, { name: 'bob', publicKey: BOB.publicKey, online: false }] });
    await welcome;
    return { client, conn };
  }

  /** Drops the connection and plays the reconnect and login; returns the new connection. */
  async function reconnect(client: ChatClient, conn: FakeConnection, ackedSeq?: number): Promise<FakeConnection> {
    const reconnecting = nextEvent(client, 'state', (state) => state.state === 'reconnecting');
    conn.drop();
    const [state] = await reconnecting;
    assert.equal(state.state, 'reconnecting');
    clock.advance(state.state === 'reconnecting' ? state.delayMs : 0);
    const next = await server.nextConnection();
    const back = nextEvent(client, 'state', (s) => s.state === 'connected');
    await next.acceptLogin({ ackedSeq });
    await back;
    return next;
  }

  describe('login', () => {
    it('logs in with the normalised name and a signature over this connection\'s challenge', async () => {
      const client = makeClient({ name: '  Alice ', joinCode: 'abc' });
      const states: string[] = [];
      client.on('state', (state) => states.push(state.state));
      const welcome = client.connect();
      const conn = await server.nextConnection();
      const login = await conn.acceptLogin();
      const frame = await welcome;
      assert.equal(login.name, 'alice');
      assert.equal(login.v, 1);
      assert.equal(login.joinCode, 'abc');
      assert.equal(login.ackedSeq, undefined);
      assert.equal(frame.name, 'alice');
      assert.deepEqual(states, ['connecting', 'connected']);
      assert.equal(client.state, 'connected');
    });

    it('creates an identity on first use, saves it, and reuses it on the next connect', async () => {
      const keyStore = new MemoryKeyStore();
      const { client, conn } = await connected({ keyStore });
      const saved = await keyStore.load();
      assert.ok(saved);
      await client.close();
      await conn.waitClosed();
      const again = client.connect();
      const conn2 = await server.nextConnection();
      const login = await conn2.acceptLogin();
      await again;
      assert.equal(login.publicKey, saved.publicKey);
    });

    it('uses the identity already in the key store', async () => {
      const identity = await generateIdentity();
      const client = makeClient({ keyStore: new MemoryKeyStore(identity) });
      const welcome = client.connect();
      const login = await (await server.nextConnection()).acceptLogin();
      await welcome;
      assert.equal(login.publicKey, identity.publicKey);
    });

    it('fills the roster from welcome', async () => {
      const { client } = await connected();
      assert.deepEqual([...client.roster], [
        ['alice', { publicKey: null, online: true }],
        ['bob', { publicKey: BOB.publicKey, online: false }],
      ]);
    });

    it('rejects with unsupported_version when the server offers no version it speaks, and does not retry', async () => {
      server.autoHello = { versions: [98, 99] };
      const client = makeClient();
      await assert.rejects(client.connect(), isCode('unsupported_version'));
      assert.equal(client.state, 'closed');
      assert.equal(clock.pending, 0);
      assert.equal(server.connections.length, 1);
    });

    for (const code of ['name_taken', 'bad_signature', 'join_code_required', 'bad_join_code', 'invalid_name']) {
      it(`rejects with ${code} from the server and does not reconnect`, async () => {
        const client = makeClient();
        const welcome = client.connect();
        const conn = await server.nextConnection();
        await conn.next('login');
        conn.end({ type: 'error', code, message: `the server says ${code}`, fatal: true });
        await assert.rejects(welcome, (error: unknown) => isCode(code)(error) && (error as Error).message === `the server says ${code}`);
        assert.equal(client.state, 'closed');
        clock.advance(60_000);
        await tick();
        assert.equal(server.connections.length, 1);
      });
    }

    it('rejects with connect_failed and plain words when nothing listens on the port', async () => {
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const address = probe.address();
      assert.ok(address && typeof address !== 'string');
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      const client = makeClient({ port: address.port });
      await assert.rejects(client.connect(), (error: unknown) => isCode('connect_failed')(error) && /connection refused/.test((error as Error).message));
      assert.equal(client.state, 'closed');
    });

    it('rejects with timeout when the server never says hello', async () => {
      server.autoHello = false;
      const client = makeClient({ connectTimeoutMs: 5000 });
      const welcome = client.connect();
      const conn = await server.nextConnection();
      clock.advance(5000);
      await assert.rejects(welcome, isCode('timeout'));
      await conn.waitClosed();
    });

    it('throws for an invalid own name before connecting', () => {
      assert.throws(() => makeClient({ name: 'no spaces allowed' }), isCode('invalid_name'));
      assert.throws(() => makeClient({ name: 'Everyone' }), isCode('name_reserved'));
    });
  });

  describe('sending', () => {
    it('sends a private message encrypted with a fresh id and resolves with the seq from sent', async () => {
      const { client, conn } = await connected();
      const sentEvent = nextEvent(client, 'sent');
      const result = client.sendText('Bob', 'hi bob');
      const frame = await conn.next('send');
      assert.match(frame.id, /^[A-Za-z0-9_-]{1,64}$/);
      assert.equal(frame.to, 'bob');
      assert.equal(frame.text, undefined);
      assert.ok(frame.box && !frame.box.ciphertext.includes('hi bob'));
      conn.send({ type: 'sent', id: frame.id, seq: 42, ts: 99, duplicate: false });
      assert.deepEqual(await result, { id: frame.id, to: 'bob', seq: 42, ts: 99, duplicate: false });
      assert.deepEqual((await sentEvent)[0], { id: frame.id, to: 'bob', seq: 42, ts: 99, duplicate: false });
      assert.equal(client.outboxSize, 0);
    });

    it('sends to everyone with "*"', async () => {
      const { client, conn } = await connected();
      void client.sendText('*', 'hi all').catch(() => undefined);
      assert.equal((await conn.next('send')).to, '*');
    });

    it('rejects with the server code on a refused message and forgets it', async () => {
      const { client, conn } = await connected();
      const result = client.sendText('bob', 'hi');
      const frame = await conn.next('send');
      conn.send({ type: 'error', code: 'unknown_user', message: 'There is no user with that name. (bob)', id: frame.id, fatal: false });
      await assert.rejects(result, isCode('unknown_user'));
      assert.equal(client.outboxSize, 0);
    });

    it('rejects a text over the limit before sending anything', async () => {
      const { client, conn } = await connected();
      await assert.rejects(client.sendText('bob', 'é'.repeat(8193)), isCode('text_too_long'));
      void client.sendText('*', 'x').catch(() => undefined);
      await conn.next('send', (frame) => frame.text === 'x');
      void client.close();
      await conn.waitClosed();
      assert.deepEqual(conn.all('send'), []);
    });

    it('rejects an invalid recipient name', async () => {
      const client = makeClient();
      await assert.rejects(client.sendText('two words', 'hi'), isCode('invalid_name'));
      await assert.rejects(client.sendText('all', 'hi'), isCode('unknown_user'));
    });

    it('resends a rate-limited message with the same id after a pause', async () => {
      const { client, conn } = await connected({ sendRetry: { initialMs: 1000, maxMs: 8000, random: () => 0 } });
      const result = client.sendText('*', 'slow down');
      const first = await conn.next('send');
      conn.send({ type: 'error', code: 'rate_limited', message: 'Too many messages', id: first.id, fatal: false });
      await until(() => clock.pendingDelays.includes(500), 'the retry timer');
      assert.equal(conn.all('send').length, 0);
      clock.advance(500);
      const second = await conn.next('send');
      assert.equal(second.id, first.id);
      conn.send({ type: 'sent', id: second.id, seq: 5, ts: 1, duplicate: false });
      assert.equal((await result).seq, 5);
    });

    it('queues messages while offline and sends them once connected', async () => {
      const client = makeClient();
      const result = client.sendText('*', 'early');
      const welcome = client.connect();
      const conn = await server.nextConnection();
      await conn.acceptLogin();
      await welcome;
      const frame = await conn.next('send');
      conn.send({ type: 'sent', id: frame.id, seq: 1, ts: 1, duplicate: false });
      assert.equal((await result).seq, 1);
    });

    it('rejects with outbox_full when the outbox is full', async () => {
      const client = makeClient({ outboxCapacity: 2 });
      const pending = [client.sendText('*', '1'), client.sendText('*', '2')];
      await assert.rejects(client.sendText('*', '3'), isCode('outbox_full'));
      await client.close();
      for (const promise of pending) await assert.rejects(promise, isCode('closed'));
    });

    it('keeps at most maxInFlight sends waiting for sent', async () => {
      const { client, conn } = await connected({ maxInFlight: 2 });
      const results = ['a', 'b', 'c'].map((text) => client.sendText('*', text));
      const a = await conn.next('send');
      await conn.next('send');
      await tick();
      assert.equal(conn.all('send').length, 0);
      conn.send({ type: 'sent', id: a.id, seq: 1, ts: 1, duplicate: false });
      assert.equal((await conn.next('send')).text, 'c');
      void client.close();
      for (const result of results.slice(1)) await assert.rejects(result, isCode('closed'));
    });

    it('accepts an encrypted box for one user but not for everyone', async () => {
      const { client, conn } = await connected();
      const box = { nonce: 'AAAA', ciphertext: 'BBBB' };
      void client.sendBox('bob', box).catch(() => undefined);
      assert.deepEqual((await conn.next('send')).box, box);
      await assert.rejects(client.sendBox('*', box), isCode('invalid_frame'));
    });
  });

  describe('receiving', () => {
    it('emits each message once, dropping seq at or below the last seen, and acks cumulatively in one frame', async () => {
      const { client, conn } = await connected();
      const seen: number[] = [];
      client.on('message', (message) => seen.push(message.seq));
      conn.writeRaw([msg(3), msg(5), msg(5), msg(4), msg(9)].map((frame) => JSON.stringify(frame) + '\n').join(''));
      const ack = await conn.next('ack');
      assert.deepEqual(seen, [3, 5, 9]);
      assert.equal(ack.seq, 9);
      await tick();
      assert.equal(conn.all('ack').length, 0);
    });

    it('does not acknowledge when autoAck is off until asked', async () => {
      const { client, conn } = await connected({ autoAck: false });
      const got = nextEvent(client, 'message');
      conn.send(msg(2));
      await got;
      await tick();
      await tick();
      assert.equal(conn.all('ack').length, 0);
      client.acknowledge(2);
      assert.equal((await conn.next('ack')).seq, 2);
    });

    it('updates the roster on presence and tells whether the user is new', async () => {
      const { client, conn } = await connected();
      const presence = nextEvent(client, 'presence');
      conn.send({ type: 'presence', user: { name: 'bob', publicKey: BOB.publicKey, online: true } });
      const [user, previous] = await presence;
      assert.equal(user.online, true);
      assert.deepEqual(previous, { publicKey: BOB.publicKey, online: false });
      const joined = nextEvent(client, 'presence');
      conn.send({ type: 'presence', user: { name: 'carol', publicKey: null, online: true } });
      assert.equal((await joined)[1], undefined);
      assert.deepEqual(client.roster.get('carol'), { publicKey: null, online: true });
    });

    it('emits synced', async () => {
      const { client, conn } = await connected();
      const synced = nextEvent(client, 'synced');
      conn.send({ type: 'synced', seq: 12 });
      assert.deepEqual(await synced, [12]);
    });

    it('reports a malformed server frame as an error and keeps the connection', async () => {
      const { client, conn } = await connected();
      const errors: Array<ClassChatError | ChatClientError> = [];
      client.on('error', (error) => errors.push(error));
      const message = nextEvent(client, 'message');
      conn.writeRaw('{not json\n{"type":"msg","seq":"x"}\n{"type":"from_the_future"}\n' + JSON.stringify(msg(1)) + '\n');
      assert.equal((await message)[0].seq, 1);
      assert.deepEqual(errors.map((error) => error.code), ['bad_json', 'invalid_frame']);
      assert.equal(client.state, 'connected');
    });

    it('emits a non-fatal server error that is not about a pending call', async () => {
      const { client, conn } = await connected();
      const error = nextEvent(client, 'error');
      conn.send({ type: 'error', code: 'invalid_frame', message: 'A field is wrong', fatal: false });
      assert.equal((await error)[0].code, 'invalid_frame');
    });
  });

  describe('history', () => {
    it('matches the page to its request by rid', async () => {
      const { client, conn } = await connected();
      const page = client.history('Bob', { before: 10, limit: 2 });
      const request = await conn.next('history');
      assert.equal(request.with, 'bob');
      assert.equal(request.before, 10);
      assert.equal(request.limit, 2);
      conn.send({ type: 'history_page', rid: 'someone-else', with: 'bob', messages: [], more: false });
      conn.send({ type: 'history_page', rid: request.rid, with: 'bob', messages: [msg(3), msg(4)], more: true });
      const result = await page;
      assert.deepEqual(result.messages.map((message) => message.seq), [3, 4]);
      assert.equal(result.more, true);
    });

    it('rejects with the server error carrying its rid', async () => {
      const { client, conn } = await connected();
      const page = client.history('nobody');
      const request = await conn.next('history');
      conn.send({ type: 'error', code: 'unknown_user', message: 'no such user', rid: request.rid, fatal: false });
      await assert.rejects(page, isCode('unknown_user'));
    });

    it('rejects with timeout when no page arrives', async () => {
      const { client, conn } = await connected({ requestTimeoutMs: 4000 });
      const page = client.history('*');
      await conn.next('history');
      clock.advance(4000);
      await assert.rejects(page, isCode('timeout'));
    });

    it('rejects at once when not connected, and for a limit out of range', async () => {
      const client = makeClient();
      await assert.rejects(client.history('*'), isCode('not_connected'));
      await assert.rejects(client.history('*', { limit: 201 }), isCode('invalid_frame'));
    });
  });

  describe('reconnecting', () => {
    it('reconnects with backoff after the connection drops, carrying the highest seq seen', async () => {
      const { client, conn } = await connected();
      const got = nextEvent(client, 'message');
      conn.send(msg(7));
      await got;
      await conn.next('ack');
      const states: ClientState[] = [];
      client.on('state', (state) => states.push(state));
      const reconnecting = nextEvent(client, 'state', (state) => state.state === 'reconnecting');
      conn.drop();
      await reconnecting;
      assert.deepEqual(states.map((s) => [s.state, s.state === 'reconnecting' ? [s.attempt, s.delayMs] : null]), [['reconnecting', [1, 250]]]);
      clock.advance(249);
      await tick();
      assert.equal(server.connections.length, 1);
      clock.advance(1);
      const next = await server.nextConnection();
      const login = await next.acceptLogin();
      assert.equal(login.ackedSeq, 7);
      await until(() => client.state === 'connected', 'connected again');
    });

    it('grows the delay while reconnect attempts fail, and resets it after a login', async () => {
      const { client, conn } = await connected();
      const delays: number[] = [];
      client.on('state', (state) => state.state === 'reconnecting' && delays.push(state.delayMs));
      server.autoHello = false;
      conn.drop();
      for (let attempt = 1; attempt <= 3; attempt++) {
        await until(() => delays.length === attempt, `attempt ${attempt}`);
        clock.advance(delays[attempt - 1]);
        (await server.nextConnection()).drop();
      }
      await until(() => delays.length === 4, 'attempt 4');
      assert.deepEqual(delays, [250, 500, 1000, 2000]);
      server.autoHello = {};
      clock.advance(2000);
      await (await server.nextConnection()).acceptLogin();
      await until(() => client.state === 'connected', 'connected');
      server.connections[server.connections.length - 1].drop();
      await until(() => delays.length === 5, 'attempt after login');
      assert.equal(delays[4], 250);
    });

    it('resends every unacknowledged message with the same id after a reconnect', async () => {
      const { client, conn } = await connected();
      const first = client.sendText('bob', 'one');
      const second = client.sendText('*', 'two');
      const a = await conn.next('send');
      const b = await conn.next('send');
      const next = await reconnect(client, conn);
      const resentA = await next.next('send');
      const resentB = await next.next('send');
      assert.deepEqual([resentA.id, resentB.id], [a.id, b.id]);
      next.send({ type: 'sent', id: a.id, seq: 3, ts: 1, duplicate: true });
      next.send({ type: 'sent', id: b.id, seq: 4, ts: 1, duplicate: false });
      assert.equal((await first).duplicate, true);
      assert.equal((await second).seq, 4);
    });

    it('does not emit a message again when the server redelivers it after a reconnect', async () => {
      const { client, conn } = await connected({ autoAck: false });
      const seen: number[] = [];
      client.on('message', (message) => seen.push(message.seq));
      conn.send(msg(1));
      await until(() => seen.length === 1, 'first message');
      const next = await reconnect(client, conn, 0);
      next.send(msg(1));
      next.send(msg(2));
      await until(() => seen.length === 2, 'second message');
      assert.deepEqual(seen, [1, 2]);
    });

    it('rejects pending history requests when the connection drops', async () => {
      const { client, conn } = await connected();
      const page = client.history('*');
      await conn.next('history');
      conn.drop();
      await assert.rejects(page, isCode('connection_lost'));
    });

    it('reconnects after bye server_shutdown', async () => {
      const { client, conn } = await connected();
      const reconnecting = nextEvent(client, 'state', (state) => state.state === 'reconnecting');
      conn.end({ type: 'bye', reason: 'server_shutdown' });
      const [state] = await reconnecting;
      assert.ok(state.state === 'reconnecting' && state.reason instanceof ClassChatError && state.reason.code === 'server_shutdown');
    });

    it('stops with an error after bye replaced and does not reconnect', async () => {
      const { client, conn } = await connected();
      const pending = client.sendText('bob', 'lost');
      await conn.next('send');
      const error = nextEvent(client, 'error');
      const closed = nextEvent(client, 'state', (state) => state.state === 'closed');
      conn.end({ type: 'bye', reason: 'replaced' });
      assert.equal((await error)[0].code, 'replaced');
      await closed;
      await assert.rejects(pending, isCode('replaced'));
      assert.equal(clock.pending, 0);
    });

    it('stops when a reconnect login fails with name_taken', async () => {
      const { client, conn } = await connected();
      const closed = nextEvent(client, 'state', (state) => state.state === 'closed');
      const reconnecting = nextEvent(client, 'state', (state) => state.state === 'reconnecting');
      conn.drop();
      const [state] = await reconnecting;
      clock.advance(state.state === 'reconnecting' ? state.delayMs : 0);
      const next = await server.nextConnection();
      await next.next('login');
      next.end({ type: 'error', code: 'name_taken', message: 'That name belongs to another key.', fatal: true });
      const [final] = await closed;
      assert.ok(final.state === 'closed' && isCode('name_taken')(final.error));
      assert.equal(clock.pending, 0);
    });
  });

  describe('keep-alive', () => {
    it('pings after 30 s of silence and reconnects after 75 s', async () => {
      const { client, conn } = await connected();
      clock.advance(30_000);
      await conn.next('ping');
      const reconnecting = nextEvent(client, 'state', (state) => state.state === 'reconnecting');
      clock.advance(45_000);
      const [state] = await reconnecting;
      assert.ok(state.state === 'reconnecting' && isCode('timeout')(state.reason));
      await conn.waitClosed();
    });
  });

  describe('close', () => {
    it('says bye, rejects what is pending with "closed", and leaves no timer', async () => {
      const { client, conn } = await connected();
      const pending = assert.rejects(client.sendText('bob', 'never acknowledged'), isCode('closed'));
      const page = assert.rejects(client.history('*'), isCode('closed'));
      await conn.next('send');
      await client.close();
      await conn.next('bye');
      await conn.waitClosed();
      await pending;
      await page;
      assert.equal(client.state, 'closed');
      assert.equal(clock.pending, 0);
      await assert.rejects(client.sendText('bob', 'after close'), isCode('closed'));
    });

    it('cancels a scheduled reconnect', async () => {
      const { client, conn } = await connected();
      const reconnecting = nextEvent(client, 'state', (state) => state.state === 'reconnecting');
      conn.drop();
      await reconnecting;
      await client.close();
      assert.equal(clock.pending, 0);
      clock.advance(60_000);
      await tick();
      assert.equal(server.connections.length, 1);
    });

    it('rejects a connect in progress', async () => {
      server.autoHello = false;
      const client = makeClient();
      const welcome = assert.rejects(client.connect(), isCode('closed'));
      await server.nextConnection();
      await client.close();
      await welcome;
    });
  });
});
