/**
 * Replies, edits, deletes, reactions, @mentions and reading aids in the built chat webview, in
 * Debian's chromium via playwright-core: by mouse and by keyboard, checked by what the page
 * posts to the host, where focus goes, and Chromium's accessibility tree.
 */
import { strict as assert } from 'node:assert';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import type { MessageView } from '../../webview/protocol';
import { CHROMIUM, feed, focused, lastPosted, message, posted, servePage, snapshot } from './helpers/chat-page';

(CHROMIUM || process.env.CI === 'true' ? describe : describe.skip)('message actions and reading aids in chromium', function () {
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
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction('window.__posted.length > 0');
  });

  afterEach(async () => {
    await page.close();
  });

  const row = (text: string) => page.locator('article.message', { hasText: text });
  const toolbarNames = () => page.locator('.message-actions button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label')));

  it('shows on hover only the actions a message allows: yours can be edited and deleted, pending ones only copied', async () => {
    await feed(page, snapshot([message('bob', 'from bob'), message('alice', 'from me'), message('alice', 'on its way', { delivery: 'pending', seq: undefined })]));
    await row('from bob').hover();
    assert.equal(await row('from bob').locator('.message-actions').isVisible(), true);
    assert.deepEqual(await toolbarNames(), ['Reply', 'React', 'Copy text']);
    await row('from me').hover();
    assert.deepEqual(await toolbarNames(), ['Reply', 'React', 'Edit', 'Delete', 'Copy text']);
    assert.equal(await row('from bob').locator('.message-actions').count(), 0, 'one toolbar, on the hovered message');
    await row('on its way').hover();
    assert.deepEqual(await toolbarNames(), ['Copy text']);
    await row('on its way').locator('button[aria-label="Copy text"]').click();
    assert.deepEqual(await lastPosted(page), { type: 'copy', text: 'on its way' });
    assert.deepEqual(problems, []);
  });

  it('replies by keyboard: Shift+Tab reaches the messages, arrows move, Enter opens the actions; Enter sends the reply and Escape cancels one', async () => {
    const question = message('bob', 'who has the lab sheet?\nasking for carol');
    await feed(page, snapshot([question, message('carol', 'not me')]));
    await page.locator('textarea.input').focus();
    await page.keyboard.press('Shift+Tab');
    assert.equal((await focused(page)).key, 'carol/' + 'm' + String(question.seq! + 1), 'the newest message is the list’s tab stop');
    await page.keyboard.press('ArrowUp');
    assert.equal((await focused(page)).key, `bob/${question.id}`);
    await page.keyboard.press('Enter');
    assert.equal((await focused(page)).label, 'Reply', 'the toolbar opens on its first action');
    await page.keyboard.press('ArrowRight');
    assert.equal((await focused(page)).label, 'React');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.composer-mode').textContent(), 'Replying to bob: who has the lab sheet?Cancel');
    assert.equal((await focused(page)).className, 'input');
    await page.keyboard.type('I do');
    await page.keyboard.press('Enter');
    assert.deepEqual(await lastPosted(page), { type: 'send', conversation: '*', text: 'I do', replyTo: question.seq });
    assert.equal(await page.locator('.composer-mode').isHidden(), true, 'sent: the reply mode ends');
    assert.equal((await focused(page)).className, 'input', 'focus stays in the composer after sending');

    // R on a message replies too; Escape cancels and focus goes back to that message.
    await page.locator(`article.message[data-key="bob/${question.id}"]`).focus();
    await page.keyboard.press('r');
    assert.match((await page.locator('.composer-mode').textContent()) ?? '', /^Replying to bob/);
    await page.keyboard.type('never mind');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.composer-mode').isHidden(), true);
    assert.equal((await focused(page)).key, `bob/${question.id}`);
    const sends = (await posted(page)).filter((m) => (m as { type: string }).type === 'send');
    assert.equal(sends.length, 1, 'the cancelled reply was not sent');
  });

  it('edits your message in the composer: the draft comes back after, Escape cancels back to the message', async () => {
    const mine = message('alice', 'teh answer is 4');
    await feed(page, snapshot([message('bob', 'what is 2+2?'), mine]));
    const input = page.locator('textarea.input');
    await input.fill('my unsent draft');
    await input.dispatchEvent('input');
    await row('teh answer').focus();
    await page.keyboard.press('e');
    assert.equal(await page.locator('.composer-mode-text').textContent(), 'Editing your message');
    assert.equal(await input.inputValue(), 'teh answer is 4');
    await page.keyboard.press('Escape');
    assert.equal(await input.inputValue(), 'my unsent draft', 'cancelled: the draft is back');
    assert.equal((await focused(page)).key, `alice/${mine.id}`);

    await row('teh answer').hover();
    await row('teh answer').locator('button[aria-label="Edit"]').click();
    await input.fill('the answer is 4');
    await input.press('Enter');
    assert.deepEqual(await lastPosted(page), { type: 'edit', conversation: '*', seq: mine.seq, text: 'the answer is 4' });
    assert.equal(await input.inputValue(), 'my unsent draft');
    assert.equal(await page.locator('.composer-mode').isHidden(), true);
    // The edit is not the draft: a reload restores the draft.
    await page.reload();
    await page.waitForFunction('window.__posted.length > 0');
    await feed(page, snapshot([]));
    assert.equal(await input.inputValue(), 'my unsent draft');
  });

  it('reacts with a quick emoji or any other, and toggles reactions from their chips (accessible names say who)', async () => {
    const target = message('bob', 'pizza friday?', { reactions: [{ emoji: '👍', names: ['bob', 'alice'] }, { emoji: '🎉', names: ['carol'] }] });
    await feed(page, snapshot([target]));
    const thumbs = row('pizza').locator('button.reaction[data-emoji="👍"]');
    assert.equal(await thumbs.getAttribute('aria-pressed'), 'true');
    assert.equal(await thumbs.getAttribute('aria-label'), '👍 2: bob, you (press to take yours back)');
    assert.equal(await thumbs.getAttribute('title'), 'bob, alice');
    await thumbs.click();
    assert.deepEqual(await lastPosted(page), { type: 'react', conversation: '*', seq: target.seq, emoji: '👍', remove: true });
    await row('pizza').locator('button.reaction[data-emoji="🎉"]').click();
    assert.deepEqual(await lastPosted(page), { type: 'react', conversation: '*', seq: target.seq, emoji: '🎉', remove: false });

    await row('pizza').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    const picker = row('pizza').locator('.message-action-panel');
    assert.deepEqual(await picker.locator('.reaction-choice').allTextContents(), ['👍', '❤️', '😂', '🎉', '😮', '👀']);
    assert.equal((await focused(page)).label, 'React with 👍');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    assert.deepEqual(await lastPosted(page), { type: 'react', conversation: '*', seq: target.seq, emoji: '❤️', remove: false });
    assert.equal(await picker.count(), 0, 'the picker closes');
    assert.equal((await focused(page)).key, `bob/${target.id}`, 'focus back on the message');

    await row('pizza').hover();
    await row('pizza').locator('button[aria-label="React"]').click();
    const other = row('pizza').locator('input.reaction-other');
    await other.fill('two words');
    await other.press('Enter');
    assert.equal(await other.getAttribute('aria-invalid'), 'true');
    assert.equal(((await lastPosted(page)) as { emoji: string }).emoji, '❤️', 'nothing sent for text with a space');
    await other.fill('🦀');
    await other.press('Enter');
    assert.deepEqual(await lastPosted(page), { type: 'react', conversation: '*', seq: target.seq, emoji: '🦀', remove: false });
    assert.deepEqual(problems, []);
  });

  it('deletes after asking: Cancel keeps it, Delete posts it and focus moves to the next message', async () => {
    const mine = message('alice', 'oops wrong chat');
    const next = message('bob', 'after yours');
    await feed(page, snapshot([mine, next]));
    await row('oops').focus();
    await page.keyboard.press('Delete');
    const panel = row('oops').locator('.message-action-panel');
    assert.equal(await panel.locator('.confirm-text').textContent(), 'Delete this message for everyone?');
    assert.equal((await focused(page)).label, 'Keep the message', 'Cancel has focus: Enter does not delete by accident');
    await page.keyboard.press('Enter');
    assert.equal(await panel.count(), 0);
    assert.equal((await focused(page)).label, 'Delete');
    assert.equal((await posted(page)).some((m) => (m as { type: string }).type === 'delete'), false);
    await page.keyboard.press('Enter');
    await row('oops').locator('button.confirm-delete').click();
    assert.deepEqual(await lastPosted(page), { type: 'delete', conversation: '*', seq: mine.seq });
    assert.equal((await focused(page)).key, `bob/${next.id}`);
    // The host answers with the message deleted.
    await feed(page, { type: 'upsert', conversation: '*', message: { ...mine, text: undefined, deleted: { by: 'alice' } } });
    assert.equal(await page.locator('.deleted').textContent(), 'Message deleted');
    assert.equal((await focused(page)).key, `bob/${next.id}`, 'the redraw does not take focus');
  });

  it("gives a teacher Delete on anyone's server-readable message, and shows students who removed one", async () => {
    const conversations = [{ id: '*', title: 'Everyone', unread: 0, moderate: true as const }, { id: 'bob', title: 'bob', unread: 0 }];
    const spam = message('bob', 'buy answers here');
    await feed(page, snapshot([spam, message('bob', 'sealed', { encrypted: true })], { conversations, connection: { status: 'connected', me: 'mrs.k', online: 2 } }));
    await row('buy answers').hover();
    assert.deepEqual(await toolbarNames(), ['Reply', 'React', 'Delete', 'Copy text']);
    await row('buy answers').locator('button[aria-label="Delete"]').click();
    assert.equal(await row('buy answers').locator('.confirm-text').textContent(), "Delete bob's message for everyone? They see it was removed by you.");
    await row('buy answers').locator('button.confirm-delete').click();
    assert.deepEqual(await lastPosted(page), { type: 'delete', conversation: '*', seq: spam.seq });
    await row('sealed').hover();
    assert.deepEqual(await toolbarNames(), ['Reply', 'React', 'Copy text'], 'an encrypted message is not the server’s to delete');

    await feed(page, snapshot([message('bob', 'x', { text: undefined, deleted: { by: 'mrs.k', role: 'teacher' } }), message('bob', 'y', { text: undefined, deleted: { by: 'tom', role: 'ta' } })]));
    assert.deepEqual(await page.locator('.deleted').allTextContents(), ['Removed by the teacher (mrs.k)', 'Removed by a TA (tom)']);
    assert.equal(await page.locator('.message-actions').count(), 0);
  });

  it("scrolls to a reply's original and highlights it, asking for older history when it is not loaded", async () => {
    const original = message('bob', 'the original question');
    const filler = Array.from({ length: 40 }, (_, i) => message('carol', `filler ${i}`));
    const reply = message('alice', 'answer', { replyTo: { seq: original.seq!, from: 'bob', snippet: 'the original question' } });
    await feed(page, snapshot([original, ...filler, reply]));
    assert.equal(await row('the original question').first().isVisible(), true);
    assert.equal(await page.evaluate<boolean>("(() => { const r = document.querySelector('.message').getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; })()"), false, 'the original starts out of view');
    await row('answer').locator('.reply-quote').click();
    const originalRow = page.locator(`article.message[data-key="bob/${original.id}"]`);
    assert.equal(await originalRow.evaluate((el) => el.classList.contains('revealed')), true);
    assert.equal((await focused(page)).key, `bob/${original.id}`);
    assert.equal(await page.evaluate<boolean>("(() => { const r = document.querySelector('.message').getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; })()"), true);
    await page.locator('.message.revealed').waitFor({ state: 'detached', timeout: 5000 });

    // Not loaded yet: older pages are asked for until it shows up.
    const old = message('bob', 'from last week');
    const page1 = Array.from({ length: 3 }, (_, i) => message('carol', `older ${i}`));
    const newer = message('alice', 'late answer', { replyTo: { seq: old.seq!, from: 'bob', snippet: 'from last week' } });
    await feed(page, snapshot([newer], { active: 'bob', more: true }));
    await row('late answer').locator('.reply-quote').click();
    assert.deepEqual(await lastPosted(page), { type: 'loadOlder', conversation: 'bob' });
    await feed(page, { type: 'older', conversation: 'bob', messages: page1, more: true });
    assert.deepEqual(await lastPosted(page), { type: 'loadOlder', conversation: 'bob' }, 'still not there: the next page');
    const loads = (await posted(page)).filter((m) => (m as { type: string }).type === 'loadOlder').length;
    assert.equal(loads, 2);
    await feed(page, { type: 'older', conversation: 'bob', messages: [old], more: false });
    assert.equal(await page.locator(`article.message[data-key="bob/${old.id}"]`).evaluate((el) => el.classList.contains('revealed')), true);
    assert.equal((await focused(page)).key, `bob/${old.id}`);

    // Gone for good: the view says so instead of asking forever.
    await feed(page, snapshot([message('alice', 'orphan', { replyTo: { seq: 9999 } })], { active: 'carol', more: false }));
    await row('orphan').locator('.reply-quote').click();
    assert.equal(await page.locator('.notice').textContent(), 'That message is not in this conversation any more (deleted, or older than the history kept).');
  });

  it('offers classmates after @ as an ARIA combobox: arrows choose, Tab or Enter inserts, Escape closes', async () => {
    await feed(
      page,
      snapshot([message('carlos', 'hola')], {
        conversations: [
          { id: '*', title: 'Everyone', unread: 0 },
          { id: 'bob', title: 'bob', unread: 0 },
          { id: 'carol', title: 'carol', unread: 0 },
          { id: '#lab', title: '#lab', unread: 0 },
        ],
      }),
    );
    const input = page.locator('textarea.input');
    await input.focus();
    await page.keyboard.type('thanks @ca');
    const list = page.locator('#mention-list');
    assert.deepEqual(await list.locator('[role="option"]').allTextContents(), ['@carlos', '@carol'], 'classmates and people who wrote here');
    assert.equal(await input.getAttribute('aria-expanded'), 'true');
    assert.equal(await input.getAttribute('aria-activedescendant'), 'mention-option-0');
    const tree = await page.locator('.composer').ariaSnapshot();
    assert.match(tree, /combobox "Message"/);
    assert.match(tree, /listbox "Classmates to mention":\s*\n\s*- option "@carlos" \[selected\]\s*\n\s*- option "@carol"/);
    await page.keyboard.press('ArrowDown');
    assert.equal(await input.getAttribute('aria-activedescendant'), 'mention-option-1');
    await page.keyboard.press('Enter');
    assert.equal(await input.inputValue(), 'thanks @carol ');
    assert.equal(await list.isHidden(), true);
    assert.equal(await input.getAttribute('aria-expanded'), 'false');
    assert.equal((await posted(page)).length, 1, 'Enter inserted the name; nothing was sent');
    await page.keyboard.type('and @b');
    await page.keyboard.press('Tab');
    assert.equal(await input.inputValue(), 'thanks @carol and @bob ');
    await page.keyboard.type('@');
    assert.equal(await list.locator('[role="option"]').count(), 3, 'all classmates, not alice herself or rooms');
    await page.keyboard.press('Escape');
    assert.equal(await list.isHidden(), true);
    await page.keyboard.press('Enter');
    assert.deepEqual(await lastPosted(page), { type: 'send', conversation: '*', text: 'thanks @carol and @bob @' });
    // An address is no mention.
    await page.keyboard.type('mail bob@sc');
    assert.equal(await list.isHidden(), true);
  });

  it('separates days (Today, Yesterday, a date), marks new messages with a line, and keeps each conversation’s scroll position', async () => {
    const now = Date.now();
    const day = 24 * 60 * 60 * 1000;
    const at = (ts: number) => (m: MessageView) => ({ ...m, ts });
    const long = Array.from({ length: 40 }, (_, i) => at(now - 3 * day + i)(message('carol', `history ${i}`)));
    const everyone = [at(now - 8 * day)(message('bob', 'last week')), ...long, at(now - day)(message('bob', 'yesterday')), at(now)(message('bob', 'today'))];
    await feed(page, snapshot(everyone));
    const headings = await page.locator('h3.date-separator').allTextContents();
    assert.equal(headings.length, 4);
    assert.deepEqual(headings.slice(2), ['Yesterday', 'Today']);
    assert.notEqual(headings[0], headings[1]);

    // Scrolled up in Everyone, then bob's chip (2 unread), then back: Everyone is where it was.
    await page.evaluate("document.querySelector('.messages').scrollTop = 300");
    const bobConversations = (unread: number) => [
      { id: '*', title: 'Everyone', unread: 0 },
      { id: 'bob', title: 'bob', unread },
    ];
    await feed(page, { type: 'conversations', conversations: bobConversations(2) });
    const bobMessages = [message('alice', 'see you'), ...Array.from({ length: 30 }, (_, i) => message('bob', `bob old ${i}`)), message('alice', 'ok'), message('bob', 'new one'), message('alice', 'mine between'), message('bob', 'new two')];
    await feed(page, snapshot(bobMessages, { active: 'bob', conversations: bobConversations(0) }));
    const line = page.locator('.new-line');
    assert.equal(await line.count(), 1);
    assert.equal(await page.evaluate<string>("document.querySelector('.new-line').nextElementSibling.dataset.key"), `bob/${bobMessages[32].id}`, 'above the first of the 2 unread');
    assert.equal(await line.isVisible(), true, 'opened at the new line');
    await feed(page, snapshot(everyone));
    assert.equal(await page.evaluate<number>("document.querySelector('.messages').scrollTop"), 300);
    assert.equal(await page.locator('.new-line').count(), 0, 'nothing unread in Everyone');
  });

  it('announces only new messages from others in a polite live region, and offers a jump to them while reading up', async () => {
    const history = Array.from({ length: 40 }, (_, i) => message('carol', `earlier ${i}`));
    await feed(page, snapshot(history));
    const log = page.locator('.messages [role="log"]');
    assert.equal(await log.getAttribute('aria-live'), 'polite');
    assert.equal(await log.textContent(), '', 'the snapshot is not announced');
    await feed(page, { type: 'older', conversation: '*', messages: [message('carol', 'even older')], more: false });
    const hello = message('bob', 'hello there');
    await feed(page, { type: 'upsert', conversation: '*', message: hello });
    await feed(page, { type: 'upsert', conversation: '*', message: { ...hello, reactions: [{ emoji: '👍', names: ['carol'] }] } });
    await feed(page, { type: 'upsert', conversation: '*', message: message('alice', 'my own', { delivery: 'pending', seq: undefined }) });
    assert.match(await page.locator('.messages').ariaSnapshot(), /- log "New messages":\s*\n\s*- paragraph: "bob: hello there"\s*$/m);
    assert.deepEqual(await log.locator('p').allTextContents(), ['bob: hello there'], 'one line: not the redraw, not history, not mine');

    // Reading further up when another arrives: a line above it and a button to jump there.
    await page.evaluate("document.querySelector('.messages').scrollTop = 0");
    const late = message('bob', 'are you there?');
    await feed(page, { type: 'upsert', conversation: '*', message: late });
    assert.equal(await page.locator('.new-line').count(), 1);
    const jump = page.locator('button.jump-new');
    assert.equal(await jump.isVisible(), true);
    assert.equal(await jump.getAttribute('aria-label'), 'Jump to new messages');
    await jump.click();
    assert.equal(await page.locator('.new-line').isVisible(), true);
    assert.equal((await focused(page)).key, `bob/${late.id}`);
    assert.equal(await jump.isHidden(), true);
    assert.deepEqual(problems, []);
  });
});
