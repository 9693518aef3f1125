/**
 * Code in the chat view (issue 17), built (dist/webview) and run in Debian's chromium with the
 * extension's own HTML and CSP: code cards, highlighted code blocks loaded lazily, Copy, and
 * `path:line` links, with hostile input (paths leaving the workspace, markup in a language name,
 * a 1 MB snippet, command: and javascript: links) refused or shown as text.
 */
import { strict as assert } from 'node:assert';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { formatSnippetMessage } from '../../src/protocol/code-snippets';
import type { HostMessage, MessageView } from '../../webview/protocol';
import { CHROMIUM, servePage } from './helpers/chat-page';

const ROOT = join(__dirname, '..', '..', '..');
const OUTPUT = join(ROOT, 'test-output');

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
