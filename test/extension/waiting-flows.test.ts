/**
 * A message to a classmate who has not joined yet, in the extension (bundle, stand-in vscode,
 * real server; PROTOCOL.md 20.7): Message Classmate… offers "Someone who has not joined yet…",
 * the panel shows the message "waiting for frank to join", and once frank registers it is sent,
 * and frank reads it.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../src/client/chat-client';
import { MemoryKeyStore } from '../../src/client/key-store';
import type { ReceivedMessage } from '../../src/client/types';
import type { HostMessage, MessageView } from '../../webview/protocol';
import { startTestServer, TestServer } from '../helpers/test-server';
import { until } from '../client/helpers/wait';
import { activateBundle, createFakeVscode, openChatView, ExtensionModule, FakeVscode, FakeWebviewView } from './helpers/fake-vscode';

describe('messages waiting for a classmate to join, in the extension (bundle, stand-in vscode, real server)', function () {
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
    work = await mkdtemp(join(tmpdir(), 'classchat-ext-waiting-'));
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

  /** The latest version of each message the panel was sent for `conversation`. */
  function shown(conversation: string): MessageView[] {
    const latest = new Map<string, MessageView>();
    for (const m of view.webview.posted as HostMessage[]) {
      const messages = m.type === 'snapshot' && m.active === conversation ? m.messages : m.type === 'upsert' && m.conversation === conversation ? [m.message] : [];
      for (const message of messages) latest.set(`${message.from}/${message.id}`, message);
    }
    return [...latest.values()];
  }

  it('shows the message waiting for frank to join, then sent once frank registers; frank reads it', async () => {
    await fake.api.commands.executeCommand('classchat.connect');
    assert.equal(fake.context.get('classchat.state'), 'connected', JSON.stringify(fake.shown));
    // Nobody else is here: Message Classmate… asks for the name of someone who has not joined.
    fake.inputAnswers.push('Frank');
    await fake.api.commands.executeCommand('classchat.messageClassmate');
    assert.equal(fake.inputBoxes[0].validate?.('not a name!') !== undefined, true);
    view.webview.received.fire({ type: 'send', conversation: 'frank', text: 'welcome, frank' });
    await until(() => shown('frank').some((m) => m.text === 'welcome, frank'), 'the message in the panel');
    const waiting = shown('frank').find((m) => m.text === 'welcome, frank')!;
    assert.deepEqual([waiting.delivery, waiting.waitingFor, waiting.encrypted], ['waiting', 'frank', true]);

    const frank = new ChatClient({ host: '127.0.0.1', port: server.port, name: 'frank', keyStore: new MemoryKeyStore() });
    clients.push(frank);
    const atFrank: ReceivedMessage[] = [];
    frank.on('message', (message) => atFrank.push(message));
    await frank.connect();
    await until(() => shown('frank').find((m) => m.id === waiting.id)?.delivery === 'sent', 'the message sent');
    assert.equal(shown('frank').find((m) => m.id === waiting.id)?.waitingFor, undefined);
    await until(() => atFrank.some((m) => m.text === 'welcome, frank'), 'frank reads it');
    assert.deepEqual(atFrank.filter((m) => m.from === 'alice').map((m) => [m.text, m.encrypted]), [['welcome, frank', true]]);
  });
});
