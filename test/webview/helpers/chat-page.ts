/**
 * The built chat webview served as VS Code would show it (its own HTML and CSP, a stand-in for
 * acquireVsCodeApi), for Chromium tests driven by playwright-core. chat.browser.test.ts has its
 * own copy from before this helper; new webview tests use this one. Messages and snapshots are
 * from alice's point of view.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { chatHtml } from '../../../src/extension/chat-html';
import type { HostMessage, MessageView } from '../../../webview/protocol';

const ROOT = join(__dirname, '..', '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'webview', 'fixtures');
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH ?? ''].find((path) => path !== '' && existsSync(path));
const NONCE = 'dGVzdC1ub25jZS0xMjM0NQ==';

/** The page (`/?theme=dark` for the dark theme), its scripts and styles; `requested` collects every path asked for. */
export function servePage(requested: string[] = []): Promise<Server> {
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
    if (!file) {
      response.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file[1] }).end(readFileSync(file[0]));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let nextSeq = 1;
/** A stored message; `from` "alice" is this user. Times are one second apart on `day` (ms), 09:00 local. */
export function message(from: string, text: string, extra: Partial<MessageView> = {}): MessageView {
  const seq = nextSeq++;
  return { id: `m${seq}`, seq, from, mine: from === 'alice', ts: Date.UTC(2026, 10, 25, 9, 0, seq % 60), text, encrypted: false, plain: false, delivery: 'sent', ...extra };
}

export type Snapshot = Extract<HostMessage, { type: 'snapshot' }>;

export function snapshot(messages: MessageView[], extra: Partial<Snapshot> = {}): Snapshot {
  return {
    type: 'snapshot',
    connection: { status: 'connected', me: 'alice', server: '127.0.0.1:5050', online: 2 },
    conversations: [
      { id: '*', title: 'Everyone', unread: 0 },
      { id: 'bob', title: 'bob', online: true, unread: 0 },
      { id: 'carol', title: 'carol', online: false, unread: 0 },
    ],
    active: '*',
    messages,
    more: false,
    ...extra,
  };
}

/** Posts host messages to the page, each drawn before the next (the page's listener runs first). */
export async function feed(page: Page, ...messages: HostMessage[]): Promise<void> {
  for (const m of messages) {
    await page.evaluate(
      `new Promise((resolve) => { window.addEventListener('message', () => setTimeout(resolve, 0), { once: true }); window.postMessage(${JSON.stringify(m)}, '*'); })`,
    );
  }
}

/** What the page posted to the host so far. */
export function posted(page: Page): Promise<unknown[]> {
  return page.evaluate<unknown[]>('window.__posted');
}

export const lastPosted = async (page: Page) => (await posted(page)).pop();

/** The focused element's class and text, to say where focus is. */
export const focused = (page: Page) =>
  page.evaluate<{ className: string; key?: string; text: string; label?: string }>(
    "(() => { const e = document.activeElement; return { className: e.className, key: e.dataset.key ?? e.closest('.message')?.dataset.key, text: e.textContent, label: e.getAttribute('aria-label') ?? undefined }; })()",
  );

/**
 * Waits until `expression` is true in the page. Polls with page.evaluate: the page's CSP
 * forbids the eval that page.waitForFunction needs for a string once it has to poll.
 */
export async function waitInPage(page: Page, expression: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(`Boolean(${expression})`))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
