/**
 * Send File to Classmate and receiving files, through the real bundle (dist/extension.js) with a
 * stand-in vscode, against a real server on 127.0.0.1: alice is the extension, bob and carol are
 * client-library users. Dialogs, quick picks and notification buttons are answered by the fake.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../src/client/chat-client';
import type { FileOfferView } from '../../src/client/file-transfer-types';
import { MemoryKeyStore } from '../../src/client/key-store';
import type { FileCardView, HostMessage } from '../../webview/protocol';
import { startTestServer, TestServer } from '../helpers/test-server';
import { until } from '../client/helpers/wait';
import { activateBundle, createFakeVscode, openChatView, ExtensionModule, FakeVscode, FakeWebviewView, Uri } from './helpers/fake-vscode';

describe('sending and receiving files in the extension (bundle, stand-in vscode, real server)', function () {
  this.timeout(30_000);
  let server: TestServer;
  let fake: FakeVscode;
  let extension: ExtensionModule;
  let work: string;
  let downloads: string;
  let view: FakeWebviewView;
  const clients: ChatClient[] = [];
  const subscriptions: Array<{ dispose(): unknown }> = [];
  const settings: Record<string, unknown> = {};

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false });
    work = await mkdtemp(join(tmpdir(), 'classchat-ext-files-'));
    downloads = join(work, 'downloads');
    await mkdir(downloads);
    for (const key of Object.keys(settings)) delete settings[key];
    Object.assign(settings, { 'classchat.host': '127.0.0.1', 'classchat.port': server.port, 'classchat.userName': 'alice', 'classchat.downloadFolder': downloads });
    fake = createFakeVscode(settings);
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

  async function client(name: string, keyStore = new MemoryKeyStore()): Promise<ChatClient> {
    const c = new ChatClient({ host: '127.0.0.1', port: server.port, name, keyStore });
    clients.push(c);
    await c.connect();
    return c;
  }

  async function connectAlice(): Promise<void> {
    await fake.api.commands.executeCommand('classchat.connect');
    assert.equal(fake.context.get('classchat.state'), 'connected', JSON.stringify(fake.shown));
  }

  async function file(name: string, bytes: Buffer): Promise<string> {
    const path = join(work, name);
    await writeFile(path, bytes);
    return path;
  }

  /** The file cards the chat view was sent, latest state per file id. */
  function cards(): Map<string, FileCardView> {
    const latest = new Map<string, FileCardView>();
    for (const message of view.webview.posted as HostMessage[]) {
      const shown = message.type === 'upsert' ? [message.message] : message.type === 'snapshot' || message.type === 'older' ? message.messages : [];
      for (const m of shown) if (m.file) latest.set(m.file.file, m.file);
    }
    return latest;
  }

  /** Progress notifications (connecting shows progress in the status bar, not here). */
  const notifications = () => fake.progress.filter((p) => p.location === fake.api.ProgressLocation.Notification);
  const shownText = (pattern: RegExp) => fake.shown.find((s) => pattern.test(s.text));

  it('sends several files chosen in the explorer to a classmate picked online-first, with progress and cards', async () => {
    await connectAlice();
    const carol = await client('carol');
    await carol.close();
    const bob = await client('bob');
    await until(() => /1 online/.test(fake.statusBar.text), 'bob online');

    const one = randomBytes(300_000);
    const two = randomBytes(10);
    const uris = [Uri.file(await file('one.bin', one)), Uri.file(await file('two.txt', two))];
    const offers: FileOfferView[] = [];
    bob.on('fileOffer', (offer) => offers.push(offer));
    fake.pickAnswers.push('bob');
    await fake.api.commands.executeCommand('classchat.sendFile', uris[0], uris);

    assert.deepEqual(fake.quickPicks[0].items.map((i) => [i.label, i.description]), [
      ['bob', 'online'],
      ['carol', 'offline'],
    ]);
    assert.equal(fake.quickPicks[0].title, 'ClassChat: send 2 files to…');
    assert.deepEqual(notifications().map((p) => [p.title, p.cancellable]).sort(), [
      ['Sending one.bin to bob', true],
      ['Sending two.txt to bob', true],
    ]);
    const big = notifications().find((p) => p.title === 'Sending one.bin to bob');
    assert.equal(big?.reports.reduce((sum, r) => sum + (r.increment ?? 0), 0), 100, 'increments add up to 100%');
    assert.ok(shownText(/^Sent one\.bin to bob$/) && shownText(/^Sent two\.txt to bob$/), JSON.stringify(fake.shown));

    // The chat shows bob's conversation with a card per file, uploaded and waiting for him.
    await until(() => [...cards().values()].filter((c) => c.state === 'offered').length === 2, 'two cards waiting for bob');
    assert.deepEqual([...cards().values()].map((c) => [c.name, c.direction, c.peer]).sort(), [
      ['one.bin', 'outgoing', 'bob'],
      ['two.txt', 'outgoing', 'bob'],
    ]);

    await until(() => offers.length === 2, 'bob got both offers');
    const dir = join(work, 'bob');
    await mkdir(dir);
    const saved = await Promise.all(offers.map(async (offer) => (await bob.acceptFile(offer.file, dir)).done));
    assert.deepEqual((await Promise.all(saved.map((path) => readFile(path)))).sort(Buffer.compare), [one, two].sort(Buffer.compare));
    await until(() => [...cards().values()].every((c) => c.state === 'done'), 'cards say delivered');
  });

  it('sends to the classmate clicked in the tree, asking for the file; an offline classmate gets it stored', async () => {
    await connectAlice();
    const carolKeys = new MemoryKeyStore();
    const carol = await client('carol', carolKeys);
    await carol.close();
    await until(() => fake.trees.get('classchat.classmates')?.treeDataProvider.getChildren().includes('carol') === true, 'carol listed');
    const bytes = Buffer.from('# notes\n');
    fake.openDialogAnswers.push([Uri.file(await file('notes.md', bytes))]);
    await fake.api.commands.executeCommand('classchat.sendFile', 'carol');
    assert.equal(fake.quickPicks.length, 0, 'the classmate was given');
    assert.ok(shownText(/^Sent notes\.md, stored for carol, who is offline$/), JSON.stringify(fake.shown));

    assert.equal(notifications()[0].title, 'Sending notes.md to carol');
    await until(() => cards().get([...cards().keys()][0])?.state === 'offered', 'card waiting for carol');

    // Carol logs in later: the offer waits in her mailbox, with the same bytes.
    const later = new ChatClient({ host: '127.0.0.1', port: server.port, name: 'carol', keyStore: carolKeys });
    clients.push(later);
    const offered = new Promise<FileOfferView>((resolve) => later.once('fileOffer', resolve));
    await later.connect();
    const offer = await offered;
    assert.equal(offer.name, 'notes.md');
    const dir = join(work, 'carol');
    await mkdir(dir);
    const path = await (await later.acceptFile(offer.file, dir)).done;
    assert.deepEqual(await readFile(path), bytes);
  });

  it('refuses folders and explains, and cancelling stops the upload (the classmate hears it)', async () => {
    await connectAlice();
    const bob = await client('bob');
    await until(() => /1 online/.test(fake.statusBar.text), 'bob online');
    fake.pickAnswers.push('bob');
    await fake.api.commands.executeCommand('classchat.sendFile', Uri.file(work), [Uri.file(work)]);
    assert.ok(shownText(/is a folder; only files can be sent/), JSON.stringify(fake.shown));
    assert.equal(notifications().length, 0);

    const states: string[] = [];
    bob.on('fileState', (_file, state) => states.push(state));
    fake.pickAnswers.push('bob');
    const sending = fake.api.commands.executeCommand('classchat.sendFile', Uri.file(await file('big.bin', randomBytes(4 * 1024 * 1024))));
    await until(() => notifications().length === 1, 'progress shown');
    notifications()[0].cancel();
    await sending;
    assert.equal(notifications()[0].finished, true);
    assert.equal(shownText(/^Sent big\.bin/), undefined);
    assert.equal(fake.shown.filter((s) => s.level === 'error').length, 1, 'only the folder error');
    await until(() => states.includes('cancelled'), 'bob hears of the cancel');
    await until(() => [...cards().values()].some((c) => c.name === 'big.bin' && c.state === 'cancelled'), 'the card says cancelled');
  });

  it('announces an offer with Save…/Decline; Save… saves in the download folder, never overwriting, and offers Open', async () => {
    await connectAlice();
    const bob = await client('bob');
    await until(() => /1 online/.test(fake.statusBar.text), 'bob online');
    await writeFile(join(downloads, 'report.pdf'), 'an older report');
    fake.responders.push((text) => (text === 'bob sent you report.pdf (2.1 MB)' ? 'Save…' : undefined));
    fake.responders.push((text) => (text.startsWith('Saved ') ? 'Open' : undefined));
    // The user keeps the suggested name, which exists: the client adds " (1)".
    fake.saveDialogAnswers.push(Uri.file(join(downloads, 'report.pdf')));
    const bytes = randomBytes(2_202_010);
    const upload = await bob.sendFile('alice', await file('report.pdf', bytes));

    await until(() => fake.shown.some((s) => s.text.startsWith('Saved ')), 'saved', 20_000);
    const offer = shownText(/sent you/);
    assert.deepEqual(offer && [offer.level, offer.text, offer.actions], ['info', 'bob sent you report.pdf (2.1 MB)', ['Save…', 'Decline']]);
    assert.equal(fake.saveDialogs[0].defaultUri?.fsPath, join(downloads, 'report.pdf'));
    assert.deepEqual(shownText(/^Saved /)?.text, 'Saved report (1).pdf');
    assert.deepEqual(shownText(/^Saved /)?.actions, ['Open']);
    assert.deepEqual(await readFile(join(downloads, 'report (1).pdf')), bytes);
    assert.equal(await readFile(join(downloads, 'report.pdf'), 'utf8'), 'an older report', 'the existing file is untouched');
    assert.deepEqual((await readdir(downloads)).sort(), ['report (1).pdf', 'report.pdf'], 'no temporary file left');
    const receiving = notifications().find((p) => p.title === 'Receiving report.pdf from bob');
    assert.equal(receiving?.cancellable, true);
    assert.equal(receiving?.reports.reduce((sum, r) => sum + (r.increment ?? 0), 0), 100);
    await until(() => fake.executed.some((e) => e.id === 'vscode.open'), 'opened');
    const opened = fake.executed.find((e) => e.id === 'vscode.open')?.args[0];
    assert.ok(opened instanceof Uri);
    assert.equal(opened.fsPath, join(downloads, 'report (1).pdf'));
    assert.equal(await upload.done.then(() => 'ok'), 'ok');
    // A file offer is announced once, by its own notification, not also as a message preview.
    assert.equal(fake.shown.filter((s) => s.text.includes('report.pdf') && s.text.startsWith('ClassChat — ')).length, 0);
  });

  it('Decline on the notification tells the sender', async () => {
    await connectAlice();
    const bob = await client('bob');
    await until(() => /1 online/.test(fake.statusBar.text), 'bob online');
    view.webview.received.fire({ type: 'open', conversation: 'bob' });
    fake.responders.push((text) => (text.startsWith('bob sent you') ? 'Decline' : undefined));
    const states: string[] = [];
    bob.on('fileState', (_file, state, by) => states.push(`${state} by ${by ?? '?'}`));
    await bob.sendFile('alice', await file('spam.txt', Buffer.from('buy now')));
    await until(() => states.includes('declined by alice'), 'bob hears alice declined');
    assert.equal(shownText(/sent you/)?.text, 'bob sent you spam.txt (7 bytes)');
    assert.equal(fake.saveDialogs.length, 0);
    await until(() => [...cards().values()].some((c) => c.name === 'spam.txt' && c.state === 'declined'), 'the card says declined');
  });

  it('announces once, at login, an offer sent while alice was offline', async () => {
    await connectAlice();
    await fake.api.commands.executeCommand('classchat.disconnect');
    const bob = await client('bob');
    const upload = await bob.sendFile('alice', await file('late.txt', Buffer.from('while you were away')));
    await upload.done;
    await connectAlice();
    await until(() => fake.shown.some((s) => s.text === 'bob sent you late.txt (19 bytes)'), 'announced');
    // The mailbox delivery and the server's file list both report it: still one notification.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(fake.shown.filter((s) => s.text.includes('late.txt')).length, 1);
  });

  /** alice connected with bob's conversation open in the chat; bob's view of the transfers' states. */
  async function aliceChattingWithBob(): Promise<{ bob: ChatClient; states: string[] }> {
    await connectAlice();
    const bob = await client('bob');
    await until(() => /1 online/.test(fake.statusBar.text), 'bob online');
    view.webview.received.fire({ type: 'open', conversation: 'bob' });
    const states: string[] = [];
    bob.on('fileState', (_file, state, by) => states.push(`${state} by ${by ?? '?'}`));
    return { bob, states };
  }

  it('runs Save… and Decline from the file card buttons in the chat view', async () => {
    const { bob, states } = await aliceChattingWithBob();
    await bob.sendFile('alice', await file('keep.txt', Buffer.from('keep me')));
    await bob.sendFile('alice', await file('drop.txt', Buffer.from('drop me')));
    await until(() => cards().size === 2, 'two cards in the chat');
    const byName = (name: string) => [...cards().values()].find((c) => c.name === name)!;
    assert.deepEqual([byName('keep.txt').direction, byName('keep.txt').state, byName('keep.txt').peer], ['incoming', 'offered', 'bob']);

    fake.saveDialogAnswers.push(Uri.file(join(downloads, 'kept.txt')));
    view.webview.received.fire({ type: 'acceptFile', file: byName('keep.txt').file });
    view.webview.received.fire({ type: 'declineFile', file: byName('drop.txt').file });
    await until(() => states.includes('declined by alice') && states.includes('delivered by alice'), 'bob hears of both');
    await until(() => byName('keep.txt').state === 'done' && byName('drop.txt').state === 'declined', 'cards done and declined');
    assert.equal(await readFile(join(downloads, 'kept.txt'), 'utf8'), 'keep me', 'saved under the name chosen in the dialog');
    assert.equal(fake.saveDialogs[0].defaultUri?.fsPath, join(downloads, 'keep.txt'));

    // A malformed card message is ignored, not acted on.
    view.webview.received.fire({ type: 'declineFile', file: '../../etc/passwd' });
    view.webview.received.fire({ type: 'cancelFile' });
    assert.equal(fake.shown.filter((s) => s.level === 'error').length, 0);
  });

  it('cancelling the receiving notification stops the download, leaves no file, and tells the sender', async () => {
    const { bob, states } = await aliceChattingWithBob();
    // Uploaded first, so the cancel can only act on alice's download (the side under test).
    const upload = await bob.sendFile('alice', await file('big.bin', randomBytes(16 * 1024 * 1024)));
    assert.equal(await upload.done, 'uploaded');
    await until(() => cards().size === 1, 'card shown');
    const [card] = cards().values();
    fake.saveDialogAnswers.push(Uri.file(join(downloads, 'big.bin')));
    view.webview.received.fire({ type: 'acceptFile', file: card.file });
    await until(() => notifications().some((p) => p.title === 'Receiving big.bin from bob'), 'receiving', 10_000);
    notifications()[0].cancel();
    await until(() => states.includes('cancelled by alice'), 'bob hears alice cancelled', 10_000);
    await until(() => notifications()[0].finished, 'the progress notification closes');
    await until(() => cards().get(card.file)?.state === 'cancelled', 'the card says cancelled');
    assert.deepEqual(await readdir(downloads), [], 'no file and no temporary file');
    assert.equal(shownText(/^Saved /), undefined);
    assert.equal(fake.shown.filter((s) => s.level === 'error').length, 0, 'a cancel the user asked for is not an error');
  });

  it('redraws the card when its Save… dialog is dismissed, so its buttons work again', async () => {
    await connectAlice();
    const bob = await client('bob');
    await until(() => /1 online/.test(fake.statusBar.text), 'bob online');
    view.webview.received.fire({ type: 'open', conversation: 'bob' });
    await bob.sendFile('alice', await file('maybe.txt', Buffer.from('later')));
    await until(() => cards().size === 1, 'card shown');
    const [card] = cards().values();
    const upserts = () => (view.webview.posted as HostMessage[]).filter((m) => m.type === 'upsert' && m.message.file?.file === card.file).length;
    const before = upserts();
    fake.saveDialogAnswers.push(undefined);
    view.webview.received.fire({ type: 'acceptFile', file: card.file });
    await until(() => upserts() > before, 'the card posted again');
    assert.equal(cards().get(card.file)?.state, 'offered');
    assert.equal(fake.saveDialogs.length, 1);
  });

  it('refuses a download folder that is not a full path, naming the setting', async () => {
    settings['classchat.downloadFolder'] = 'downloads';
    await connectAlice();
    const bob = await client('bob');
    await until(() => /1 online/.test(fake.statusBar.text), 'bob online');
    fake.responders.push((text) => (text.startsWith('bob sent you') ? 'Save…' : undefined));
    await bob.sendFile('alice', await file('x.txt', Buffer.from('x')));
    await until(() => fake.shown.some((s) => s.level === 'error'), 'error shown');
    const error = fake.shown.find((s) => s.level === 'error');
    assert.match(error?.text ?? '', /classchat\.downloadFolder\) must be a full path/);
    assert.deepEqual(error?.actions, ['Open Settings']);
    assert.equal(fake.saveDialogs.length, 0);
  });
});
