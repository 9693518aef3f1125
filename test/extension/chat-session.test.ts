/**
 * The extension's host side without vscode: ChatSession and ChatViewModel against a real server,
 * with the webview played by a list of posted messages.
 */
import { strict as assert } from 'node:assert';
import { MemoryKeyStore } from '../../src/client/key-store';
import { ChatClient } from '../../src/client/chat-client';
import { ChatSession } from '../../src/extension/chat-session';
import { ChatViewModel } from '../../src/extension/chat-view-model';
import type { HostMessage, MessageView } from '../../webview/protocol';
import { LogStore } from '../../src/server/store/log-store';
import { startTestServer, TestServer } from '../helpers/test-server';
import { nextEvent, until } from '../client/helpers/wait';

describe('ChatSession and the chat view model (real server)', function () {
  this.timeout(15_000);
  let server: TestServer;
  const open: Array<{ close(): Promise<void> }> = [];

  beforeEach(async () => {
    server = await startTestServer();
  });

  afterEach(async () => {
    for (const thing of open.splice(0)) await thing.close();
    await server.close();
  });

  function session(name: string): ChatSession {
    const s = new ChatSession({ host: '127.0.0.1', port: server.port, name, keyStore: new MemoryKeyStore(), backoff: { initialMs: 20, maxMs: 100 } });
    open.push(s);
    return s;
  }

  async function client(name: string): Promise<ChatClient> {
    const c = new ChatClient({ host: '127.0.0.1', port: server.port, name, keyStore: new MemoryKeyStore() });
    open.push(c);
    await c.connect();
    return c;
  }

  /** A view model attached to a pretend webview that has said `ready`. */
  function view(s: ChatSession | undefined, active?: string) {
    const posted: HostMessage[] = [];
    const connects: number[] = [];
    const model = new ChatViewModel({ connect: () => connects.push(1), verify: () => undefined, saveFile: () => undefined, room: () => undefined, copy: () => undefined, log: () => undefined });
    model.setSession(s);
    model.attach((message) => posted.push(message));
    model.setVisible(true);
    model.handle({ type: 'ready', ...(active ? { active } : {}) });
    return { model, posted, connects };
  }

  function upserts(posted: HostMessage[], conversation: string): MessageView[] {
    return posted.flatMap((m) => (m.type === 'upsert' && m.conversation === conversation ? [m.message] : []));
  }

  it('posts nothing before ready, then a snapshot; without a session the composer says why', () => {
    const posted: HostMessage[] = [];
    const model = new ChatViewModel({ connect: () => undefined, verify: () => undefined, saveFile: () => undefined, room: () => undefined, copy: () => undefined, log: () => undefined });
    model.attach((message) => posted.push(message));
    model.setSession(undefined);
    assert.equal(posted.length, 0);
    model.handle({ type: 'ready' });
    const [snapshot] = posted;
    assert.ok(snapshot.type === 'snapshot');
    assert.equal(snapshot.connection.status, 'disconnected');
    assert.match(snapshot.conversations[0].sendBlocked ?? '', /Not connected/);
  });

  it("passes a file card's Save… to the host, and says why Decline cannot work while disconnected", () => {
    const posted: HostMessage[] = [];
    const saves: string[] = [];
    const logged: string[] = [];
    const model = new ChatViewModel({ connect: () => undefined, verify: () => undefined, saveFile: (file) => saves.push(file), room: () => undefined, copy: () => undefined, log: (m) => logged.push(m) });
    model.attach((message) => posted.push(message));
    model.handle({ type: 'ready' });
    model.handle({ type: 'acceptFile', file: 'f1' });
    model.handle({ type: 'acceptFile', file: '../f1' });
    assert.deepEqual(saves, ['f1']);
    assert.equal(logged.length, 1, 'the malformed one is logged, not acted on');
    model.handle({ type: 'declineFile', file: 'f1' });
    model.handle({ type: 'cancelFile', file: 'f1' });
    assert.deepEqual(
      posted.filter((m) => m.type === 'notice').map((m) => m.type === 'notice' && m.text),
      ['Could not decline the file: not connected', 'Could not cancel the file: not connected'],
    );
  });

  it('ignores malformed webview messages and passes the Connect button on', () => {
    const logged: string[] = [];
    const connects: number[] = [];
    const model = new ChatViewModel({ connect: () => connects.push(1), verify: () => undefined, saveFile: () => undefined, room: () => undefined, copy: () => undefined, log: (m) => logged.push(m) });
    model.attach(() => undefined);
    for (const bad of [null, 'send', { type: 'send', conversation: 'bob' }, { type: 'open', conversation: '<script>' }, { type: 'nope' }]) model.handle(bad);
    assert.equal(logged.length, 5);
    model.handle({ type: 'connect' });
    assert.equal(connects.length, 1);
  });

  it('shows a message typed in the webview as pending, then sent; the classmate receives it', async () => {
    const alice = session('alice');
    await alice.connect();
    const bob = await client('bob');
    await until(() => alice.conversations.classmates().some((c) => c.name === 'bob' && c.online), 'bob online for alice');
    assert.equal(alice.connection.status, 'connected');
    assert.equal(alice.connection.online, 1);

    const received = nextEvent(bob, 'message');
    const vm = view(alice);
    vm.model.handle({ type: 'send', conversation: '*', text: 'hello **class**' });
    const [message] = await received;
    assert.equal(message.text, 'hello **class**');
    await until(() => upserts(vm.posted, '*').some((m) => m.delivery === 'sent'), 'sent upsert');
    const states = upserts(vm.posted, '*').map((m) => m.delivery);
    assert.deepEqual(states, ['pending', 'sent']);
    assert.equal(upserts(vm.posted, '*')[1].encrypted, false, 'messages to everyone are marked server-readable');
  });

  it('sends private messages end-to-end encrypted and shows them with the lock', async () => {
    const alice = session('alice');
    await alice.connect();
    const bob = await client('bob');
    await until(() => alice.conversations.classmates().some((c) => c.name === 'bob'), 'bob known');
    const vm = view(alice, 'bob');
    const received = nextEvent(bob, 'message');
    vm.model.handle({ type: 'send', conversation: 'bob', text: 'secret' });
    const [message] = await received;
    assert.equal(message.encrypted, true);
    assert.equal(message.text, 'secret');
    await until(() => upserts(vm.posted, 'bob').some((m) => m.delivery === 'sent'), 'sent');
    assert.ok(upserts(vm.posted, 'bob').every((m) => m.encrypted));
  });

  it('counts a private message as unread while the view is hidden and reports it for a notification', async () => {
    const alice = session('alice');
    await alice.connect();
    const bob = await client('bob');
    await until(() => alice.conversations.classmates().some((c) => c.name === 'alice' || c.name === 'bob'), 'bob known');
    const vm = view(alice);
    vm.model.setVisible(false);
    const unread = new Promise<[string, string, string | undefined, boolean]>((resolve) => alice.on('unread', (...args) => resolve(args)));
    await bob.sendText('alice', 'psst');
    assert.deepEqual(await unread, ['bob', 'bob', 'psst', false]);
    assert.equal(alice.conversations.unread('bob'), 1);
    const list = vm.posted.filter((m) => m.type === 'conversations').pop();
    assert.ok(list && list.type === 'conversations');
    assert.equal(list.conversations.find((c) => c.id === 'bob')?.unread, 1);

    // Opening the conversation in a visible view reads it and loads its history once.
    vm.model.setVisible(true);
    vm.model.handle({ type: 'open', conversation: 'bob' });
    assert.equal(alice.conversations.unread('bob'), 0);
    const snapshot = vm.posted.filter((m) => m.type === 'snapshot').pop();
    assert.ok(snapshot && snapshot.type === 'snapshot' && snapshot.active === 'bob');
    assert.deepEqual(snapshot.messages.map((m) => m.text), ['psst']);
  });

  it("redraws a message bob replies to, edits, reacts to and deletes, and reports a mention in Everyone for a notification", async () => {
    const alice = session('alice');
    await alice.connect();
    const bob = await client('bob');
    await until(() => alice.conversations.classmates().some((c) => c.name === 'bob' && c.online), 'bob online for alice');
    const vm = view(alice);
    const latest = () => new Map(upserts(vm.posted, '*').map((m) => [m.id, m]));
    const mention = new Promise<[string, string, string | undefined, boolean]>((resolve) => alice.on('unread', (...args) => args[3] && resolve(args)));
    vm.model.setVisible(false);
    const question = await bob.sendText('*', '@alice who has the lab sheet?');
    assert.deepEqual(await mention, ['*', 'bob', '@alice who has the lab sheet?', true]);
    const answer = await bob.sendText('*', 'never mind, found it', { replyTo: question.seq });
    await until(() => latest().get(answer.id)?.replyTo?.snippet !== undefined, 'the reply with its quote');
    assert.deepEqual(latest().get(answer.id)?.replyTo, { seq: question.seq, from: 'bob', snippet: '@alice who has the lab sheet?' });

    await bob.editMessage('*', answer.seq, 'never mind, found it on the shelf');
    await until(() => latest().get(answer.id)?.edited === true, 'the edit');
    assert.equal(latest().get(answer.id)?.text, 'never mind, found it on the shelf');
    await bob.react('*', answer.seq, '👍');
    await until(() => latest().get(answer.id)?.reactions !== undefined, 'the reaction');
    assert.deepEqual(latest().get(answer.id)?.reactions, [{ emoji: '👍', names: ['bob'] }]);
    await bob.deleteMessage('*', answer.seq);
    await until(() => latest().get(answer.id)?.deleted !== undefined, 'the delete');
    assert.equal(latest().get(answer.id)?.text, undefined);
    assert.equal(latest().get(answer.id)?.problem, undefined, 'deleted is not a decryption problem');
    assert.equal(alice.conversations.unread('*'), 2, 'the changes are not counted as new messages');
  });

  it('loads history when a conversation opens, and older pages on request', async () => {
    const bob = await client('bob');
    for (let i = 0; i < 60; i++) await bob.sendText('*', `old ${i}`);
    const alice = session('alice');
    await alice.connect();
    const vm = view(alice);
    await until(() => alice.conversations.historyLoaded('*'), 'first page');
    assert.equal(alice.conversations.messages('*').length, 50);
    const snapshot = vm.posted.find((m) => m.type === 'snapshot');
    assert.ok(snapshot && snapshot.type === 'snapshot' && snapshot.more, 'the view offers earlier messages');
    vm.model.handle({ type: 'loadOlder', conversation: '*' });
    await until(() => !alice.conversations.hasMore('*'), 'all pages');
    const texts = alice.conversations.messages('*').map((m) => m.text);
    assert.deepEqual(texts, Array.from({ length: 60 }, (_, i) => `old ${i}`));
    const older = vm.posted.filter((m) => m.type === 'older');
    assert.deepEqual(older.map((m) => m.type === 'older' && m.messages.length), [50, 10]);
  });

  it('shows reconnecting when the server goes away and connected again when it is back', async () => {
    const alice = session('alice');
    await alice.connect();
    const statuses: string[] = [];
    alice.on('connection', (c) => statuses.push(c.status));
    const port = server.port;
    await server.stop();
    await until(() => statuses.includes('reconnecting'), 'reconnecting');
    assert.match(alice.sendBlocked('*') ?? 'none', /none/, 'the composer stays usable: the outbox sends later');
    server = await startTestServer({ dataDir: server.dataDir, port });
    await until(() => alice.connection.status === 'connected', 'connected again', 8000);
  });

  it('marks a message to a name nobody has as waiting for them to join (PROTOCOL.md 20.7), and one that is not a name as failed', async () => {
    const alice = session('alice');
    await alice.connect();
    alice.send('nobody', 'hello?');
    const [waiting] = alice.conversations.messages('nobody');
    assert.deepEqual([waiting.delivery, waiting.waitingFor], ['waiting', 'nobody']);
    alice.send('not a name!', 'hello?');
    const [failed] = alice.conversations.messages('not a name!');
    assert.equal(failed.delivery, 'failed');
    assert.ok((failed.error ?? '').length > 0);
  });

  it('warns when a classmate\'s key changes, holds sending until accepted, then verifies', async () => {
    const alice = session('alice');
    await alice.connect();
    const bob = await client('bob');
    await until(() => alice.keyState('bob') === 'pinned', 'bob pinned');
    await bob.close();

    // bob's name is freed on the server and registered again with a new key.
    const { dataDir } = server;
    const port = server.port;
    await server.stop();
    const store = new LogStore({ dataDir });
    await store.open();
    await store.deleteUser('bob');
    await store.close();
    server = await startTestServer({ dataDir, port });
    await until(() => alice.connection.status === 'connected', 'alice back', 8000);
    const changed = new Promise<string>((resolve) => alice.once('keyChanged', resolve));
    const vm = view(alice, 'bob');
    await client('bob');
    assert.equal(await changed, 'bob');
    assert.equal(alice.keyState('bob'), 'key_changed');
    const summary = alice.summaries().find((c) => c.id === 'bob');
    assert.equal(summary?.key, 'key_changed');
    assert.match(summary?.sendBlocked ?? '', /key changed/);
    const lastList = () => vm.posted.filter((m) => m.type === 'conversations').pop();
    await until(() => {
      const list = lastList();
      return list?.type === 'conversations' && list.conversations.some((c) => c.id === 'bob' && c.key === 'key_changed');
    }, 'the view told about the change');

    vm.model.handle({ type: 'acceptKey', conversation: 'bob' });
    await until(() => alice.keyState('bob') === 'pinned', 'accepted');
    assert.equal(alice.sendBlocked('bob'), undefined);

    await alice.verify('bob', await alice.safetyNumber('bob'));
    assert.equal(alice.keyState('bob'), 'verified');
    const list = lastList();
    assert.ok(list?.type === 'conversations' && list.conversations.find((c) => c.id === 'bob')?.key === 'verified');
  });
});
