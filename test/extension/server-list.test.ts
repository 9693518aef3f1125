/**
 * classchat.servers in the real bundle (issue 20): when the node the extension is connected to
 * goes down, it reconnects to the next address in the setting, and carries on chatting there.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activateBundle, createFakeVscode, ExtensionModule, FakeVscode } from './helpers/fake-vscode';
import { until } from '../client/helpers/wait';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

describe('the extension with classchat.servers', function () {
  this.timeout(30_000);
  let fake: FakeVscode;
  let extension: ExtensionModule;
  let storage: string;
  let subscriptions: Array<{ dispose(): unknown }>;
  const servers: TestServer[] = [];
  const clients: RawClient[] = [];
  const settings: Record<string, unknown> = {};

  beforeEach(async () => {
    storage = await mkdtemp(join(tmpdir(), 'classchat-ext-'));
    for (const key of Object.keys(settings)) delete settings[key];
    Object.assign(settings, { 'classchat.userName': 'alice' });
    fake = createFakeVscode(settings);
    subscriptions = [];
    extension = activateBundle(fake, subscriptions, storage);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await extension.deactivate();
    for (const s of subscriptions) s.dispose();
    for (const server of servers.splice(0)) await server.close().catch(() => undefined);
    await rm(storage, { recursive: true, force: true });
  });

  it('moves to the next node in classchat.servers when its node goes down, and sees who is online there', async () => {
    const first = await startTestServer();
    const second = await startTestServer();
    servers.push(first, second);
    Object.assign(settings, { 'classchat.host': '127.0.0.1', 'classchat.port': first.port, 'classchat.servers': [`127.0.0.1:${second.port}`] });
    await fake.api.commands.executeCommand('classchat.connect');
    assert.equal(fake.context.get('classchat.state'), 'connected', JSON.stringify(fake.shown));

    const bob = await RawClient.login(second.port, 'bob');
    clients.push(bob.client);
    await first.close();
    const arrived = await bob.client.next('presence', (p) => p.user.name === 'alice' && p.user.online, 15_000);
    assert.equal(arrived.user.online, true, 'alice came online on the second node');
    await until(() => fake.context.get('classchat.state') === 'connected', 'the extension connected again');
    assert.match(fake.statusBar.text, /alice · 1 online/);
  });
});
