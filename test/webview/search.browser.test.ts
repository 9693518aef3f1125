/**
 * The panel's search box and "reveal" (open a conversation at one message) in the built chat
 * webview, in Debian's chromium driven by playwright-core: what a person types is asked of the
 * host once they pause, results show sender, conversation, date and the matching words, and
 * choosing one scrolls to that message and highlights it, opening its conversation or loading
 * older pages first when needed. Skipped when chromium is not installed, except in CI.
 */
import { strict as assert } from 'node:assert';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import type { HostMessage, MessageView, SearchHitView } from '../../webview/protocol';
import { CHROMIUM, feed, posted, servePage, waitInPage } from './helpers/chat-page';

function message(seq: number, from = 'bob', text = `message number ${seq}`): MessageView {
  return { id: `m${seq}`, seq, from, mine: from === 'alice', ts: Date.UTC(2026, 10, 25, 9, 0, 0) + seq * 60_000, text, encrypted: from !== '*', plain: false, delivery: 'sent' };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => message(from + i));

function snapshot(active: string, messages: MessageView[], more = false): HostMessage {
  return {
    type: 'snapshot',
    connection: { status: 'connected', me: 'alice', server: '127.0.0.1:5050', online: 2 },
    conversations: [
      { id: '*', title: 'Everyone', unread: 0 },
      { id: 'bob', title: 'bob', online: true, unread: 0, key: 'pinned' },
    ],
    active,
    messages,
    more,
  };
}

function hit(conversation: string, seq: number, snippet: string, marks: Array<[number, number]>, from = 'bob'): SearchHitView {
  return { conversation, title: conversation === '*' ? 'Everyone' : conversation, seq, from, ts: Date.UTC(2026, 10, 25, 9, 0, 0) + seq * 60_000, snippet, marks };
}

(CHROMIUM || process.env.CI === 'true' ? describe : describe.skip)('search box and reveal in chromium', function () {
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
    await page.goto(base);
    await page.waitForFunction('window.__posted.length > 0');
  });

  afterEach(async () => {
    await page.close();
    assert.deepEqual(problems, []);
  });

  const searches = async () => (await posted(page)).filter((m): m is { type: 'search'; query: string } => (m as { type: string }).type === 'search').map((m) => m.query);
  const sent = async (type: string) => (await posted(page)).filter((m) => (m as { type: string }).type === type);

  /** Whether the row of `seq` is highlighted and fully inside the visible part of the message list. */
  async function revealedInView(seq: number): Promise<boolean> {
    return page.evaluate(`(() => {
      const row = document.querySelector('[data-key="bob/m${seq}"]');
      const list = document.querySelector('.messages');
      if (!row || !list) return false;
      const r = row.getBoundingClientRect(), l = list.getBoundingClientRect();
      return row.classList.contains('revealed') && r.top >= l.top && r.bottom <= l.bottom;
    })()`);
  }

  it('asks the host once the user pauses typing, and lists sender, conversation, date and the marked words as text', async () => {
    await feed(page, snapshot('*', range(1, 5)));
    await page.locator('.search-input').pressSequentially('homew', { delay: 15 });
    await waitInPage(page, `window.__posted.some((m) => m.type === 'search')`);
    await page.waitForTimeout(200);
    assert.deepEqual(await searches(), ['homew'], 'one query for one burst of typing');

    const hostile = '<img src=x onerror="window.__owned=1"> homework';
    await feed(page, {
      type: 'searchResults',
      query: 'homew',
      hits: [hit('bob', 3, 'Is the homework due?', [[7, 15]]), hit('*', 2, hostile, [[hostile.length - 8, hostile.length]], 'carol')],
    });
    const results = page.locator('.search-hit');
    assert.equal(await results.count(), 2);
    const first = (await results.nth(0).innerText()).replace(/\s+/g, ' ');
    assert.match(first, /^bob with bob · .*2026.* Is the homework due\?$/);
    assert.match((await results.nth(1).innerText()).replace(/\s+/g, ' '), /^carol in Everyone · /);
    assert.deepEqual(await page.locator('.search-hit mark').allInnerTexts(), ['homework', 'homework']);
    assert.equal(await page.locator('.search-results img').count(), 0, 'message text is never HTML');
    assert.equal(await page.evaluate('window.__owned'), undefined);
    assert.equal(await page.locator('.search-summary').innerText(), '2 messages found');

    // A late answer for an earlier query is not shown over the current one.
    await feed(page, { type: 'searchResults', query: 'hom', hits: [] });
    assert.equal(await results.count(), 2);
    await page.locator('.search-input').fill('zzz');
    await waitInPage(page, `window.__posted.filter((m) => m.type === 'search').length === 2`);
    await feed(page, { type: 'searchResults', query: 'zzz', hits: [] });
    assert.equal(await page.locator('.search-summary').innerText(), 'No messages found for “zzz”.');
    await page.locator('.search-input').fill('');
    assert.equal(await page.locator('.search-summary').isVisible(), false);
  });

  it('choosing a result scrolls to the message and highlights it, opening its conversation first', async () => {
    await feed(page, snapshot('*', range(1, 60)));
    assert.equal(await revealedInView(5), false);
    await page.locator('.search-input').fill('number');
    await waitInPage(page, `window.__posted.some((m) => m.type === 'search')`);
    await feed(page, { type: 'searchResults', query: 'number', hits: [hit('*', 5, 'message number 5', [[8, 14]]), hit('bob', 300, 'message number 300', [[8, 14]])] });
    await page.locator('.search-hit').first().click();
    assert.equal(await revealedInView(5), true, 'scrolled up to an older message in the open conversation');
    assert.equal(await page.locator('.search-results').isVisible(), false, 'the list closes');
    assert.equal(await page.evaluate(`document.activeElement?.dataset.key`), 'bob/m5', 'focus moves to the message');
    await waitInPage(page, `!document.querySelector('.revealed')`);

    // A result in another conversation: the view asks for it, then scrolls once it is shown.
    await page.locator('.search-input').fill('number 300');
    await waitInPage(page, `window.__posted.some((m) => m.type === 'search' && m.query === 'number 300')`);
    await feed(page, { type: 'searchResults', query: 'number 300', hits: [hit('bob', 300, 'message number 300', [[8, 14], [15, 18]])] });
    await page.locator('.search-hit').first().click();
    assert.deepEqual((await sent('open')).at(-1), { type: 'open', conversation: 'bob' });
    await feed(page, snapshot('bob', range(251, 330)));
    assert.equal(await revealedInView(300), true);
  });

  it('a reveal from the host loads older pages until the message is there, then scrolls to it', async () => {
    await feed(page, snapshot('bob', range(100, 149), true));
    await feed(page, { type: 'reveal', conversation: 'bob', seq: 42 });
    assert.deepEqual(await sent('loadOlder'), [{ type: 'loadOlder', conversation: 'bob' }]);
    await feed(page, { type: 'older', conversation: 'bob', messages: range(50, 99), more: true });
    assert.equal((await sent('loadOlder')).length, 2, 'still older: another page');
    await feed(page, { type: 'older', conversation: 'bob', messages: range(1, 49), more: false });
    assert.equal(await revealedInView(42), true);
    assert.equal((await sent('loadOlder')).length, 2, 'found: no more pages asked for');

    // Gone for good (deleted, or beyond what history keeps): said in words, nothing loops.
    await feed(page, { type: 'reveal', conversation: 'bob', seq: 9999 });
    assert.match(await page.locator('.notice').innerText(), /not in this conversation any more/);
    assert.equal((await sent('loadOlder')).length, 2);
  });

  it('is used by keyboard: arrows move through the results, Enter chooses, Escape closes and clears', async () => {
    await feed(page, snapshot('*', range(1, 60)));
    await page.locator('.search-input').fill('number');
    await waitInPage(page, `window.__posted.some((m) => m.type === 'search')`);
    await feed(page, { type: 'searchResults', query: 'number', hits: [hit('*', 10, 'message number 10', [[8, 14]]), hit('*', 20, 'message number 20', [[8, 14]])] });
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(`document.activeElement?.dataset.seq`), '10');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(`document.activeElement?.dataset.seq`), '20');
    await page.keyboard.press('Enter');
    assert.equal(await revealedInView(20), true);

    await page.locator('.search-input').fill('number');
    await waitInPage(page, `window.__posted.filter((m) => m.type === 'search').length === 2`);
    await feed(page, { type: 'searchResults', query: 'number', hits: [hit('*', 10, 'message number 10', [[8, 14]])] });
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.search-input').inputValue(), '');
    assert.equal(await page.locator('.search-results').isVisible(), false);
    const role = await page.evaluate(`(() => { const e = document.querySelector('.search'); return e.tagName + '/' + e.querySelector('input').getAttribute('aria-label'); })()`);
    assert.equal(role, 'SEARCH/Search messages');
  });
});
