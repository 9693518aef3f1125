/**
 * Links from a classmate or the server never reach VS Code's notifications: the real bundle,
 * driven with a stand-in vscode, shows them neutralised (issue 14, item 1).
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../src/client/chat-client';
import { MemoryKeyStore } from '../../src/client/key-store';
import { until } from '../client/helpers/wait';
import { FakeServer } from '../client/helpers/fake-server';
import { startTestServer, TestServer } from '../helpers/test-server';
import { activateBundle, createFakeVscode, ExtensionModule, FakeVscode } from './helpers/fake-vscode';
import { asRead, notificationLinks } from './helpers/linked-text';

const TERMINAL = '[Slides](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%20-rf%22%7D)';

describe('links from classmates and the server, in notifications', function () {
  this.timeout(20_000);
  let fake: FakeVscode;
  let extension: ExtensionModule;
  let storage: string;
  let subscriptions: Array<{ dispose(): unknown }>;
  let settings: Record<string, unknown>;

  beforeEach(async () => {
    storage = await mkdtemp(join(tmpdir(), 'classchat-notices-'));
    settings = { 'classchat.userName': 'alice' };
    fake = createFakeVscode(settings);
    subscriptions = [];
    extension = activateBundle(fake, subscriptions, storage);
  });

  afterEach(async () => {
    await extension.deactivate();
    for (const s of subscriptions) s.dispose();
    await rm(storage, { recursive: true, force: true });
  });

  it('a classmate\'s private message previews as plain text: its command link cannot be clicked', async () => {
    const server: TestServer = await startTestServer();
    const bob = new ChatClient({ host: '127.0.0.1', port: server.port, name: 'bob', keyStore: new MemoryKeyStore() });
    try {
      Object.assign(settings, { 'classchat.host': '127.0.0.1', 'classchat.port': server.port });
      await fake.api.commands.executeCommand('classchat.connect');
      assert.equal(fake.context.get('classchat.state'), 'connected', JSON.stringify(fake.shown));
      await bob.connect();
      await bob.sendText('alice', `${TERMINAL} [n](https://e)`);
      await until(() => fake.shown.some((s) => asRead(s.text).startsWith('ClassChat — bob:')), 'the notification');
      const shown = fake.shown.find((s) => asRead(s.text).startsWith('ClassChat — bob:'));
      assert.ok(shown);
      assert.deepEqual(notificationLinks(shown.text), []);
      assert.equal(asRead(shown.text), `ClassChat — bob: ${TERMINAL} [n](https://e)`);
      assert.deepEqual(shown.actions, ['Open']);
    } finally {
      await bob.close();
      await server.close();
    }
  });

  it('a server\'s error message is shown with its links broken', async () => {
    const server = await FakeServer.start();
    try {
      Object.assign(settings, { 'classchat.host': '127.0.0.1', 'classchat.port': server.port });
      const connecting = fake.api.commands.executeCommand('classchat.connect');
      const connection = await server.nextConnection();
      await connection.next('login');
      connection.send({ type: 'error', code: 'internal', message: `Update first: ${TERMINAL} or [the FAQ](file:///etc/passwd)`, fatal: true });
      connection.end();
      await connecting;
      await until(() => fake.shown.some((s) => s.level === 'error'), 'the error');
      const shown = fake.shown.find((s) => s.level === 'error');
      assert.ok(shown);
      assert.match(asRead(shown.text), /Update first: \[Slides\]\(command:workbench/);
      assert.deepEqual(notificationLinks(shown.text), []);
    } finally {
      await server.close();
    }
  });
});
