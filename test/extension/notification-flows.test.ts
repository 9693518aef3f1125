/**
 * Notifications the user controls, through the real bundle (dist/extension.js) with a stand-in
 * vscode, against a real server on 127.0.0.1: alice is the extension with the chat hidden, bob
 * and mrs.k (a teacher) are client-library users. Which messages notify (the setting), muted
 * conversations (tree menu and palette, stored), do-not-disturb (status bar), and room
 * notifications that name the room and open it.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../src/client/chat-client';
import { MemoryKeyStore } from '../../src/client/key-store';
import type { HostMessage } from '../../webview/protocol';
import { until } from '../client/helpers/wait';
import { dataDirWithRoles, startTestServer, TestServer } from '../helpers/test-server';
import { activateBundle, createFakeVscode, ExtensionModule, FakeVscode, FakeWebviewView, openChatView } from './helpers/fake-vscode';

interface TreeItemLike {
  label: string;
  description?: string;
  contextValue?: string;
}

describe('notifications the user controls (bundle, stand-in vscode, real server)', function () {
  this.timeout(30_000);
  let server: TestServer;
  let fake: FakeVscode;
  let extension: ExtensionModule;
  let work: string;
  let view: FakeWebviewView;
  let settings: Record<string, unknown>;
  const clients: ChatClient[] = [];
  const subscriptions: Array<{ dispose(): unknown }> = [];

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false, dataDir: await dataDirWithRoles({ 'mrs.k': 'teacher' }) });
    work = await mkdtemp(join(tmpdir(), 'classchat-ext-notify-'));
    settings = { 'classchat.host': '127.0.0.1', 'classchat.port': server.port, 'classchat.userName': 'alice' };
    fake = createFakeVscode(settings);
    extension = activateBundle(fake, subscriptions, join(work, 'storage'));
    view = openChatView(fake);
    // The chat is hidden: messages arrive unread and may notify.
    view.visible = false;
    view.visibility.fire();
  });

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

  async function connectAlice(): Promise<void> {
    await fake.api.commands.executeCommand('classchat.connect');
    assert.equal(fake.context.get('classchat.state'), 'connected', JSON.stringify(fake.shown));
  }

  const tree = () => {
    const provider = fake.trees.get('classchat.classmates')?.treeDataProvider;
    assert.ok(provider);
    return provider;
  };
  const item = (id: string) => tree().getTreeItem(id) as TreeItemLike;
  const notified = (text: string) => fake.shown.some((s) => s.text === text);
  /** Unread as the status bar counts it: once it moved, the message's notification was decided. */
  const unreadCount = () => Number(/(\d+) unread/.exec(fake.statusBar.text)?.[1] ?? 0);

  async function bobAndAlice(): Promise<ChatClient> {
    const bob = await client('bob');
    await connectAlice();
    await until(() => tree().getChildren().includes('bob'), 'bob in the tree');
    return bob;
  }

  /** Sends, waits until alice counts it unread, and says whether it notified (text as shown). */
  async function arrives(send: () => Promise<unknown>, shown: string): Promise<boolean> {
    const before = unreadCount();
    await send();
    await until(() => unreadCount() > before, `unread after "${shown}"`);
    return notified(shown);
  }

  it('by default notifies private messages and mentions, not Everyone; "all" and "none" change that', async () => {
    const bob = await bobAndAlice();
    assert.equal(await arrives(() => bob.sendText('alice', 'psst'), 'ClassChat — bob: psst'), true);
    assert.equal(await arrives(() => bob.sendText('*', 'hello all'), 'ClassChat — bob in Everyone: hello all'), false);
    assert.equal(await arrives(() => bob.sendText('*', 'hey @alice'), 'ClassChat — bob in Everyone: hey @alice'), true);

    settings['classchat.notifications'] = 'all';
    assert.equal(await arrives(() => bob.sendText('*', 'everyone now'), 'ClassChat — bob in Everyone: everyone now'), true);

    settings['classchat.notifications'] = 'none';
    assert.equal(await arrives(() => bob.sendText('alice', 'quiet'), 'ClassChat — bob: quiet'), false);
    assert.equal(await arrives(() => bob.sendText('*', '@alice still quiet'), 'ClassChat — bob in Everyone: @alice still quiet'), false);
  });

  it('a room notification names the room, and Open opens that room', async () => {
    const bob = await bobAndAlice();
    await bob.createRoom('lab-3', { members: ['alice'] });
    await until(() => tree().getChildren('#').includes('#lab-3'), 'alice sees #lab-3');
    fake.responders.push((text) => (text.startsWith('ClassChat — bob in #lab-3') ? 'Open' : undefined));
    await bob.sendToRoom('lab-3', 'meet at 3');
    await until(() => notified('ClassChat — bob in #lab-3: meet at 3'), 'the room notification');
    assert.deepEqual(fake.shown.find((s) => s.text === 'ClassChat — bob in #lab-3: meet at 3')?.actions, ['Open']);
    const opened = () => (view.webview.posted as HostMessage[]).some((m) => m.type === 'snapshot' && m.active === '#lab-3');
    await until(opened, 'Open shows #lab-3 in the chat');
    assert.ok(fake.executed.some((e) => e.id === 'classchat.chat.focus'), 'and reveals the chat view');
  });

  it('a class room notifies only mentions by default', async () => {
    const teacher = await client('mrs.k');
    await connectAlice();
    await teacher.createRoom('section-a', { members: ['alice'], kind: 'class' });
    await until(() => tree().getChildren('#').includes('#section-a'), 'alice sees #section-a');
    assert.equal(await arrives(() => teacher.sendToRoom('section-a', 'reading for friday'), 'ClassChat — mrs.k in #section-a: reading for friday'), false);
    assert.equal(await arrives(() => teacher.sendToRoom('section-a', '@alice see me'), 'ClassChat — mrs.k in #section-a: @alice see me'), true);
  });

  it('mutes a classmate from the tree: shown muted, still counted unread, silent except mentions, remembered after reconnecting', async () => {
    const bob = await bobAndAlice();
    await fake.api.commands.executeCommand('classchat.muteConversation', 'bob');
    assert.match(item('bob').description ?? '', /🔕 muted/);
    assert.equal(item('bob').contextValue, 'classmate.online.pinned.muted');
    assert.equal(await arrives(() => bob.sendText('alice', 'muted one'), 'ClassChat — bob: muted one'), false);
    assert.match(item('bob').description ?? '', /1 unread · .*🔕 muted/);
    assert.equal(await arrives(() => bob.sendText('alice', '@alice urgent'), 'ClassChat — bob: @alice urgent'), true);

    await fake.api.commands.executeCommand('classchat.disconnect');
    await connectAlice();
    await until(() => tree().getChildren().includes('bob'), 'bob in the tree again');
    assert.match(item('bob').description ?? '', /🔕 muted/, 'kept in global state');

    // From the palette: a pick of the muted conversations.
    fake.pickAnswers.push('bob');
    await fake.api.commands.executeCommand('classchat.unmuteConversation');
    assert.deepEqual(fake.quickPicks.at(-1)?.items.map((i) => i.label), ['bob']);
    assert.doesNotMatch(item('bob').description ?? '', /muted/);
    assert.equal(await arrives(() => bob.sendText('alice', 'back'), 'ClassChat — bob: back'), true);
  });

  it('mutes Everyone and rooms from the palette', async () => {
    const bob = await bobAndAlice();
    await bob.createRoom('lab-3', { members: ['alice'] });
    await until(() => tree().getChildren('#').includes('#lab-3'), 'alice sees #lab-3');
    settings['classchat.notifications'] = 'all';
    fake.pickAnswers.push('Everyone', '#lab-3');
    await fake.api.commands.executeCommand('classchat.muteConversation');
    assert.deepEqual(fake.quickPicks.at(-1)?.items.map((i) => i.label), ['Everyone', '#lab-3', 'bob']);
    await fake.api.commands.executeCommand('classchat.muteConversation');
    assert.deepEqual(fake.quickPicks.at(-1)?.items.map((i) => i.label), ['#lab-3', 'bob'], 'Everyone is muted already');
    assert.match(item('#lab-3').description ?? '', /🔕 muted/);
    assert.equal(item('#lab-3').contextValue, 'room.member.group.muted');
    assert.equal(await arrives(() => bob.sendText('*', 'to all'), 'ClassChat — bob in Everyone: to all'), false);
    assert.equal(await arrives(() => bob.sendToRoom('lab-3', 'to the lab'), 'ClassChat — bob in #lab-3: to the lab'), false);
    assert.equal(await arrives(() => bob.sendText('alice', 'private still'), 'ClassChat — bob: private still'), true);
  });

  it('do-not-disturb silences everything, mentions too, shows in the status bar, and turns off', async () => {
    const bob = await bobAndAlice();
    const dndItem = () => fake.statusBars.get('classchat.doNotDisturb');
    assert.equal(dndItem()?.visible, false);
    fake.pickAnswers.push('For 1 hour');
    await fake.api.commands.executeCommand('classchat.doNotDisturb');
    assert.deepEqual(fake.quickPicks.at(-1)?.items.map((i) => i.label), ['For 30 minutes', 'For 1 hour', 'For 2 hours', 'Until tomorrow'], 'no "Off" while off');
    assert.equal(dndItem()?.visible, true);
    assert.match(dndItem()?.text ?? '', /^\$\(bell-slash\) until \d\d:\d\d/);
    assert.equal(dndItem()?.command, 'classchat.doNotDisturb');
    assert.equal(fake.context.get('classchat.doNotDisturb'), true);
    assert.match(dndItem()?.tooltip ?? '', /do not disturb until .*unread messages are still counted/);

    assert.equal(await arrives(() => bob.sendText('alice', 'dnd one'), 'ClassChat — bob: dnd one'), false);
    assert.equal(await arrives(() => bob.sendText('*', '@alice dnd two'), 'ClassChat — bob in Everyone: @alice dnd two'), false);

    fake.pickAnswers.push('Off');
    await fake.api.commands.executeCommand('classchat.doNotDisturb');
    assert.equal(fake.quickPicks.at(-1)?.items.at(-1)?.label, 'Off');
    assert.equal(dndItem()?.visible, false);
    assert.equal(fake.context.get('classchat.doNotDisturb'), false);
    assert.equal(await arrives(() => bob.sendText('alice', 'awake'), 'ClassChat — bob: awake'), true);
  });
});
