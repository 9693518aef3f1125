/**
 * Blocking in the extension, through the real bundle with a stand-in vscode, against a real
 * server: alice blocks dave from the Classmates tree's context menu, the tree marks him, his new
 * messages never reach the chat panel, and "Unblock Classmate…" from the palette undoes it.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../src/client/chat-client';
import { MemoryKeyStore } from '../../src/client/key-store';
import type { HostMessage, MessageView } from '../../webview/protocol';
import { startTestServer, TestServer } from '../helpers/test-server';
import { until } from '../client/helpers/wait';
import { activateBundle, createFakeVscode, openChatView, ExtensionModule, FakeVscode, FakeWebviewView } from './helpers/fake-vscode';
import { readFileSync } from 'node:fs';

interface TreeItemLike {
  label: string;
  description?: string;
  contextValue?: string;
}

describe('blocking in the extension (bundle, stand-in vscode, real server)', function () {
  this.timeout(30_000);
  let server: TestServer;
  let fake: FakeVscode;
  let extension: ExtensionModule;
  let work: string;
  let view: FakeWebviewView;
  const clients: ChatClient[] = [];
  const subscriptions: Array<{ dispose(): unknown }> = [];

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false });
    work = await mkdtemp(join(tmpdir(), 'classchat-ext-blocks-'));
    fake = createFakeVscode({ 'classchat.host': '127.0.0.1', 'classchat.port': server.port, 'classchat.userName': 'alice' });
    extension = activateBundle(fake, subscriptions, join(work, 'storage'));
    view = openChatView(fake);
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

  const tree = () => {
    const provider = fake.trees.get('classchat.classmates')?.treeDataProvider;
    assert.ok(provider);
    return provider;
  };
  const item = (id: string) => tree().getTreeItem(id) as TreeItemLike;
  /** Every message text the chat view was sent, in any conversation. */
  const panelTexts = () =>
    (view.webview.posted as HostMessage[]).flatMap((m): MessageView[] => (m.type === 'snapshot' ? m.messages : m.type === 'upsert' ? [m.message] : [])).map((m) => m.text ?? '');

  it('blocks a classmate from the tree: marked there, their messages kept from the panel, and unblocked from the palette', async () => {
    const dave = await client('dave');
    const bob = await client('bob');
    await fake.api.commands.executeCommand('classchat.connect');
    await until(() => (tree().getChildren() as string[]).includes('dave'), 'dave in the tree');
    assert.match(item('dave').contextValue ?? '', /^classmate\.online\./);

    await fake.api.commands.executeCommand('classchat.blockClassmate', 'dave');
    assert.deepEqual(fake.shown.filter((s) => s.level === 'error'), []);
    assert.ok(fake.shown.some((s) => /you blocked dave/.test(s.text)), JSON.stringify(fake.shown));
    await until(() => /blocked/.test(item('dave').description ?? ''), 'dave marked blocked');
    assert.match(item('dave').contextValue ?? '', /^classmate\.online_blocked\./);
    assert.deepEqual(await dave.blocks.refresh().catch((error: Error) => error.message), [], "dave's own list is his");

    await dave.sendText('*', 'dave to everyone');
    await dave.sendText('alice', 'dave to alice');
    await bob.sendText('*', 'bob to everyone');
    await until(() => panelTexts().includes('bob to everyone'), "bob's message in the panel");
    assert.deepEqual(panelTexts().filter((text) => /dave to/.test(text)), []);

    fake.pickAnswers.push('dave');
    await fake.api.commands.executeCommand('classchat.unblockClassmate');
    await until(() => !/blocked/.test(item('dave').description ?? ''), 'dave no longer marked');
    await dave.sendText('*', 'dave is back');
    await until(() => panelTexts().includes('dave is back'), "dave's new message in the panel");
  });

  it('offers Block on classmates and Unblock on blocked ones in the tree menu', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { contributes: { menus: Record<string, Array<{ command: string; when: string }>> } };
    const menu = manifest.contributes.menus['view/item/context'];
    const when = (command: string) => new RegExp(/viewItem =~ \/(.*)\/ &&/.exec(menu.find((m) => m.command === command)!.when)![1].replace(/\\\\/g, '\\'));
    assert.ok(when('classchat.blockClassmate').test('classmate.offline.pinned'));
    assert.ok(!when('classchat.blockClassmate').test('classmate.offline_blocked.pinned'));
    assert.ok(when('classchat.unblockClassmate').test('classmate.online_blocked.verified'));
    assert.ok(!when('classchat.unblockClassmate').test('classmate.online.verified'));
  });
});
