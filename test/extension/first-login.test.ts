/**
 * A first login in the extension (bundle, stand-in vscode, real server; PROTOCOL.md 7): the
 * mailbox of a new name starts empty, and the chat panel, which opens on Everyone, shows the last
 * 50 messages to everyone from history.
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

describe('a first login in the extension (bundle, stand-in vscode, real server)', function () {
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
    work = await mkdtemp(join(tmpdir(), 'classchat-ext-first-'));
    bob = new ChatClient({ host: '127.0.0.1', port: server.port, name: 'bob', keyStore: new MemoryKeyStore() });
    await bob.connect();
  });

  afterEach(async () => {
    await bob.close();
    await extension?.deactivate();
    for (const s of subscriptions.splice(0)) s.dispose();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  /** The latest version of each message the panel was sent for Everyone. */
  function everyone(): MessageView[] {
    const latest = new Map<string, MessageView>();
    for (const m of view.webview.posted as HostMessage[]) {
      const messages = m.type === 'snapshot' && m.active === '*' ? m.messages : m.type === 'upsert' && m.conversation === '*' ? [m.message] : m.type === 'older' && m.conversation === '*' ? m.messages : [];
      for (const message of messages) latest.set(`${message.from}/${message.id}`, message);
    }
    return [...latest.values()].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  }

  it('shows the last 50 messages to everyone sent before alice ever logged in', async () => {
    for (let i = 1; i <= 60; i++) await bob.sendText('*', `note ${i}`);
    fake = createFakeVscode({ 'classchat.host': '127.0.0.1', 'classchat.port': server.port, 'classchat.userName': 'alice' });
    extension = activateBundle(fake, subscriptions, join(work, 'storage'));
    view = openChatView(fake);
    await fake.api.commands.executeCommand('classchat.connect');
    assert.equal(fake.context.get('classchat.state'), 'connected', JSON.stringify(fake.shown));
    await until(() => everyone().length >= 50, 'the last 50 messages to everyone in the panel');
    assert.deepEqual(everyone().map((m) => m.text), Array.from({ length: 50 }, (_, i) => `note ${i + 11}`));
  });
});
