/**
 * Replies, edits, deletes, reactions and Copy from the chat view, through the real bundle
 * (dist/extension.js) with a stand-in vscode, against a real server on 127.0.0.1: alice is the
 * extension (her chat page is the fake webview), bob and mrs.k (a teacher) use the client library.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../src/client/chat-client';
import { MemoryKeyStore } from '../../src/client/key-store';
import type { MessageChange, ReceivedMessage } from '../../src/client/types';
import type { Role } from '../../src/protocol/room-frames';
import type { ConversationSummary, HostMessage, MessageView } from '../../webview/protocol';
import { dataDirWithRoles, startTestServer, TestServer } from '../helpers/test-server';
import { nextEvent, until } from '../client/helpers/wait';
import { activateBundle, createFakeVscode, openChatView, ExtensionModule, FakeVscode, FakeWebviewView } from './helpers/fake-vscode';

describe('message actions in the chat view (bundle, stand-in vscode, real server)', function () {
  this.timeout(30_000);
  let server: TestServer;
  let fake: FakeVscode;
  let extension: ExtensionModule;
  let work: string;
  let view: FakeWebviewView;
  const clients: ChatClient[] = [];
  const subscriptions: Array<{ dispose(): unknown }> = [];

  async function start(name: string, roles: Record<string, Role> = {}): Promise<void> {
    server = await startTestServer({ rateLimit: false, dataDir: await dataDirWithRoles(roles) });
    work = await mkdtemp(join(tmpdir(), 'classchat-ext-actions-'));
    fake = createFakeVscode({ 'classchat.host': '127.0.0.1', 'classchat.port': server.port, 'classchat.userName': name });
    extension = activateBundle(fake, subscriptions, join(work, 'storage'));
    view = openChatView(fake);
    await fake.api.commands.executeCommand('classchat.connect');
    assert.equal(fake.context.get('classchat.state'), 'connected', JSON.stringify(fake.shown));
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    await extension.deactivate();
    for (const s of subscriptions.splice(0)) s.dispose();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  async function client(name: string): Promise<ChatClient> {
    const c = new ChatClient({ host: '127.0.0.1', port: server.port, name, keyStore: new MemoryKeyStore() });
    clients.push(c);
    await c.connect();
    return c;
  }

  /** What the page posts, as the webview would. */
  const post = (message: unknown) => view.webview.received.fire(message);
  const posted = () => view.webview.posted as HostMessage[];

  /** The latest version of each message the chat view was shown for `conversation`. */
  function shown(conversation: string): MessageView[] {
    const latest = new Map<string, MessageView>();
    for (const m of posted()) {
      const messages = m.type === 'snapshot' && m.active === conversation ? m.messages : m.type === 'upsert' && m.conversation === conversation ? [m.message] : [];
      for (const message of messages) latest.set(`${message.from}/${message.id}`, message);
    }
    return [...latest.values()];
  }
  const shownText = (conversation: string, text: string) => shown(conversation).find((m) => m.text === text);
  const notices = () => posted().flatMap((m) => (m.type === 'notice' ? [m.text] : []));
  const summary = (id: string): ConversationSummary | undefined => {
    const lists = posted().flatMap((m) => (m.type === 'snapshot' || m.type === 'conversations' ? [m.conversations] : []));
    return lists[lists.length - 1]?.find((s) => s.id === id);
  };

  it('replies to a private message, edits and reacts to it, then deletes it: bob sees each, encrypted', async () => {
    await start('alice');
    const bob = await client('bob');
    const bobGot: ReceivedMessage[] = [];
    const bobChanges: MessageChange[] = [];
    bob.on('message', (m) => bobGot.push(m));
    bob.on('messageChanged', (c) => bobChanges.push(c));
    post({ type: 'open', conversation: 'bob' });
    const question = await bob.sendText('alice', 'which exercise is due?');
    await until(() => shownText('bob', 'which exercise is due?')?.seq === question.seq, 'bob’s question in the view');

    post({ type: 'send', conversation: 'bob', text: 'number 4', replyTo: question.seq });
    const pending = shownText('bob', 'number 4');
    assert.deepEqual(pending?.replyTo, { seq: question.seq, from: 'bob', snippet: 'which exercise is due?' }, 'the pending reply quotes the original at once');
    await until(() => bobGot.some((m) => m.text === 'number 4'), 'bob to get the reply');
    const reply = bobGot.find((m) => m.text === 'number 4')!;
    assert.equal(reply.encrypted, true);
    assert.equal(reply.replyTo?.seq, question.seq, 'the reply names bob’s message');
    await until(() => shownText('bob', 'number 4')?.delivery === 'sent', 'the reply stored');

    post({ type: 'edit', conversation: 'bob', seq: reply.seq, text: 'number 5, sorry' });
    await until(() => bobChanges.some((c) => c.how === 'edited' && c.seq === reply.seq), 'bob to see the edit');
    assert.equal(bobChanges.find((c) => c.how === 'edited')?.message.text, 'number 5, sorry');
    await until(() => shownText('bob', 'number 5, sorry')?.edited === true, 'the edit shown in alice’s view');

    post({ type: 'react', conversation: 'bob', seq: question.seq, emoji: '👍', remove: false });
    await until(() => shownText('bob', 'which exercise is due?')?.reactions?.[0]?.names.includes('alice') === true, 'alice’s reaction shown to her');
    await until(() => bobChanges.some((c) => c.how === 'reactions' && c.message.reactions?.[0]?.emoji === '👍'), 'bob to see the reaction');
    post({ type: 'react', conversation: 'bob', seq: question.seq, emoji: '👍', remove: true });
    await until(() => shownText('bob', 'which exercise is due?')?.reactions === undefined, 'the reaction taken back');

    post({ type: 'delete', conversation: 'bob', seq: reply.seq });
    await until(() => bobChanges.some((c) => c.how === 'deleted' && c.seq === reply.seq), 'bob to see the delete');
    await until(() => shown('bob').some((m) => m.seq === reply.seq && m.deleted?.by === 'alice' && m.text === undefined), 'the delete shown to alice');
    assert.deepEqual(notices(), []);
  });

  it("says why bob's message cannot be edited or deleted by a student, and ignores malformed actions", async () => {
    await start('alice');
    const bob = await client('bob');
    post({ type: 'open', conversation: '*' });
    const sent = await bob.sendText('*', 'my answer is 12');
    await until(() => shownText('*', 'my answer is 12') !== undefined, 'bob’s message in the view');
    assert.equal(summary('*')?.moderate, undefined, 'a student does not moderate');

    post({ type: 'edit', conversation: '*', seq: sent.seq, text: 'hacked' });
    await until(() => notices().length === 1, 'the refusal of the edit');
    assert.match(notices()[0], /^Could not edit the message: .*only its sender can edit/);
    post({ type: 'delete', conversation: '*', seq: sent.seq });
    await until(() => notices().length === 2, 'the refusal of the delete');
    assert.match(notices()[1], /^Could not delete the message: /);
    assert.equal(shownText('*', 'my answer is 12')?.deleted, undefined);

    const before = posted().length;
    for (const bad of [
      { type: 'edit', conversation: '*', seq: -1, text: 'x' },
      { type: 'edit', conversation: '*', seq: 1.5, text: 'x' },
      { type: 'delete', conversation: '<b>', seq: 1 },
      { type: 'react', conversation: '*', seq: sent.seq, emoji: 'two words' },
      { type: 'react', conversation: '*', seq: sent.seq, emoji: 'x'.repeat(33) },
      { type: 'react', conversation: '*', seq: sent.seq, emoji: '👍', remove: 'yes' },
      { type: 'send', conversation: '*', text: 'hi', replyTo: '3' },
      { type: 'copy', text: 42 },
    ]) {
      post(bad);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(posted().length, before, 'nothing was acted on or answered');
    assert.equal(fake.clipboard.length, 0);

    post({ type: 'copy', text: 'my answer is 12' });
    assert.deepEqual(fake.clipboard, ['my answer is 12']);
  });

  it("lets a teacher delete a student's message in Everyone from the view; the student's client gets the delete", async () => {
    await start('mrs.k', { 'mrs.k': 'teacher' });
    const bob = await client('bob');
    post({ type: 'open', conversation: '*' });
    await until(() => summary('*')?.moderate === true, 'Everyone marked as moderated by this teacher');
    const sent = await bob.sendText('*', 'the answers are at evil.example');
    await until(() => shownText('*', 'the answers are at evil.example') !== undefined, 'bob’s message in the teacher’s view');
    const deleted = nextEvent(bob, 'messageChanged', (c) => c.how === 'deleted' && c.seq === sent.seq);
    post({ type: 'delete', conversation: '*', seq: sent.seq });
    const [change] = await deleted;
    assert.equal(change.message.deleted?.by, 'mrs.k');
    assert.equal(change.message.text, undefined);
    assert.deepEqual(notices(), []);
  });

  it('shows a student the role of the teacher who removed a message', async () => {
    await start('alice', { 'mrs.k': 'teacher' });
    const bob = await client('bob');
    const teacher = await client('mrs.k');
    post({ type: 'open', conversation: '*' });
    const sent = await bob.sendText('*', 'spam spam spam');
    await until(() => shownText('*', 'spam spam spam') !== undefined, 'bob’s message shown to alice');
    await until(() => teacher.roster.has('bob'), 'the teacher to know bob');
    await until(() => teacher.lastSeenSeq >= sent.seq, 'the teacher to have seen the message');
    await teacher.deleteMessage('*', sent.seq);
    await until(() => shown('*').some((m) => m.seq === sent.seq && m.deleted !== undefined), 'the removal shown to alice');
    assert.deepEqual(shown('*').find((m) => m.seq === sent.seq)?.deleted, { by: 'mrs.k', role: 'teacher' });
  });
});
