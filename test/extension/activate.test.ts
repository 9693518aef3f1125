/**
 * The real bundle (dist/extension.js) activated against a stand-in `vscode` module: every
 * declared command is registered, and Start Local Server → Connect → chat works end to end.
 * The in-editor test (the VSIX inside a real VS Code) is its own issue.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryKeyStore } from '../../src/client/key-store';
import { ChatClient } from '../../src/client/chat-client';
import { activateBundle, REPO_ROOT, createFakeVscode, ExtensionModule, FakeVscode, FakeWebviewView } from './helpers/fake-vscode';
import { until } from '../client/helpers/wait';
import { LogStore } from '../../src/server/store/log-store';
import { generateIdentity } from '../../src/crypto/identity';
import { startTestServer } from '../helpers/test-server';
import { testCertificate } from '../helpers/tls-fixture';
import { generateSelfSigned } from '../../src/server/self-signed-cert';

describe('the extension bundle, activated with a stand-in vscode', function () {
  this.timeout(20_000);
  let fake: FakeVscode;
  let extension: ExtensionModule;
  let storage: string;
  let subscriptions: Array<{ dispose(): unknown }>;
  const settings: Record<string, unknown> = {};

  beforeEach(async () => {
    storage = await mkdtemp(join(tmpdir(), 'classchat-ext-'));
    for (const key of Object.keys(settings)) delete settings[key];
    Object.assign(settings, { 'classchat.localServer.port': 0, 'classchat.userName': 'alice' });
    fake = createFakeVscode(settings);
    subscriptions = [];
    extension = activateBundle(fake, subscriptions, storage);
  });

  afterEach(async () => {
    await extension.deactivate();
    for (const s of subscriptions) s.dispose();
    await rm(storage, { recursive: true, force: true });
  });

  it('registers every command package.json declares, and puts each registration in subscriptions', () => {
    const manifest: unknown = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    assert.ok(typeof manifest === 'object' && manifest !== null && 'contributes' in manifest);
    const declared = JSON.stringify(manifest.contributes).match(/"command":"(classchat\.[A-Za-z]+)"/g) ?? [];
    const ids = [...new Set(declared.map((d) => d.slice(11, -1)))].sort();
    assert.deepEqual([...fake.commands.keys()].sort(), ids);
    assert.ok(subscriptions.length >= ids.length + 3);
    assert.equal(fake.context.get('classchat.state'), 'disconnected');
    assert.equal(fake.context.get('classchat.serverRunning'), false);
    for (const s of subscriptions) s.dispose();
    assert.equal(fake.commands.size, 0, 'disposing the subscriptions unregisters every command');
  });

  it('starts a local server, connects to it, chats through the webview, and stops the server on deactivate', async () => {
    await fake.api.commands.executeCommand('classchat.startLocalServer');
    assert.equal(fake.context.get('classchat.serverRunning'), true);
    const announce = fake.shown.find((s) => s.text.includes('ClassChat server running'));
    assert.ok(announce, JSON.stringify(fake.shown));
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(announce.text)?.[1]);
    assert.ok(port > 0);
    await fake.api.commands.executeCommand('classchat.copyServerAddress');
    assert.deepEqual(fake.clipboard, [`127.0.0.1:${port}`]);

    Object.assign(settings, { 'classchat.host': '127.0.0.1', 'classchat.port': port });
    await fake.api.commands.executeCommand('classchat.connect');
    assert.equal(fake.context.get('classchat.state'), 'connected', JSON.stringify(fake.shown));
    assert.match(fake.statusBar.text, /alice · 0 online/);

    // The chat view: strict CSP, then the ready handshake gets a snapshot.
    const view = new FakeWebviewView();
    fake.providers.get('classchat.chat')?.resolveWebviewView(view);
    assert.match(view.webview.html, /script-src 'nonce-[A-Za-z0-9+/=]+'/);
    assert.equal(view.webview.posted.length, 0, 'nothing is posted before ready');
    view.webview.received.fire({ type: 'ready' });
    assert.equal((view.webview.posted[0] as { type: string }).type, 'snapshot');

    const bob = new ChatClient({ host: '127.0.0.1', port, name: 'bob', keyStore: new MemoryKeyStore() });
    await bob.connect();
    try {
      await until(() => /1 online/.test(fake.statusBar.text), 'bob counted online');
      const tree = fake.trees.get('classchat.classmates');
      // Classmates, then the "Rooms" group (the local server speaks v3).
      assert.deepEqual(tree?.treeDataProvider.getChildren(), ['bob', '#']);

      const got = new Promise<string | undefined>((resolve) => bob.once('message', (m) => resolve(m.text)));
      view.webview.received.fire({ type: 'send', conversation: '*', text: 'hi from VS Code' });
      assert.equal(await got, 'hi from VS Code');

      // A private message while the chat is hidden: a notification with "Open".
      view.visible = false;
      view.visibility.fire();
      await bob.sendText('alice', 'psst');
      await until(() => fake.shown.some((s) => s.text === 'ClassChat — bob: psst'), 'notification');
      assert.deepEqual(fake.shown.find((s) => s.text === 'ClassChat — bob: psst')?.actions, ['Open']);
      assert.match(fake.statusBar.text, /1 unread/);
    } finally {
      await bob.close();
    }

    await extension.deactivate();
    assert.equal(fake.context.get('classchat.state'), 'disconnected');
    // The server is closed and its store flushed: the same data directory opens again.
    fake.answers.push(undefined);
    await fake.api.commands.executeCommand('classchat.startLocalServer');
    assert.equal(fake.context.get('classchat.serverRunning'), true);
  });

  it('says in plain words when no server answers, offering Retry and Open Settings', async () => {
    Object.assign(settings, { 'classchat.host': '127.0.0.1', 'classchat.port': 1 });
    fake.answers.push('Open Settings');
    await fake.api.commands.executeCommand('classchat.connect');
    const error = fake.shown.find((s) => s.level === 'error');
    assert.ok(error);
    assert.match(error.text, /Cannot reach a ClassChat server at 127\.0\.0\.1:1/);
    assert.deepEqual(error.actions, ['Retry', 'Open Settings']);
    assert.equal(fake.context.get('classchat.state'), 'disconnected');
  });

  it('tells the user once when a reconnect is refused for good (the name now belongs to another key)', async () => {
    let server = await startTestServer();
    const { dataDir, port } = server;
    try {
      Object.assign(settings, { 'classchat.host': '127.0.0.1', 'classchat.port': port });
      await fake.api.commands.executeCommand('classchat.connect');
      assert.equal(fake.context.get('classchat.state'), 'connected');

      // The server is reset and "alice" is bound to someone else's key before it listens again,
      // so her reconnect cannot win the race and re-register.
      await server.stop();
      const store = new LogStore({ dataDir });
      await store.open();
      await store.deleteUser('alice');
      await store.putUser({ name: 'alice', publicKey: (await generateIdentity()).publicKey });
      await store.close();
      server = await startTestServer({ dataDir, port });

      await until(() => fake.context.get('classchat.state') === 'disconnected', 'gave up', 15_000);
      await until(() => fake.shown.some((s) => s.level === 'error'), 'error shown');
      const errors = fake.shown.filter((s) => s.level === 'error');
      assert.equal(errors.length, 1);
      assert.match(errors[0].text, /"alice" on 127\.0\.0\.1:\d+ belongs to someone else/);
      assert.deepEqual(errors[0].actions, ['Open Settings']);
      assert.match(fake.statusBar.tooltip, /disconnected/);
    } finally {
      await server.close();
    }
  });

  it('asks for a user name when none is set, checks it as the server does, and saves it', async () => {
    const server = await startTestServer();
    try {
      Object.assign(settings, { 'classchat.host': '127.0.0.1', 'classchat.port': server.port, 'classchat.userName': '' });
      fake.inputAnswers.push('Bob');
      await fake.api.commands.executeCommand('classchat.connect');
      const [box] = fake.inputBoxes;
      assert.match(box.problems[0] ?? '', /Type a name/);
      assert.match(box.problems[1] ?? '', /reserved/);
      assert.equal(box.problems[2], undefined);
      assert.equal(settings['classchat.userName'], 'bob');
      assert.equal(fake.context.get('classchat.state'), 'connected');
      assert.match(fake.statusBar.text, /bob · 0 online/);
    } finally {
      await extension.deactivate();
      await server.close();
    }
  });

  it('connects with TLS by the pinned fingerprint, and shows a wrong pin in the connect-error flow', async () => {
    const cert = await testCertificate();
    const server = await startTestServer({ tls: { cert: cert.certPem, key: cert.keyPem } });
    try {
      const other = await generateSelfSigned({ hosts: [], days: 1 });
      Object.assign(settings, { 'classchat.host': '127.0.0.1', 'classchat.port': server.port, 'classchat.tls.enabled': true, 'classchat.tls.fingerprint': other.fingerprint });
      fake.answers.push(undefined);
      await fake.api.commands.executeCommand('classchat.connect');
      const error = fake.shown.find((s) => s.level === 'error');
      assert.ok(error, JSON.stringify(fake.shown));
      assert.match(error.text, /Could not connect securely: .*fingerprint is [0-9A-F:]{95}, expected [0-9A-F:]{95}/);
      assert.deepEqual(error.actions, ['Retry', 'Open Settings']);
      assert.equal(fake.context.get('classchat.state'), 'disconnected');

      settings['classchat.tls.fingerprint'] = cert.fingerprint.toLowerCase();
      await fake.api.commands.executeCommand('classchat.connect');
      assert.equal(fake.context.get('classchat.state'), 'connected', JSON.stringify(fake.shown));
    } finally {
      await extension.deactivate();
      await server.close();
    }
  });

  it('connects with TLS trusting a CA file, and names the setting when the file is missing', async () => {
    const cert = await testCertificate();
    const server = await startTestServer({ tls: { cert: cert.certPem, key: cert.keyPem } });
    try {
      Object.assign(settings, { 'classchat.host': '127.0.0.1', 'classchat.port': server.port, 'classchat.tls.enabled': true, 'classchat.tls.caFile': join(storage, 'missing.pem') });
      fake.answers.push(undefined);
      await fake.api.commands.executeCommand('classchat.connect');
      const error = fake.shown.find((s) => s.level === 'error');
      assert.ok(error, JSON.stringify(fake.shown));
      assert.match(error.text, /The CA file \(classchat\.tls\.caFile\) .*missing\.pem cannot be read/);
      assert.deepEqual(error.actions, ['Open Settings']);

      await writeFile(join(storage, 'cert.pem'), cert.certPem);
      settings['classchat.tls.caFile'] = join(storage, 'cert.pem');
      await fake.api.commands.executeCommand('classchat.connect');
      assert.equal(fake.context.get('classchat.state'), 'connected', JSON.stringify(fake.shown));
    } finally {
      await extension.deactivate();
      await server.close();
    }
  });

  it('connects to its own local server over plain TCP even with TLS turned on', async () => {
    Object.assign(settings, { 'classchat.tls.enabled': true, 'classchat.tls.fingerprint': 'ab'.repeat(32) });
    fake.answers.push('Connect to It');
    await fake.api.commands.executeCommand('classchat.startLocalServer');
    assert.equal(fake.context.get('classchat.state'), 'connected', JSON.stringify(fake.shown));
  });

  it('stays quiet about private messages when notifications are off', async () => {
    const server = await startTestServer();
    try {
      Object.assign(settings, { 'classchat.host': '127.0.0.1', 'classchat.port': server.port, 'classchat.notifications': false });
      await fake.api.commands.executeCommand('classchat.connect');
      const bob = new ChatClient({ host: '127.0.0.1', port: server.port, name: 'bob', keyStore: new MemoryKeyStore() });
      await bob.connect();
      try {
        await until(() => /1 online/.test(fake.statusBar.text), 'bob online');
        await bob.sendText('alice', 'shh');
        await until(() => /1 unread/.test(fake.statusBar.text), 'counted unread');
        assert.deepEqual(fake.shown.filter((s) => s.text.includes('shh')), []);
      } finally {
        await bob.close();
      }
    } finally {
      await extension.deactivate();
      await server.close();
    }
  });
});
