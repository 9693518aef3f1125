/**
 * Search in the extension, through the real bundle (dist/extension.js) with a stand-in vscode,
 * against a real server on 127.0.0.1: bob (a client-library user) writes to alice privately
 * (end-to-end encrypted: only alice's client can read and index it), to Everyone and in a room;
 * alice finds the messages with ClassChat: Search Messages… and with the panel's search box.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../src/client/chat-client';
import { MemoryKeyStore } from '../../src/client/key-store';
import type { HostMessage, SearchHitView } from '../../webview/protocol';
import { until } from '../client/helpers/wait';
import { startTestServer, TestServer } from '../helpers/test-server';
import { activateBundle, createFakeVscode, ExtensionModule, FakeVscode, FakeWebviewView, openChatView } from './helpers/fake-vscode';

describe('searching messages in the extension (bundle, stand-in vscode, real server)', function () {
  this.timeout(30_000);
  let server: TestServer;
  let fake: FakeVscode;
  let extension: ExtensionModule;
  let work: string;
  let view: FakeWebviewView;
  let bob: ChatClient;
  const subscriptions: Array<{ dispose(): unknown }> = [];

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false });
    work = await mkdtemp(join(tmpdir(), 'classchat-ext-search-'));
    fake = createFakeVscode({ 'classchat.host': '127.0.0.1', 'classchat.port': server.port, 'classchat.userName': 'alice' });
    extension = activateBundle(fake, subscriptions, join(work, 'storage'));
    view = openChatView(fake);
    bob = new ChatClient({ host: '127.0.0.1', port: server.port, name: 'bob', keyStore: new MemoryKeyStore() });
    await bob.connect();
    await fake.api.commands.executeCommand('classchat.connect');
    assert.equal(fake.context.get('classchat.state'), 'connected', JSON.stringify(fake.shown));
  });

  afterEach(async () => {
    await bob.close();
    await extension.deactivate();
    for (const s of subscriptions.splice(0)) s.dispose();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  const posted = () => view.webview.posted as HostMessage[];
  const last = <T extends HostMessage['type']>(type: T) => posted().filter((m): m is Extract<HostMessage, { type: T }> => m.type === type).at(-1);

  /** The chat view asks, as its search box does; the host answers at once. */
  function searchFromPanel(query: string): SearchHitView[] {
    view.webview.received.fire({ type: 'search', query });
    const answer = last('searchResults');
    assert.equal(answer?.query, query);
    return answer.hits;
  }

  it('finds an encrypted private message as the user types, and opens the chat at it', async () => {
    await bob.sendText('alice', 'the homework is due on Friday');
    await bob.sendText('*', 'lunch at noon, everyone');
    await until(() => searchFromPanel('homework').length === 1 && searchFromPanel('lunch').length === 1, 'both messages indexed');

    await fake.api.commands.executeCommand('classchat.openChat');
    const searching = fake.api.commands.executeCommand('classchat.searchMessages');
    await until(() => fake.livePicks.length === 1, 'the search pick');
    const pick = fake.livePicks[0];
    assert.equal(pick.title, 'ClassChat: search messages');
    assert.equal(pick.items.length, 0, 'nothing before typing');
    pick.type('homew');
    assert.equal(pick.items.length, 1);
    const [item] = pick.items;
    assert.equal(item.label, 'the homework is due on Friday');
    assert.match(item.description ?? '', /^bob · bob · .+\d/);
    assert.equal(item.alwaysShow, true, 'VS Code must not filter the results away by its own matching');
    pick.type('lunch');
    assert.match(pick.items[0]?.description ?? '', /^bob · Everyone · /);
    pick.type('friday from:bob in:bob');
    pick.accept('the homework is due on Friday');
    await searching;
    assert.equal(pick.disposed, true);

    const snapshot = last('snapshot');
    assert.equal(snapshot?.active, 'bob');
    const reveal = last('reveal');
    const hit = (searchFromPanel('homework'))[0];
    assert.deepEqual(reveal, { type: 'reveal', conversation: 'bob', seq: hit.seq });
    assert.ok(posted().indexOf(snapshot) < posted().indexOf(reveal), 'the conversation is opened before the reveal');
    assert.ok(fake.executed.some((e) => e.id === 'classchat.chat.focus'), 'the chat view is shown');
  });

  it('answers the panel search box with sender, conversation, date and the marked words; edits and deletes update it', async () => {
    const sent = await bob.sendText('alice', 'Meet me at the LIBRARY after class');
    await until(() => (searchFromPanel('library')).length === 1, 'indexed');
    const [hit] = searchFromPanel('libr');
    assert.deepEqual({ ...hit, ts: typeof hit.ts }, { conversation: 'bob', title: 'bob', seq: sent.seq, from: 'bob', ts: 'number', snippet: 'Meet me at the LIBRARY after class', marks: [[15, 22]] });
    assert.deepEqual(searchFromPanel('from:carol library'), []);
    assert.deepEqual(searchFromPanel(''), []);

    await bob.editMessage('alice', sent.seq, 'Meet me at the cafeteria after class');
    await until(() => (searchFromPanel('cafeteria')).length === 1, 'the edit indexed');
    assert.deepEqual(searchFromPanel('library'), [], 'the old text is gone');
    await bob.deleteMessage('alice', sent.seq);
    await until(() => (searchFromPanel('cafeteria')).length === 0, 'the deleted message forgotten');
  });

  it('keeps the reveal until the chat view is ready when Search Messages runs before it opened', async () => {
    await bob.sendText('alice', 'rubric for the essay');
    await until(() => (searchFromPanel('rubric')).length === 1, 'indexed');
    // The view goes away (VS Code disposed it), then the search runs.
    view.disposed.fire();
    const searching = fake.api.commands.executeCommand('classchat.searchMessages');
    await until(() => fake.livePicks.length === 1, 'the search pick');
    fake.livePicks[0].type('rubric');
    fake.livePicks[0].accept('rubric for the essay');
    await searching;
    const again = openChatView(fake);
    const messages = again.webview.posted as HostMessage[];
    const snapshot = messages.find((m) => m.type === 'snapshot');
    assert.equal(snapshot?.type === 'snapshot' && snapshot.active, 'bob');
    assert.ok(messages.some((m) => m.type === 'reveal' && m.conversation === 'bob'), JSON.stringify(messages.map((m) => m.type)));
  });
});
