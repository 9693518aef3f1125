/**
 * The built chat webview served as VS Code would show it (its own HTML and CSP, a stand-in for
 * acquireVsCodeApi), for Chromium tests driven by playwright-core. chat.browser.test.ts has its
 * own copy from before this helper; new webview tests use this one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { chatHtml } from '../../../src/extension/chat-html';
import type { HostMessage } from '../../../webview/protocol';

const ROOT = join(__dirname, '..', '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'webview', 'fixtures');
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH ?? ''].find((path) => path !== '' && existsSync(path));
const NONCE = 'dGVzdC1ub25jZS0xMjM0NQ==';

export function servePage(): Promise<Server> {
  const files: Record<string, [string, string]> = {
    '/main.js': [join(ROOT, 'dist', 'webview', 'main.js'), 'text/javascript'],
    '/main.css': [join(ROOT, 'dist', 'webview', 'main.css'), 'text/css'],
    '/theme-light.css': [join(FIXTURES, 'theme-light.css'), 'text/css'],
    '/fake-vscode-api.js': [join(FIXTURES, 'fake-vscode-api.js'), 'text/javascript'],
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/') {
      const origin = `http://${request.headers.host ?? 'localhost'}`;
      const html = chatHtml({ cspSource: origin, nonce: NONCE, scriptUri: `${origin}/main.js`, styleUri: `${origin}/main.css` })
        .replace('<link rel="stylesheet"', `<link rel="stylesheet" href="${origin}/theme-light.css">\n<link rel="stylesheet"`)
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
