/**
 * The VSIX as a student meets it: installed in a real VS Code (code-server), driven in headless
 * Chromium, talking to a real ClassChat server with a second participant, bob, on the client
 * library. One story, step by step; a PNG per step in test-output/e2e/, and on failure the
 * extension host's logs in test-output/e2e/logs/. Run it with `npm run test:e2e` (scripts/e2e.mjs).
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';
import { ChatClient } from '../../src/client';
import type { FileOfferView } from '../../src/client/file-transfer-types';
import { MemoryKeyStore } from '../../src/client/key-store';
import { MemoryTrustStore } from '../../src/client/trust-store';
import type { MessageChange, ReceivedMessage } from '../../src/client/types';
import { dataDirWithRoles, startTestServer, TestServer } from '../helpers/test-server';
import { tinyPng } from '../helpers/tiny-png';
import { CodeServer } from './code-server';
import { Workbench } from './workbench';

const ROOT = join(__dirname, '..', '..', '..');
const OUTPUT = join(ROOT, 'test-output', 'e2e');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH ?? ''].find((path) => path !== '' && existsSync(path));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const VSIX = process.env.CLASSCHAT_VSIX ?? join(ROOT, `classchat-${VERSION}.vsix`);
const SEND_FILE_COMMAND = 'classchat.sendFile';
const RECONNECT_MS = 60_000;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function until(probe: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('ClassChat in a real VS Code (code-server + Chromium)', function () {
  this.timeout(180_000);
  let work: string;
  let workspace: string;
  let downloads: string;
  let server: TestServer;
  let codeServer: CodeServer;
  let browser: Browser;
  let wb: Workbench;
  let bob: ChatClient;
  let teacher: ChatClient | undefined;
  const bobGot: ReceivedMessage[] = [];
  let failed = false;

  before(async function () {
    if (!CHROMIUM) throw new Error('chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)');
    if (!existsSync(VSIX)) throw new Error(`${VSIX} is missing: build it with "npm run package" (npm run test:e2e does)`);
    await rm(OUTPUT, { recursive: true, force: true });
    work = await mkdtemp(join(tmpdir(), 'classchat-e2e-'));
    workspace = join(work, 'workspace');
    downloads = join(work, 'downloads');
    await mkdir(workspace, { recursive: true });
    await mkdir(downloads, { recursive: true });
  });

  afterEach(async function () {
    const title = this.currentTest?.title ?? 'step';
    if (wb) await wb.screenshot(title.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 60)).catch(() => undefined);
    // Close whatever a failed step left open (menu, quick pick) so the next step starts clean.
    if (wb) for (let i = 0; i < 2; i++) await wb.page.keyboard.press('Escape').catch(() => undefined);
    if (wb) await wb.clearNotifications().catch(() => undefined);
    if (this.currentTest?.state === 'failed') failed = true;
  });

  after(async function () {
    if (failed && codeServer) await codeServer.saveLogs(join(OUTPUT, 'logs')).catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await bob?.close().catch(() => undefined);
    await teacher?.close().catch(() => undefined);
    await codeServer?.stop();
    await server?.close().catch(() => undefined);
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** A classmate on the client library, connected to the test server. */
  async function libraryClient(name: string): Promise<ChatClient> {
    const client = new ChatClient({
      host: '127.0.0.1',
      port: server.port,
      name,
      keyStore: new MemoryKeyStore(),
      trustStore: new MemoryTrustStore(),
      backoff: { initialMs: 100, maxMs: 1000 },
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  it('1-3: starts a ClassChat server with bob online, and code-server with the VSIX installed', async () => {
    // mrs.k is the class's teacher (the operator's `classchat-server role`), for the rooms steps.
    server = await startTestServer({ dataDir: await dataDirWithRoles({ 'mrs.k': 'teacher' }) });
    bob = await libraryClient('bob');
    bob.on('message', (message) => bobGot.push(message));
    codeServer = await CodeServer.start({
      root: join(work, 'code-server'),
      vsix: VSIX,
      settings: {
        'classchat.host': '127.0.0.1',
        'classchat.port': server.port,
        'classchat.downloadFolder': downloads,
        'workbench.startupEditor': 'none',
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'chat.disableAIFeatures': true,
        'workbench.tips.enabled': false,
        'extensions.ignoreRecommendations': true,
        'telemetry.telemetryLevel': 'off',
      },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    wb = new Workbench(page, OUTPUT);
    await writeFile(join(workspace, 'notes.txt'), 'Homework: read chapter 3.\n');
    await wb.open(codeServer.workbenchUrl(workspace));
    await wb.activityBarItem('ClassChat');
  });

  it('4: connects from the command palette as alice and shows it in the status bar', async () => {
    await wb.runCommand('ClassChat: Connect');
    await wb.answerInput(/your name in the class/i, 'alice');
    const status = await wb.statusBar(/alice · 1 online/);
    assert.match(status, /alice · 1 online/);
  });

  it('5: chats in the side panel: to everyone, privately (end-to-end encrypted) both ways', async () => {
    await wb.openViewContainer('ClassChat');
    await wb.treeRow('Classmates', /^bob/).first().waitFor({ timeout: 30_000 });
    const chat = wb.chatView();
    const send = async (text: string) => {
      await chat.locator('textarea.input').fill(text);
      await chat.locator('textarea.input').press('Enter');
      await chat.locator('article.message', { hasText: text }).first().waitFor({ timeout: 30_000 });
    };
    await chat.locator('button.chip', { hasText: 'Everyone' }).click();
    await send('Hello class, from VS Code');
    await until(() => bobGot.some((m) => m.text === 'Hello class, from VS Code' && m.to === '*'), 'bob to get the message to everyone');

    await wb.treeRow('Classmates', /^bob/).first().click();
    await chat.locator('textarea.input[placeholder="Message bob"]').waitFor({ timeout: 30_000 });
    await send('Psst bob, only for you');
    await until(() => bobGot.some((m) => m.text === 'Psst bob, only for you'), 'bob to get the private message');
    const privateOne = bobGot.find((m) => m.text === 'Psst bob, only for you')!;
    assert.equal(privateOne.to, 'bob');
    assert.equal(privateOne.encrypted, true, 'the private message reached bob as an end-to-end encrypted box');

    await bob.sendText('alice', 'Hi alice, secret answer: 42');
    const fromBob = chat.locator('article.message', { hasText: 'Hi alice, secret answer: 42' });
    await fromBob.waitFor({ timeout: 30_000 });
    assert.equal(await fromBob.locator('.mark.lock').count(), 1, 'the private message from bob shows the lock mark');

    await bob.sendText('*', 'Bob says hi to everyone');
    await chat.locator('button.chip', { hasText: 'Everyone' }).click();
    await chat.locator('article.message', { hasText: 'Bob says hi to everyone' }).waitFor({ timeout: 30_000 });
  });

  it('6: sends a workspace file to bob from the Explorer context menu; bob gets identical bytes', async () => {
    assertSendFileContributed();
    const bytes = randomBytes(300_000);
    await writeFile(join(workspace, 'lab-data.bin'), bytes);
    const offered = new Promise<FileOfferView>((resolve) => bob.once('fileOffer', resolve));
    await wb.explorerContextAction('lab-data.bin', 'Send File to Classmate');
    await wb.pick('bob');
    const offer = await offered;
    assert.equal(offer.name, 'lab-data.bin');
    const download = await bob.acceptFile(offer.file, await mkdtemp(join(work, 'bob-')));
    const saved = await download.done;
    assert.equal(sha256(await readFile(saved)), sha256(bytes));
    await wb.notification(/Sent lab-data\.bin to bob/);
  });

  it('7: bob sends alice a file; she saves it from the notification and it is identical', async () => {
    assertSendFileContributed();
    const bytes = randomBytes(200_000);
    const source = join(work, 'slides.pdf');
    await writeFile(source, bytes);
    const upload = await bob.sendFile('alice', source);
    await wb.clickNotificationButton(/bob sent you slides\.pdf/, 'Save…');
    // The save dialog (code-server's simple one: a path input) opens in classchat.downloadFolder
    // with the offered name; Enter accepts it.
    await wb.acceptQuickInput('slides.pdf');
    await wb.notification(/Saved slides\.pdf/);
    await upload.done;
    assert.equal(sha256(await readFile(join(downloads, 'slides.pdf'))), sha256(bytes));
  });

  it('8: says "reconnecting" while the server is down and delivers what was sent meanwhile exactly once', async () => {
    await wb.page.keyboard.press('Escape');
    await wb.openViewContainer('ClassChat');
    const chat = wb.chatView();
    await chat.locator('button.chip', { hasText: 'Everyone' }).click();
    const { dataDir, port } = server;
    await server.stop();
    await wb.statusBar(/reconnecting/i);
    await chat.locator('.status-text', { hasText: /Reconnecting/ }).waitFor({ timeout: 30_000 });
    const offline = 'Written while the server was down';
    await chat.locator('textarea.input').fill(offline);
    await chat.locator('textarea.input').press('Enter');
    await chat.locator('article.message', { hasText: offline }).waitFor({ timeout: 30_000 });
    await wb.screenshot('8-reconnecting');

    server = await startTestServer({ dataDir, port });
    await wb.statusBar(/alice · 1 online/, RECONNECT_MS);
    await until(() => bobGot.some((m) => m.text === offline), 'bob to get the message sent while disconnected', RECONNECT_MS);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // a duplicate would arrive by now
    assert.equal(bobGot.filter((m) => m.text === offline).length, 1, 'delivered exactly once to bob');
    const rows = chat.locator('article.message', { hasText: offline });
    assert.equal(await rows.count(), 1, 'shown once in the panel');
    await rows.locator('.mark.delivery').waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('9: creates a lab room with bob from the command palette; both chat in it, end-to-end encrypted', async () => {
    await wb.runCommand('ClassChat: Create Room…');
    await wb.answerInput(/a name for the room/i, 'lab-3', true);
    await wb.pickMany(['bob']);
    await until(() => bob.rooms().some((room) => room.name === 'lab-3' && room.member), 'bob to be a member of #lab-3');
    await wb.openViewContainer('ClassChat');
    await wb.treeRow('Classmates', /^#lab-3/).first().click();
    const chat = wb.chatView();
    await chat.locator('.room-name', { hasText: 'lab-3' }).waitFor({ timeout: 30_000 });
    const plan = 'Lab 3 plan: I take part 1';
    await chat.locator('textarea.input').fill(plan);
    await chat.locator('textarea.input').press('Enter');
    await until(() => bobGot.some((m) => m.conversation === '#lab-3' && m.text === plan), 'bob to read alice\'s room message');
    assert.equal(bobGot.find((m) => m.text === plan)?.encrypted, true, 'the room message reached bob sealed with alice\'s sender key');
    await bob.sendText('#lab-3', 'Deal, I take part 2');
    await chat.locator('article.message', { hasText: 'Deal, I take part 2' }).waitFor({ timeout: 30_000 });
  });

  it('10: the teacher posts an announcement that alice reads but cannot answer', async () => {
    teacher = await libraryClient('mrs.k');
    await teacher.createRoom('announcements', { kind: 'class', encrypted: false, readOnly: true, members: ['alice'] });
    await teacher.sendText('#announcements', 'Quiz on Friday: chapters 3 and 4');
    await wb.openViewContainer('ClassChat');
    await wb.treeRow('Classmates', /^#announcements/).first().click();
    const chat = wb.chatView();
    await chat.locator('article.message', { hasText: 'Quiz on Friday: chapters 3 and 4' }).waitFor({ timeout: 30_000 });
    await chat.locator('.room-read-only').waitFor({ timeout: 30_000 });
    assert.equal(await chat.locator('textarea.input').isDisabled(), true, 'a student cannot write in a read-only room');
  });

  it('11: shares a selection of an open file with bob as a code card; bob\'s path:line link opens that line for alice', async () => {
    const app = ['// totals for lab 3', 'export function add(a: number, b: number) {', '  return a + b;', '}', 'export const total = add(1, 2);', ''].join('\n');
    await mkdir(join(workspace, 'src'), { recursive: true });
    await writeFile(join(workspace, 'src', 'app.ts'), app);
    await wb.runCommand('Go to File...');
    await wb.quickInput().locator('input').fill('src/app.ts');
    await wb.quickInput().locator('.monaco-list-row', { hasText: 'app.ts' }).first().click();
    await wb.page.locator('.tabs-container .tab.active', { hasText: 'app.ts' }).waitFor({ timeout: 30_000 });
    // Lines 2-3: from the start of line 2 down to the start of line 4 (which is left out).
    await wb.page.locator('.monaco-editor .view-lines').first().click();
    await wb.page.keyboard.press('Control+g');
    await wb.page.keyboard.type('2');
    await wb.page.keyboard.press('Enter');
    await wb.page.keyboard.press('Shift+ArrowDown');
    await wb.page.keyboard.press('Shift+ArrowDown');
    // The status bar counts selected characters ("(57 selected)"), not lines.
    await wb.page.locator('.statusbar', { hasText: 'selected' }).first().waitFor({ timeout: 30_000 });
    // The keybinding, as a student would: the palette's round trip can take the editor's focus.
    await wb.page.keyboard.press('Control+Alt+Shift+C');
    await wb.pick('bob');
    await wb.answerInput(/share src\/app\.ts:2-3/i, 'Why does add return NaN here?');
    await until(() => bobGot.some((m) => m.from === 'alice' && m.text?.includes('src/app.ts:2-3') === true), 'bob to get the shared selection');
    const shared = bobGot.find((m) => m.from === 'alice' && m.text?.includes('src/app.ts:2-3') === true)!;
    assert.equal(shared.text, 'Why does add return NaN here?\n```typescript src/app.ts:2-3\nexport function add(a: number, b: number) {\n  return a + b;\n```');
    assert.equal(shared.encrypted, true, 'the snippet reached bob end-to-end encrypted');
    const chat = wb.chatView();
    const card = chat.locator('.code-card', { hasText: 'src/app.ts' }).last();
    await card.waitFor({ timeout: 30_000 });
    assert.equal(await card.locator('.code-card-where').textContent(), 'src/app.ts · lines 2-3');
    await wb.screenshot('11-shared-selection-card');

    await bob.sendText('alice', 'The bug is at src/app.ts:5 I think');
    const link = chat.locator('article.message', { hasText: 'The bug is at' }).locator('.file-link', { hasText: 'src/app.ts:5' });
    await link.waitFor({ timeout: 30_000 });
    await wb.screenshot('11-link-from-bob');
    await link.click();
    const at = await wb.statusBar(/Ln 5, Col 1/);
    assert.match(at, /Ln 5, Col 1/);
    await wb.page.locator('.tabs-container .tab.active', { hasText: 'app.ts' }).waitFor({ timeout: 30_000 });
    await wb.screenshot('11-link-opened-app-ts-line-5');
  });

  it("12: replies to bob's message in Everyone from its hover toolbar and edits the reply; bob gets both", async () => {
    await wb.page.keyboard.press('Escape');
    await wb.openViewContainer('ClassChat');
    const chat = wb.chatView();
    await chat.locator('button.chip', { hasText: 'Everyone' }).click();
    const bobChanges: MessageChange[] = [];
    bob.on('messageChanged', (change) => bobChanges.push(change));
    const question = await bob.sendText('*', 'Who can explain recursion?');
    const original = chat.locator('article.message', { hasText: 'Who can explain recursion?' });
    await original.waitFor({ timeout: 30_000 });
    await original.hover();
    await original.locator('.message-actions button[aria-label="Reply"]').click();
    await chat.locator('.composer-mode', { hasText: 'Replying to bob' }).waitFor({ timeout: 30_000 });
    const input = chat.locator('textarea.input');
    await input.fill('A function that calls itslef');
    await input.press('Enter');
    await until(() => bobGot.some((m) => m.text === 'A function that calls itslef'), "bob to get alice's reply");
    const reply = bobGot.find((m) => m.text === 'A function that calls itslef')!;
    assert.equal(reply.replyTo?.seq, question.seq, "the reply names bob's message");
    const mine = chat.locator('article.message', { hasText: 'A function that calls itslef' });
    assert.equal(await mine.locator('.reply-quote').textContent(), '↪ bob: Who can explain recursion?');
    await mine.locator('.mark.delivery').waitFor({ state: 'detached', timeout: 30_000 });

    await mine.hover();
    await mine.locator('.message-actions button[aria-label="Edit"]').click();
    await chat.locator('.composer-mode', { hasText: 'Editing your message' }).waitFor({ timeout: 30_000 });
    await input.fill('A function that calls itself');
    await input.press('Enter');
    await until(() => bobChanges.some((c) => c.how === 'edited' && c.seq === reply.seq && c.message.text === 'A function that calls itself'), 'bob to get the edit');
    await chat.locator('article.message', { hasText: 'A function that calls itself' }).locator('.mark.edited').waitFor({ timeout: 30_000 });
  });

  it('13: bob sends alice a small PNG; once she saves it, its card in the panel shows the preview', async () => {
    const png = tinyPng(48, 32, [40, 120, 220]);
    const source = join(work, 'diagram.png');
    await writeFile(source, png);
    await wb.page.keyboard.press('Escape');
    await wb.openViewContainer('ClassChat');
    await wb.treeRow('Classmates', /^bob/).first().click();
    const chat = wb.chatView();
    await chat.locator('textarea.input[placeholder="Message bob"]').waitFor({ timeout: 30_000 });
    const upload = await bob.sendFile('alice', source);
    await wb.clickNotificationButton(/bob sent you diagram\.png/, 'Save…');
    await wb.acceptQuickInput('diagram.png');
    await wb.notification(/Saved diagram\.png/);
    await upload.done;
    assert.deepEqual(await readFile(join(downloads, 'diagram.png')), png);
    const preview = chat.locator('.file-card', { hasText: 'diagram.png' }).locator('img.file-preview');
    await preview.waitFor({ timeout: 30_000 });
    assert.equal(await preview.getAttribute('alt'), 'Preview of diagram.png');
    assert.equal(await preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), 48, 'the image loaded under the webview CSP');
    await wb.screenshot('13-image-preview');
  });

  /** Steps 6-7 need the file transfer commands; without them they fail (never skip) and say why. */
  function assertSendFileContributed(): void {
    const manifest = join(work, 'code-server', 'extensions', `classchat.classchat-${VERSION}`, 'package.json');
    const installed = JSON.parse(readFileSync(manifest, 'utf8')) as { contributes?: { commands?: Array<{ command: string }> } };
    const commands = installed.contributes?.commands?.map((c) => c.command) ?? [];
    assert.ok(
      commands.includes(SEND_FILE_COMMAND),
      `the installed extension has no "${SEND_FILE_COMMAND}" command (Send File to Classmate…): this VSIX was built without file transfer`,
    );
  }
});

