/**
 * Code in the chat view (issue 17), built (dist/webview) and run in Debian's chromium with the
 * extension's own HTML and CSP: code cards, highlighted code blocks loaded lazily, Copy, and
 * `path:line` links, with hostile input (paths leaving the workspace, markup in a language name,
 * a 1 MB snippet, command: and javascript: links) refused or shown as text.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chatHtml } from '../../src/extension/chat-html';
import { formatSnippetMessage } from '../../src/protocol/code-snippets';
import type { HostMessage, MessageView } from '../../webview/protocol';

const ROOT = join(__dirname, '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'webview', 'fixtures');
const OUTPUT = join(ROOT, 'test-output');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH ?? ''].find((path) => path !== '' && existsSync(path));
const NONCE = 'Y29kZS1jYXJkcy1ub25jZQ==';

/** The page, its scripts and styles; `requested` lists every path the page asked for. */
function servePage(requested: string[]): Promise<Server> {
  const files: Record<string, [string, string]> = {
    '/main.js': [join(ROOT, 'dist', 'webview', 'main.js'), 'text/javascript'],
    '/highlight.js': [join(ROOT, 'dist', 'webview', 'highlight.js'), 'text/javascript'],
    '/main.css': [join(ROOT, 'dist', 'webview', 'main.css'), 'text/css'],
    '/theme-light.css': [join(FIXTURES, 'theme-light.css'), 'text/css'],
    '/theme-dark.css': [join(FIXTURES, 'theme-dark.css'), 'text/css'],
    '/fake-vscode-api.js': [join(FIXTURES, 'fake-vscode-api.js'), 'text/javascript'],
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requested.push(url.pathname);
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
function message(from: string, text: string): MessageView {
  const seq = nextSeq++;
  return { id: `c${seq}`, seq, from, mine: from === 'alice', ts: Date.UTC(2026, 10, 25, 9, 0, seq), text, encrypted: true, plain: false, delivery: 'sent' };
}

function snapshot(messages: MessageView[]): HostMessage {
  return {
    type: 'snapshot',
    connection: { status: 'connected', me: 'alice', server: '127.0.0.1:5050', online: 2 },
    conversations: [
      { id: '*', title: 'Everyone', unread: 0 },
      { id: 'bob', title: 'bob', online: true, unread: 0, key: 'pinned' },
    ],
    active: 'bob',
    messages,
    more: false,
  };
}

const SNIPPET = { language: 'typescript', path: 'src/app.ts', startLine: 12, endLine: 14, code: 'function add(a: number, b: number) {\n  return a + b;\n}' };

(CHROMIUM || process.env.CI === 'true' ? describe : describe.skip)('code in the chat webview (chromium)', function () {
  this.timeout(30_000);
  let server: Server;
  let browser: Browser;
  let page: Page;
  let base: string;
  let problems: string[];
  const requested: string[] = [];

  before(async () => {
    assert.ok(CHROMIUM, 'chromium is not installed (apt-get install -y chromium)');
    const { chromium } = await import('playwright-core');
    server = await servePage(requested);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    await mkdir(OUTPUT, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 420, height: 700 } });
    problems = [];
    requested.length = 0;
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
    for (const m of messages) {
      await page.evaluate(`new Promise((resolve) => { window.addEventListener('message', () => setTimeout(resolve, 0), { once: true }); window.postMessage(${JSON.stringify(m)}, '*'); })`);
    }
  }

  const posted = () => page.evaluate<unknown[]>('window.__posted.slice(1)');

  it('loads the highlighter only when the first code block is drawn, colours it from the theme, and copies it', async () => {
    await open('dark');
    await feed(snapshot([message('bob', 'no code here, just **words**')]));
    assert.ok(!requested.includes('/highlight.js'), 'the panel opens without the highlighter');
    await feed({ type: 'upsert', conversation: 'bob', message: message('bob', 'try\n```python\ndef f(x):\n    return "hi" if x else None\n```') });
    await page.waitForSelector('.code-block code.hljs .hljs-keyword');
    assert.equal(requested.filter((path) => path === '/highlight.js').length, 1);
    const code = page.locator('.code-block code');
    assert.equal(await code.textContent(), 'def f(x):\n    return "hi" if x else None', 'highlighting keeps the exact text');
    assert.deepEqual(await page.locator('.hljs-keyword').allTextContents(), ['def', 'return', 'if', 'else']);
    const [keyword, themeLink] = await page.evaluate<[string, string]>(
      `[getComputedStyle(document.querySelector('.hljs-keyword')).color, (() => { const probe = document.createElement('span'); probe.style.color = 'var(--vscode-textLink-foreground)'; document.body.append(probe); return getComputedStyle(probe).color; })()]`,
    );
    assert.equal(keyword, themeLink, 'keywords take a VS Code theme colour');
    await page.locator('.code-block-wrapper .code-copy').click();
    assert.deepEqual(await posted(), [{ type: 'copyCode', code: 'def f(x):\n    return "hi" if x else None' }]);
    await page.screenshot({ path: join(OUTPUT, 'webview-code-block.png') });
    assert.deepEqual(problems, [], 'no CSP violations or errors');
  });

  it('shows a shared snippet as a card whose buttons ask the host for Copy, Open as Untitled, Compare and Go to My Copy', async () => {
    await open();
    await feed(snapshot([message('bob', formatSnippetMessage('Why does this return NaN?', SNIPPET))]));
    const card = page.locator('.code-card');
    assert.equal(await card.count(), 1);
    assert.equal(await page.locator('.message-body > p').first().textContent(), 'Why does this return NaN?');
    assert.equal(await card.locator('.code-card-file').textContent(), 'app.ts');
    assert.equal(await card.locator('.code-card-where').textContent(), 'src/app.ts · lines 12-14');
    assert.equal(await card.locator('.code-card-language').textContent(), 'typescript');
    await page.waitForSelector('.code-card code.hljs .hljs-keyword');
    assert.equal(await card.locator('code').textContent(), SNIPPET.code);
    for (const label of ['Copy', 'Open as Untitled', 'Compare with My File', 'Go to My Copy']) await card.getByRole('button', { name: label, exact: true }).click();
    assert.deepEqual(await posted(), [
      { type: 'copyCode', code: SNIPPET.code },
      { type: 'openUntitled', language: 'typescript', code: SNIPPET.code },
      { type: 'compareWithMine', path: 'src/app.ts', startLine: 12, endLine: 14, language: 'typescript', code: SNIPPET.code },
      { type: 'openFileAt', path: 'src/app.ts', line: 12 },
    ]);
    await page.screenshot({ path: join(OUTPUT, 'webview-code-card.png') });
    assert.deepEqual(problems, []);
  });

  it('makes path:line links that ask to open the file, and leaves command:, javascript:, URLs and times as text', async () => {
    await open();
    const text = 'see src/app.ts:42 and lib/util.py:7:3 — not command:classchat.connect javascript:alert(1) [x](command:classchat.connect) https://example.com/a.ts:3 12:30 /etc/passwd:1 ../../etc/passwd:1';
    await feed(snapshot([message('mallory', text)]));
    assert.deepEqual(await page.locator('.file-link').allTextContents(), ['src/app.ts:42', 'lib/util.py:7:3']);
    assert.equal(await page.locator('.message-body').textContent(), text, 'every character shown as sent');
    assert.equal(await page.locator('a[href^="command:"], a[href^="javascript:"]').count(), 0);
    assert.deepEqual(await page.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href'))), ['https://example.com/a.ts:3']);
    await page.locator('.file-link').nth(1).click();
    await page.locator('.file-link').nth(0).click();
    assert.deepEqual(await posted(), [
      { type: 'openFileAt', path: 'lib/util.py', line: 7, column: 3 },
      { type: 'openFileAt', path: 'src/app.ts', line: 42 },
    ]);
  });

  it('refuses hostile snippets: a path leaving the workspace, markup as the language, a 1 MB snippet', async () => {
    await open();
    const escaping = '```typescript ../../etc/passwd:1-2\nroot:x:0:0\n```';
    const absolute = '```typescript /etc/passwd:1\nroot:x:0:0\n```';
    const markupLanguage = '```<img\u0020src=x\u0020onerror=window.__pwned=1> src/a.ts:1\nx\n```';
    const languageTag = '```c++<b>bold</b> src/a.ts:1\ny\n```';
    const huge = `\`\`\`typescript src/big.ts:1\n${'x'.repeat(1024 * 1024)}\n\`\`\``;
    const started = Date.now();
    await feed(snapshot([escaping, absolute, markupLanguage, languageTag, huge].map((text) => message('mallory', text))));
    const drawMs = Date.now() - started;
    assert.equal(await page.locator('.code-card').count(), 0, 'none of them is a card');
    const bodies = await page.locator('.message-body').allTextContents();
    assert.ok(bodies[0].includes('root:x:0:0') && bodies[1].includes('root:x:0:0'), 'their code is still readable text');
    assert.ok(bodies[2].includes('<img src=x onerror=window.__pwned=1> src/a.ts:1'), 'the language name is shown as the characters it is');
    assert.ok(bodies[3].includes('<b>bold</b>'));
    assert.equal(await page.locator('.messages img, .messages b, .messages script').count(), 0);
    // The refused fences' src/a.ts:1 is ordinary text with a workspace path: a link like any other. No other path is.
    assert.deepEqual(await page.locator('.messages .file-link').evaluateAll((links) => links.map((l) => l.getAttribute('data-path'))), ['src/a.ts', 'src/a.ts']);
    const hugeCode = page.locator('.message').nth(4).locator('code');
    assert.equal((await hugeCode.textContent())?.length, 1024 * 1024);
    assert.equal(await hugeCode.locator('span').count(), 0, 'too big to highlight: plain text');
    assert.ok(drawMs < 5000, `drawn in ${drawMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await page.evaluate<unknown>('window.__pwned'), undefined);
    assert.deepEqual(problems, []);
  });
});
