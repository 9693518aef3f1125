/**
 * Files pasted or dropped onto the chat composer (issue 17), through the real bundle with a
 * stand-in vscode against a real server on 127.0.0.1: alice is the extension, bob a client-library
 * user. Sent like Send File; image cards get a preview by their bytes, never by their names.
 */
import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../src/client/chat-client';
import type { FileOfferView } from '../../src/client/file-transfer-types';
import { MemoryKeyStore } from '../../src/client/key-store';
import type { FileCardView, HostMessage } from '../../webview/protocol';
import { startTestServer, TestServer } from '../helpers/test-server';
import { tinyPng } from '../helpers/tiny-png';
import { until } from '../client/helpers/wait';
import { activateBundle, createFakeVscode, openChatView, ExtensionModule, FakeVscode, FakeWebviewView, Uri } from './helpers/fake-vscode';

describe('pasted and dropped files in the extension (bundle, stand-in vscode, real server)', function () {
  this.timeout(30_000);
  let server: TestServer;
  let fake: FakeVscode;
  let extension: ExtensionModule;
  let work: string;
  let downloads: string;
  let view: FakeWebviewView;
  let bob: ChatClient;
  const subscriptions: Array<{ dispose(): unknown }> = [];

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false });
    work = await mkdtemp(join(tmpdir(), 'classchat-ext-paste-'));
    downloads = join(work, 'downloads');
    await mkdir(downloads);
    fake = createFakeVscode({ 'classchat.host': '127.0.0.1', 'classchat.port': server.port, 'classchat.userName': 'alice', 'classchat.downloadFolder': downloads });
    extension = activateBundle(fake, subscriptions, join(work, 'storage'));
    view = openChatView(fake);
    await fake.api.commands.executeCommand('classchat.connect');
    assert.equal(fake.context.get('classchat.state'), 'connected', JSON.stringify(fake.shown));
    bob = new ChatClient({ host: '127.0.0.1', port: server.port, name: 'bob', keyStore: new MemoryKeyStore() });
    await bob.connect();
    await until(() => /1 online/.test(fake.statusBar.text), 'bob online');
    // The chat view is open on bob's conversation: its cards reach the view.
    view.webview.received.fire({ type: 'ready', active: 'bob' });
  });

  afterEach(async () => {
    await bob.close();
    await extension.deactivate();
    for (const s of subscriptions.splice(0)) s.dispose();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  function cards(): Map<string, FileCardView> {
    const latest = new Map<string, FileCardView>();
    for (const message of view.webview.posted as HostMessage[]) {
      const shown = message.type === 'upsert' ? [message.message] : message.type === 'snapshot' || message.type === 'older' ? message.messages : [];
      for (const m of shown) if (m.file) latest.set(m.file.file, m.file);
    }
    return latest;
  }

  const drop = (fields: Record<string, unknown>) => view.webview.received.fire({ type: 'sendDroppedFile', conversation: 'bob', ...fields });
  const errors = () => fake.shown.filter((s) => s.level === 'error').map((s) => s.text);
  const tempCopies = async () => (await readdir(tmpdir())).filter((name) => name.startsWith('classchat-paste-'));

  it('sends a pasted image to the classmate under a made-up name, shows its preview, and leaves no copy behind', async () => {
    const before = await tempCopies();
    const offers: FileOfferView[] = [];
    bob.on('fileOffer', (offer) => offers.push(offer));
    const png = tinyPng();
    drop({ name: '', size: png.length, data: png.toString('base64') });
    await until(() => offers.length === 1, 'bob got the offer');
    assert.match(offers[0].name, /^pasted-image-\d{8}-\d{6}\.png$/);
    const dir = join(work, 'bob');
    await mkdir(dir);
    assert.deepEqual(await readFile(await (await bob.acceptFile(offers[0].file, dir)).done), png);
    await until(() => cards().get(offers[0].file)?.state === 'done', 'the card says delivered');
    assert.equal(cards().get(offers[0].file)?.preview, `data:image/png;base64,${png.toString('base64')}`);
    assert.ok(fake.shown.some((s) => s.text === `Sent ${offers[0].name} to bob`), JSON.stringify(fake.shown));
    for (let tries = 0; (await tempCopies()).length !== before.length; tries++) {
      assert.ok(tries < 100, 'the temporary copy is removed');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(errors(), []);
  });

  it('a received image gets a preview once saved; a text file named .png gets the plain card', async () => {
    const png = tinyPng();
    await mkdir(join(work, 'from-bob'));
    const realPath = join(work, 'from-bob', 'diagram.dat');
    const fakePath = join(work, 'from-bob', 'cat.png');
    await writeFile(realPath, png);
    await writeFile(fakePath, '<svg onload="alert(1)"></svg>');
    fake.responders.push((text) => (/^bob sent you (diagram\.dat|cat\.png)/.test(text) ? 'Save…' : undefined));
    fake.saveDialogAnswers.push(Uri.file(join(downloads, 'diagram.dat')), Uri.file(join(downloads, 'cat.png')));
    const real = await bob.sendFile('alice', realPath);
    await until(() => cards().get(real.file!)?.preview !== undefined, 'the preview of the saved image', 20_000);
    assert.equal(cards().get(real.file!)?.preview, `data:image/png;base64,${png.toString('base64')}`);
    const fakeUpload = await bob.sendFile('alice', fakePath);
    await until(() => cards().get(fakeUpload.file!)?.state === 'done', 'the fake image saved', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(cards().get(fakeUpload.file!)?.preview, undefined, 'no preview of a file that only has an image name');
  });

  it('refuses a hostile message with a clear error, and files for Everyone or a room', async () => {
    drop({ name: 'x.txt', size: 3, data: 'not base64!' });
    drop({ name: 'x.txt', size: 99, data: Buffer.from('abc').toString('base64') });
    drop({ name: 'x.txt', size: 26 * 1024 * 1024, data: '' });
    drop({ name: 'a'.repeat(5000), size: 3, data: Buffer.from('abc').toString('base64') });
    drop({ conversation: '*', name: 'x.txt', size: 3, data: Buffer.from('abc').toString('base64') });
    await until(() => errors().length === 5, 'five refusals');
    assert.deepEqual(errors(), [
      'ClassChat: the file was not sent: the file bytes are not base64',
      'ClassChat: the file was not sent: the file bytes (3) do not match its size (99)',
      'ClassChat: the file was not sent: "x.txt" is 26 MB: pasted and dropped files can be at most 25 MB. Use Send File to Classmate… for larger files.',
      'ClassChat: the file was not sent: the file name is missing or too long',
      'ClassChat: the file was not sent: Files go to one classmate: open their conversation and paste or drop the file there, or use Send File to Classmate…',
    ]);
    assert.equal(cards().size, 0, 'nothing was sent');
  });

  it('keeps a dropped file its name, made safe: no path leaves the temporary folder', async () => {
    const offers: FileOfferView[] = [];
    bob.on('fileOffer', (offer) => offers.push(offer));
    drop({ name: '../../../etc/passwd', size: 5, data: Buffer.from('hello').toString('base64') });
    await until(() => offers.length === 1, 'bob got the offer');
    assert.equal(offers[0].name, 'passwd');
  });
});
