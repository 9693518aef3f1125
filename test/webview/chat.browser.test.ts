/**
 * The built chat webview (dist/webview) in a real browser: Debian's chromium driven by
 * playwright-core. The page is served with the extension's own HTML and CSP and a stand-in for
 * acquireVsCodeApi; the test feeds it host messages and checks what a person sees.
 * Skipped when chromium is not installed, except in CI (CI=true), where that is a failure.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chatHtml } from '../../src/extension/chat-html';
import type { FileCardView, HostMessage, MessageView } from '../../webview/protocol';

const ROOT = join(__dirname, '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'webview', 'fixtures');
const OUTPUT = join(ROOT, 'test-output');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH ?? ''].find((path) => path !== '' && existsSync(path));
const NONCE = 'dGVzdC1ub25jZS0xMjM0NQ==';

function servePage(): Promise<Server> {
  const files: Record<string, [string, string]> = {
    '/main.js': [join(ROOT, 'dist', 'webview', 'main.js'), 'text/javascript'],
    '/main.css': [join(ROOT, 'dist', 'webview', 'main.css'), 'text/css'],
    '/theme-light.css': [join(FIXTURES, 'theme-light.css'), 'text/css'],
    '/theme-dark.css': [join(FIXTURES, 'theme-dark.css'), 'text/css'],
    '/fake-vscode-api.js': [join(FIXTURES, 'fake-vscode-api.js'), 'text/javascript'],
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/') {
      const origin = `http://${request.headers.host ?? 'localhost'}`;
      const theme = url.searchParams.get('theme') === 'dark' ? 'dark' : 'light';
      const html = chatHtml({ cspSource: origin, nonce: NONCE, scriptUri: `${origin}/main.js`, styleUri: `${origin}/main.css` })
        .replace('<link rel="stylesheet"', `<link rel="stylesheet" href="${origin}/theme-${theme}.css">\n<link rel="stylesheet"`)
        .replace('<script nonce=', `<script nonce="${NONCE}" src="${origin}/fake-vscode-api.js"></script>\n<script nonce=`);
      response.writeHead(200, { 'content-type': 'text/html' }).end(html);
      return;
    }
    const file = files[url.pathname];
    if (url.pathname === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file[1] }).end(readFileSync(file[0]));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let nextSeq = 1;
function message(from: string, text: string, extra: Partial<MessageView> = {}): MessageView {
  const seq = nextSeq++;
  return { id: `m${seq}`, seq, from, mine: from === 'alice', ts: Date.UTC(2026, 10, 25, 9, 0, seq), text, encrypted: false, plain: false, delivery: 'sent', ...extra };
}

/** A file offer's message, shown as a card. */
function fileMessage(from: string, card: Partial<FileCardView> & { file: string }): MessageView {
  const incoming = from !== 'alice';
  const file: FileCardView = { name: 'report.pdf', size: 2_202_010, direction: incoming ? 'incoming' : 'outgoing', peer: 'bob', state: 'offered', ...card };
  return message(from, `sent a file: ${file.name}`, { id: `offer-${card.file}`, encrypted: true, file });
}

function snapshot(messages: MessageView[], extra: Partial<Extract<HostMessage, { type: 'snapshot' }>> = {}): HostMessage {
  return {
    type: 'snapshot',
    connection: { status: 'connected', me: 'alice', server: '127.0.0.1:5050', online: 2 },
    conversations: [
      { id: '*', title: 'Everyone', unread: 0 },
      { id: 'bob', title: 'bob', online: true, unread: 3 },
      { id: 'carol', title: 'carol', online: false, unread: 0 },
    ],
    active: '*',
    messages,
    more: false,
    ...extra,
  };
}

(CHROMIUM || process.env.CI === 'true' ? describe : describe.skip)('chat webview in chromium', function () {
  this.timeout(30_000);
  let server: Server;
  let browser: Browser;
  let page: Page;
  let base: string;
  let problems: string[];

  before(async () => {
    assert.ok(CHROMIUM, 'chromium is not installed (apt-get install -y chromium)');
    const { chromium } = await import('playwright-core');
    server = await servePage();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    await mkdir(OUTPUT, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 360, height: 640 } });
    problems = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
  });

  afterEach(async () => {
    await page.close();
  });

  async function open(theme: 'light' | 'dark' = 'light'): Promise<void> {
    await page.goto(`${base}?theme=${theme}`);
    await page.waitForFunction('window.__posted.length > 0');
  }

  async function feed(...messages: HostMessage[]): Promise<void> {
    // A string, not a function: the test's tsconfig has no DOM types. postMessage is dispatched
    // later, as a task: wait until the page's own listener (registered first) has drawn it.
    for (const m of messages) {
      await page.evaluate(
        `new Promise((resolve) => { window.addEventListener('message', () => setTimeout(resolve, 0), { once: true }); window.postMessage(${JSON.stringify(m)}, '*'); })`,
      );
    }
  }

  const posted = () => page.evaluate<unknown[]>('window.__posted');

  it('says ready first, then shows messages in order with their marks, and unread badges', async () => {
    await open();
    assert.deepEqual(await posted(), [{ type: 'ready', active: '*' }]);
    await feed(
      snapshot([
        message('bob', 'first'),
        message('bob', 'second, same group'),
        message('alice', 'mine, **bold** and `code`'),
        message('carol', 'plain-text client', { plain: true }),
      ]),
    );
    const rows = page.locator('.message');
    assert.deepEqual(await rows.locator('.message-body').allTextContents(), ['first', 'second, same group', 'mine, bold and code', 'plain-text client']);
    assert.equal(await rows.nth(1).evaluate((el) => el.classList.contains('continued')), true, 'same sender within minutes shares a header');
    assert.equal(await page.locator('.message .mark.server-readable').first().textContent(), 'server can read this');
    assert.equal(await rows.nth(2).locator('strong').textContent(), 'bold');
    assert.equal(await rows.nth(3).locator('.mark.plain').textContent(), 'unverified sender');
    assert.equal(await page.locator('.chip[data-id="bob"] .badge').textContent(), '3');
    assert.equal(await page.locator('.chip[data-id="carol"] .badge').count(), 0);
    assert.deepEqual(problems, [], 'no CSP violations or errors');
  });

  it('shows the lock on end-to-end encrypted messages, pending then sent', async () => {
    await open();
    await feed(snapshot([message('bob', 'secret', { encrypted: true })], { active: 'bob' }));
    assert.equal(await page.locator('.mark.lock').count(), 1);
    assert.equal(await page.locator('.mark.server-readable').count(), 0);
    await feed({ type: 'upsert', conversation: 'bob', message: { id: 'p1', from: 'alice', mine: true, ts: Date.now(), text: 'reply', encrypted: true, plain: false, delivery: 'pending' } });
    assert.equal(await page.locator('.message.pending .mark.delivery').textContent(), 'sending…');
    await feed({ type: 'upsert', conversation: 'bob', message: { id: 'p1', seq: 99, from: 'alice', mine: true, ts: Date.now(), text: 'reply', encrypted: true, plain: false, delivery: 'sent' } });
    assert.equal(await page.locator('.message.pending').count(), 0);
    assert.equal(await page.locator('.message').count(), 2);
  });

  it('marks a message waiting for a classmate who has not joined yet, then sent', async () => {
    await open();
    await feed(snapshot([], { active: 'frank' }));
    await feed({ type: 'upsert', conversation: 'frank', message: { id: 'w1', from: 'alice', mine: true, ts: Date.now(), text: 'welcome', encrypted: true, plain: false, delivery: 'waiting', waitingFor: 'frank' } });
    assert.equal(await page.locator('.message.waiting .mark.delivery').textContent(), 'waiting for frank to join');
    await feed({ type: 'upsert', conversation: 'frank', message: { id: 'w1', seq: 7, from: 'alice', mine: true, ts: Date.now(), text: 'welcome', encrypted: true, plain: false, delivery: 'sent' } });
    assert.equal(await page.locator('.message.waiting').count(), 0);
  });

  it('renders script tags, onerror images and javascript: links as inert text', async () => {
    await open();
    const attacks = ['<script>window.__pwned = 1</script>', '<img src=x onerror="window.__pwned = 2">', '[click](javascript:window.__pwned=3) javascript:window.__pwned=4', '```\n<img src=x onerror="window.__pwned=5">\n```'];
    await feed(snapshot(attacks.map((text) => message('mallory', text))));
    const bodies = await page.locator('.message-body').allTextContents();
    assert.ok(bodies[0].includes('<script>window.__pwned = 1</script>'));
    assert.ok(bodies[1].includes('<img src=x onerror="window.__pwned = 2">'));
    assert.equal(await page.locator('.messages script, .messages img, .messages iframe').count(), 0);
    assert.equal(await page.locator('a[href^="javascript:"]').count(), 0);
    assert.equal(await page.evaluate<unknown>('window.__pwned'), undefined);
  });

  it('sends on Enter, adds a line on Shift+Enter, and keeps drafts across a reload', async () => {
    await open();
    await feed(snapshot([]));
    const input = page.locator('textarea.input');
    await input.click();
    await page.keyboard.type('line one');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('line two');
    assert.deepEqual((await posted()).slice(1), [], 'Shift+Enter does not send');
    await page.keyboard.press('Enter');
    assert.deepEqual((await posted()).slice(1), [{ type: 'send', conversation: '*', text: 'line one\nline two' }]);
    assert.equal(await input.inputValue(), '');

    // A draft and the open conversation survive the view being disposed and shown again.
    await feed(snapshot([], { active: 'bob' }));
    await input.fill('unsent draft');
    await input.dispatchEvent('input');
    await page.reload();
    await page.waitForFunction('window.__posted.length > 0');
    assert.deepEqual(await posted(), [{ type: 'ready', active: 'bob' }]);
    assert.equal(await page.locator('textarea.input').inputValue(), 'unsent draft');
  });

  it('keeps drafts and unread badges for classmates named __proto__ and constructor', async () => {
    const conversations = [
      { id: '*', title: 'Everyone', unread: 0 },
      { id: '__proto__', title: '__proto__', online: true, unread: 2 },
      { id: 'constructor', title: 'constructor', online: true, unread: 1 },
    ];
    const input = page.locator('textarea.input');
    await open();
    await feed(snapshot([], { conversations, active: 'constructor' }));
    // As a plain object's key, "constructor" read Object's source into the composer.
    assert.equal(await input.inputValue(), '');
    await input.fill('to constructor');
    await input.dispatchEvent('input');
    await feed(snapshot([], { conversations, active: '__proto__' }));
    assert.equal(await input.inputValue(), '', 'not "[object Object]"');
    await input.fill('to proto');
    await input.dispatchEvent('input');
    await feed(snapshot([], { conversations, active: 'constructor' }));
    assert.equal(await input.inputValue(), 'to constructor');
    await page.reload();
    await page.waitForFunction('window.__posted.length > 0');
    await feed(snapshot([], { conversations, active: '__proto__' }));
    assert.equal(await input.inputValue(), 'to proto', 'the draft survived the reload');
    const badges = await page.locator('.chip').evaluateAll((chips) => chips.map((chip) => chip.textContent));
    assert.deepEqual(badges, ['Everyone', '__proto__2', 'constructor1']);
  });

  it('disables the composer with the reason while disconnected, and offers Connect', async () => {
    await open();
    await feed(snapshot([], { connection: { status: 'disconnected', online: 0, detail: 'connection refused' } }));
    assert.equal(await page.locator('textarea.input').isDisabled(), true);
    assert.match((await page.locator('.blocked-reason').textContent()) ?? '', /Not connected/);
    await page.locator('button.connect').click();
    assert.deepEqual((await posted()).pop(), { type: 'connect' });
  });

  it('shows a reply with its quote, an edited mark, reactions with who reacted, and a deleted message without text', async () => {
    await open();
    await feed(
      snapshot([
        message('bob', 'who has the lab sheet?', { mentionsMe: true }),
        message('carol', 'I do, page 2', { replyTo: { seq: 1, from: 'bob', snippet: 'who has the lab sheet?' }, edited: true, reactions: [{ emoji: '👍', names: ['alice', 'bob'] }] }),
        message('dave', 'my password is hunter2', { deleted: { by: 'mrs.k' }, text: undefined }),
      ]),
    );
    assert.equal(await page.locator('.reply-quote').textContent(), '↪ bob: who has the lab sheet?');
    assert.equal(await page.locator('.mark.edited').count(), 1);
    assert.equal(await page.locator('.reaction').textContent(), '👍 2');
    assert.equal(await page.locator('.reaction').getAttribute('title'), 'alice, bob');
    assert.equal(await page.locator('.deleted').textContent(), 'Message deleted by mrs.k');
    assert.equal(await page.locator('.message', { hasText: 'hunter2' }).count(), 0);
    assert.equal(await page.locator('.message', { hasText: 'Message deleted' }).locator('.mark.server-readable').count(), 0, 'no "server can read this" on what is gone');
    assert.equal(await page.locator('.message.mentions-me').count(), 1);
    assert.deepEqual(problems, []);
  });

  it('asks for older messages and opens another conversation from its chip', async () => {
    await open();
    await feed(snapshot([message('bob', 'newest')], { more: true }));
    await page.locator('button.older').click();
    assert.deepEqual((await posted()).pop(), { type: 'loadOlder', conversation: '*' });
    await feed({ type: 'older', conversation: '*', messages: [message('bob', 'older one')], more: false });
    assert.deepEqual(await page.locator('.message-body').allTextContents(), ['older one', 'newest']);
    assert.equal(await page.locator('button.older').isHidden(), true);
    await page.locator('.chip[data-id="bob"]').click();
    assert.deepEqual((await posted()).pop(), { type: 'open', conversation: 'bob' });
  });

  it('warns about a changed key with Compare and Accept actions, and marks verified keys', async () => {
    await open();
    const conversations = (key: 'key_changed' | 'verified') => [
      { id: '*', title: 'Everyone', unread: 0 },
      { id: 'bob', title: 'bob', online: true, unread: 0, key, ...(key === 'key_changed' ? { sendBlocked: "bob's key changed." } : {}) },
    ];
    await feed(snapshot([], { active: 'bob', conversations: conversations('key_changed') }));
    assert.match((await page.locator('.key-bar').textContent()) ?? '', /bob's key changed/);
    assert.equal(await page.locator('textarea.input').isDisabled(), true);
    await page.locator('.key-bar button', { hasText: 'Compare safety numbers' }).click();
    await page.locator('.key-bar button', { hasText: 'Accept new key' }).click();
    assert.deepEqual((await posted()).slice(-2), [
      { type: 'verify', conversation: 'bob' },
      { type: 'acceptKey', conversation: 'bob' },
    ]);
    await feed({ type: 'conversations', conversations: conversations('verified') });
    assert.match((await page.locator('.key-bar').textContent()) ?? '', /key verified/);
    assert.equal(await page.locator('textarea.input').isDisabled(), false);
  });

  it('shows a room with its header, membership changes as centred system lines, and posts Members…', async () => {
    await open();
    const room = { kind: 'group' as const, encrypted: true, readOnly: false, members: 3, member: true };
    await feed(
      snapshot(
        [
          message('alice', 'alice created #lab-3 with bob, carol', { system: true }),
          message('bob', 'hi lab', { encrypted: true }),
          message('bob', 'bob added dave', { system: true }),
          message('bob', 'still me', { encrypted: true }),
        ],
        { active: '#lab-3', conversations: [{ id: '*', title: 'Everyone', unread: 0 }, { id: '#lab-3', title: '#lab-3', unread: 2, room }] },
      ),
    );
    assert.equal(await page.locator('.key-bar .room-name').textContent(), '#lab-3');
    assert.equal(await page.locator('.key-bar .room-members').textContent(), '3 members');
    assert.equal(await page.locator('.key-bar .room-encryption').textContent(), '🔒 encrypted');
    assert.equal(await page.locator('.chip[data-id="#lab-3"] .badge').textContent(), '2');
    assert.deepEqual(await page.locator('.message.system .system-text').allTextContents(), ['alice created #lab-3 with bob, carol', 'bob added dave']);
    // A string: the test's tsconfig has no DOM types.
    const centred = await page.evaluate<string>("getComputedStyle(document.querySelector('.message.system')).justifyContent");
    assert.equal(centred, 'center');
    // A system line breaks the sender's group: bob's next message shows his name again.
    assert.equal(await page.locator('.message', { hasText: 'still me' }).evaluate((el) => el.classList.contains('continued')), false);
    assert.equal(await page.locator('textarea.input').isDisabled(), false);
    assert.equal(await page.locator('textarea.input').getAttribute('placeholder'), 'Message #lab-3');
    await page.locator('.key-bar button', { hasText: 'Members…' }).click();
    assert.deepEqual((await posted()).pop(), { type: 'roomMembers', room: '#lab-3' });
    assert.deepEqual(problems, [], 'no CSP violations or errors');
  });

  it("marks a room the server can read, and disables a read-only room's composer with the reason; Join for a class room", async () => {
    await open();
    const conversations = (member: boolean) => [
      { id: '*', title: 'Everyone', unread: 0 },
      {
        id: '#announcements',
        title: '#announcements',
        unread: 0,
        room: { kind: 'class' as const, encrypted: false, readOnly: true, members: 0, member },
        sendBlocked: member ? 'Only teachers and TAs post in #announcements. You can read it.' : 'You are not in #announcements. Join it to post here.',
      },
    ];
    await feed(snapshot([message('mrs.k', 'exam on friday')], { active: '#announcements', conversations: conversations(false) }));
    assert.equal(await page.locator('.key-bar .room-encryption').textContent(), 'not encrypted: the server can read it');
    assert.equal(await page.locator('.key-bar .room-read-only').textContent(), 'read-only: teachers and TAs post here');
    assert.equal(await page.locator('.key-bar .room-members').count(), 0, 'no count while unknown');
    await page.locator('.key-bar button', { hasText: 'Join' }).click();
    assert.deepEqual((await posted()).pop(), { type: 'joinRoom', room: '#announcements' });
    await feed({ type: 'conversations', conversations: conversations(true) });
    assert.equal(await page.locator('.key-bar button', { hasText: 'Join' }).count(), 0);
    assert.equal(await page.locator('textarea.input').isDisabled(), true);
    assert.equal(await page.locator('button.send').isDisabled(), true);
    assert.equal(await page.locator('.blocked-reason').textContent(), 'Only teachers and TAs post in #announcements. You can read it.');
    assert.equal(await page.locator('textarea.input').getAttribute('placeholder'), '');
    assert.deepEqual(problems, [], 'no CSP violations or errors');
  });

  it('shows an incoming file offer as a card with Save… and Decline, and posts what is clicked', async () => {
    await open();
    await feed(snapshot([fileMessage('bob', { file: 'f1' }), fileMessage('bob', { file: 'f2', name: 'other.zip', size: 900 })], { active: 'bob' }));
    const card = page.locator('.file-card[data-file="f1"]');
    assert.equal(await card.locator('.file-name').textContent(), 'report.pdf');
    assert.equal(await card.locator('.file-meta').textContent(), '2.1 MB · from bob');
    assert.equal(await card.locator('.file-status').textContent(), 'offered to you');
    assert.deepEqual(await card.locator('button').allTextContents(), ['Save…', 'Decline']);
    assert.equal(await page.locator('.file-card[data-file="f2"] .file-meta').textContent(), '900 bytes · from bob');
    await card.locator('button', { hasText: 'Save…' }).click();
    assert.deepEqual((await posted()).pop(), { type: 'acceptFile', file: 'f1' });
    assert.equal(await card.locator('button', { hasText: 'Decline' }).isDisabled(), true, 'one decision per click until the host answers');
    await page.locator('.file-card[data-file="f2"] button', { hasText: 'Decline' }).click();
    assert.deepEqual((await posted()).pop(), { type: 'declineFile', file: 'f2' });
    assert.deepEqual(problems, [], 'no CSP violations or errors');
  });

  it('draws progress as the host reports it, offers Cancel while moving, and the end state after', async () => {
    await open();
    await feed(snapshot([fileMessage('bob', { file: 'f1' })], { active: 'bob' }));
    const update = (card: Partial<FileCardView>) => feed({ type: 'upsert', conversation: 'bob', message: fileMessage('bob', { file: 'f1', ...card }) });
    // fileMessage gives each call a new seq: keep the same message id and it is redrawn in place.
    await update({ state: 'receiving', percent: 45 });
    const card = page.locator('.file-card[data-file="f1"]');
    assert.equal(await page.locator('.file-card').count(), 1);
    assert.equal(await card.locator('.file-status').textContent(), 'receiving 45%');
    assert.equal(await card.locator('progress').evaluate((bar) => (bar as unknown as { value: number }).value), 45);
    assert.deepEqual(await card.locator('button').allTextContents(), ['Cancel']);
    await card.locator('button').click();
    assert.deepEqual((await posted()).pop(), { type: 'cancelFile', file: 'f1' });
    await update({ state: 'done' });
    assert.equal(await card.locator('.file-status').textContent(), 'saved');
    assert.equal(await card.locator('button, progress').count(), 0);
    await feed({ type: 'upsert', conversation: 'bob', message: fileMessage('alice', { file: 'f9', state: 'failed', reason: 'bob cancelled the transfer' }) });
    assert.equal(await page.locator('.file-card[data-file="f9"] .file-status').textContent(), 'failed: bob cancelled the transfer');
    assert.equal(await page.locator('.file-card[data-file="f9"] .file-meta').textContent(), '2.1 MB · to bob');
  });

  it('renders a hostile file name as inert text', async () => {
    await open();
    const name = '<img src=x onerror="window.__pwned=6"><script>window.__pwned=7</script>\u202Efdp.exe';
    await feed(snapshot([fileMessage('mallory', { file: 'evil', name, peer: 'mallory' })], { active: 'bob' }));
    assert.equal(await page.locator('.file-card .file-name').textContent(), name.replace('\u202E', '⟨RLO⟩'));
    assert.equal(await page.locator('.messages img, .messages script, .messages iframe').count(), 0);
    assert.equal(await page.evaluate<unknown>('window.__pwned'), undefined);
    assert.deepEqual(problems, []);
  });

  it('isolates sender names, file names and link text in <bdi>, showing and flagging direction overrides', async () => {
    await open();
    await feed(
      snapshot(
        [
          message('\u202Eevil', 'see https://example.org/\u202Egpj.exe now'),
          fileMessage('mallory', { file: 'rlo', name: 'invoice\u202Efdp.exe', peer: 'mallory' }),
          message('bob', 'plain https://example.org/ok'),
        ],
        { active: 'bob' },
      ),
    );
    const sender = page.locator('.message .sender').first();
    assert.equal(await sender.locator('bdi[dir="auto"]').textContent(), '⟨RLO⟩evil');
    assert.equal(await sender.locator('.direction-warning').textContent(), '⚠ direction override');
    const link = page.locator('.message-body a').first();
    assert.equal(await link.locator('bdi[dir="auto"]').textContent(), 'https://example.org/⟨RLO⟩gpj.exe');
    assert.equal(await link.locator('.direction-warning').count(), 1);
    const fileName = page.locator('.file-card[data-file="rlo"] bdi.file-name[dir="auto"]');
    assert.equal(await fileName.textContent(), 'invoice⟨RLO⟩fdp.exe');
    assert.match((await fileName.getAttribute('title')) ?? '', /direction controls \(RLO\)/);
    assert.equal(await page.locator('.file-card[data-file="rlo"] .direction-warning').count(), 1);
    // Ordinary names and links are isolated too, but not flagged; no raw override reaches the page.
    assert.equal(await page.locator('.message .sender bdi[dir="auto"]').count(), 3);
    assert.equal(await page.locator('.direction-warning').count(), 3);
    assert.equal((await page.locator('.messages').textContent())?.includes('\u202E'), false);
    assert.deepEqual(problems, []);
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`draws the panel in the ${theme} theme (screenshot in test-output/)`, async () => {
      await open(theme);
      await feed(
        snapshot([
          message('bob', 'Has anyone finished **exercise 3**?'),
          message('carol', 'Yes, the trick is `Array.from`:\n```js\nArray.from(set).sort()\n```'),
          message('alice', 'thanks!', { delivery: 'pending', seq: undefined }),
        ]),
      );
      const path = join(OUTPUT, `chat-${theme}.png`);
      await page.screenshot({ path });
      assert.ok(existsSync(path));
      await feed(
        snapshot(
          [
            message('bob', 'Here is the report, and the data is coming.', { encrypted: true }),
            fileMessage('bob', { file: 'f1' }),
            fileMessage('bob', { file: 'f2', name: 'measurements-2026.csv', size: 48_100_000, state: 'receiving', percent: 45 }),
            fileMessage('alice', { file: 'f3', name: 'notes.md', size: 1200, state: 'sending', percent: 70 }),
            fileMessage('alice', { file: 'f4', name: 'draft.docx', size: 310_000, state: 'done' }),
            fileMessage('bob', { file: 'f5', name: 'huge.iso', size: 3_900_000_000, state: 'failed', reason: 'the disk is full' }),
          ],
          { active: 'bob' },
        ),
      );
      const files = join(OUTPUT, `chat-files-${theme}.png`);
      await page.screenshot({ path: files });
      assert.ok(existsSync(files));
      assert.equal(await page.locator('.file-card').count(), 5);
      const background = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      assert.equal(background, theme === 'dark' ? 'rgb(37, 37, 38)' : 'rgb(243, 243, 243)');
    });
  }
});
