/**
 * Files in the built chat webview (issue 17), in Debian's chromium via playwright-core with the
 * extension's own HTML and CSP: a file pasted or dropped onto the composer is posted to the host
 * with its name, size and bytes; Everyone and rooms say files go to one classmate; an image card
 * shows its preview, and a card whose "preview" is anything but an image URL shows none.
 */
import { strict as assert } from 'node:assert';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { FileCardView } from '../../webview/protocol';
import { tinyPng } from '../helpers/tiny-png';
import { CHROMIUM, feed, message, posted, servePage, snapshot, waitInPage } from './helpers/chat-page';

const OUTPUT = join(__dirname, '..', '..', '..', 'test-output');
const CONVERSATIONS = [
  { id: '*', title: 'Everyone', unread: 0 },
  { id: 'bob', title: 'bob', online: true, unread: 0, key: 'pinned' as const },
];

(CHROMIUM || process.env.CI === 'true' ? describe : describe.skip)('files in the chat webview (chromium)', function () {
  this.timeout(30_000);
  let server: Server;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    assert.ok(CHROMIUM, 'chromium is not installed (apt-get install -y chromium)');
    const { chromium } = await import('playwright-core');
    server = await servePage();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    await mkdir(OUTPUT, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 420, height: 640 } });
    problems = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction('window.__posted.length > 0');
  });

  afterEach(async () => {
    await page.close();
  });

  /** Fires `kind` (paste or drop) on the composer's text box with one file of `bytes`. */
  async function fire(kind: 'paste' | 'drop', name: string, bytes: Buffer, type: string): Promise<void> {
    await page.evaluate(
      `(() => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([Uint8Array.from(atob(${JSON.stringify(bytes.toString('base64'))}), (c) => c.charCodeAt(0))], ${JSON.stringify(name)}, { type: ${JSON.stringify(type)} }));
        const input = document.querySelector('textarea.input');
        const event = ${kind === 'paste' ? "new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true })" : "new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true })"};
        input.dispatchEvent(event);
      })()`,
    );
  }

  const droppedPosts = async () => (await posted(page)).filter((m) => (m as { type: string }).type === 'sendDroppedFile');

  it('posts a pasted image and a dropped file to the host with name, size and bytes', async () => {
    await feed(page, snapshot([], { conversations: CONVERSATIONS, active: 'bob' }));
    const png = tinyPng();
    await fire('paste', '', png, 'image/png');
    await waitInPage(page, "window.__posted.some((m) => m.type === 'sendDroppedFile')");
    await fire('drop', 'notes.txt', Buffer.from('hello'), 'text/plain');
    await waitInPage(page, "window.__posted.filter((m) => m.type === 'sendDroppedFile').length === 2");
    assert.deepEqual(await droppedPosts(), [
      { type: 'sendDroppedFile', conversation: 'bob', name: '', size: png.length, data: png.toString('base64') },
      { type: 'sendDroppedFile', conversation: 'bob', name: 'notes.txt', size: 5, data: Buffer.from('hello').toString('base64') },
    ]);
    assert.equal(await page.locator('textarea.input').inputValue(), '', 'the file is not pasted as text');
    assert.deepEqual(problems, []);
  });

  it('in Everyone says files go to one classmate, and posts nothing', async () => {
    await feed(page, snapshot([], { conversations: CONVERSATIONS, active: '*' }));
    await fire('drop', 'notes.txt', Buffer.from('hello'), 'text/plain');
    await fire('paste', '', tinyPng(), 'image/png');
    await waitInPage(page, "document.querySelector('.notice').textContent.includes('Files go to one classmate')");
    assert.deepEqual(await droppedPosts(), []);
  });

  it('shows the preview of a real PNG on its card, and none for a "preview" that is not an image URL', async () => {
    const png = tinyPng(24, 16, [40, 120, 220]);
    const card = (file: string, name: string, preview?: string): FileCardView => ({ file, name, size: png.length, direction: 'incoming', peer: 'bob', state: 'done', ...(preview && { preview }) });
    await feed(
      page,
      snapshot(
        [
          message('bob', '', { file: card('f1', 'diagram.png', `data:image/png;base64,${png.toString('base64')}`) }),
          message('bob', '', { file: card('f2', 'cat.png') }),
          message('bob', '', { file: card('f3', 'evil.png', 'javascript:alert(1)') }),
          message('bob', '', { file: card('f4', 'evil.svg', 'data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIi8+') }),
        ],
        { conversations: CONVERSATIONS, active: 'bob' },
      ),
    );
    const previews = page.locator('img.file-preview');
    assert.equal(await previews.count(), 1);
    assert.equal(await page.locator('.file-card[data-file="f1"] img.file-preview').getAttribute('alt'), 'Preview of diagram.png');
    await waitInPage(page, "document.querySelector('img.file-preview').complete");
    assert.deepEqual(await page.evaluate<[number, number]>("(() => { const img = document.querySelector('img.file-preview'); return [img.naturalWidth, img.naturalHeight]; })()"), [24, 16], 'the CSP lets the data: image load');
    await page.screenshot({ path: join(OUTPUT, 'webview-image-preview.png') });
    assert.deepEqual(problems, []);
  });
});
