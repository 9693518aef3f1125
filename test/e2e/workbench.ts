/**
 * What a person does in the VS Code workbench, as Playwright steps: the command palette, quick
 * picks and inputs, notifications, the status bar, tree views, the Explorer's context menu and the
 * ClassChat webview (an iframe inside an iframe). Selectors are VS Code's own DOM classes.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';

const UI_MS = 30_000;

export class Workbench {
  private shot = 0;

  constructor(
    readonly page: Page,
    private readonly screenshotDir: string,
  ) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await this.page.locator('.statusbar').waitFor({ timeout: UI_MS });
  }

  /** A numbered PNG of the whole window, so the folder reads as the story of the run. */
  async screenshot(name: string): Promise<void> {
    await mkdir(this.screenshotDir, { recursive: true });
    this.shot += 1;
    await this.page.screenshot({ path: join(this.screenshotDir, `${String(this.shot).padStart(2, '0')}-${name}.png`) });
  }

  /** Runs a command by its title ("ClassChat: Connect") from the command palette. The palette lists
   * what is registered when it opens, so it is reopened until the command shows up. */
  async runCommand(title: string, timeout = UI_MS): Promise<void> {
    const deadline = Date.now() + timeout;
    const row = this.quickInput().locator('.monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
    for (;;) {
      // Escape only closes an open quick input: in an editor it would clear the selection a command needs.
      if (await this.quickInput().isVisible()) await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('F1');
      const input = this.quickInput().locator('input');
      await input.waitFor({ timeout: UI_MS });
      await input.fill(`>${title}`);
      try {
        await row.first().waitFor({ timeout: 3000 });
        await row.first().click();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`the command palette has no command "${title}" after ${timeout} ms: ${String(error)}`);
      }
    }
  }

  /** Waits for a view container's icon in the activity bar: its extension's contributions are loaded. */
  async activityBarItem(title: string, timeout = 90_000): Promise<void> {
    await this.page.locator(`.activitybar .action-item .action-label[aria-label^="${title}"]`).first().waitFor({ timeout });
  }

  /** The open quick input (palette, quick pick, input box, simple file dialog). */
  quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Answers an input box (showInputBox) whose title or prompt matches `about`; waits until it
   * closes, or with `next: true` until the next question replaces it in the same widget. */
  async answerInput(about: RegExp, text: string, next = false): Promise<void> {
    const widget = this.quickInput();
    await widget.filter({ hasText: about }).waitFor({ timeout: UI_MS });
    await widget.locator('input').fill(text);
    await widget.locator('input').press('Enter');
    if (next) await widget.filter({ hasText: about }).waitFor({ state: 'detached', timeout: UI_MS });
    else await widget.waitFor({ state: 'hidden', timeout: UI_MS });
  }

  /** Picks the item labelled exactly `label` in the open quick pick. */
  async pick(label: string): Promise<void> {
    const row = this.quickInput().locator('.monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) });
    await row.first().waitFor({ timeout: UI_MS });
    await row.first().click();
  }

  /** Ticks the items labelled exactly `labels` in the open multi-select quick pick, then accepts it. */
  async pickMany(labels: string[]): Promise<void> {
    for (const label of labels) {
      const row = this.quickInput().locator('.monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) }).first();
      await row.waitFor({ timeout: UI_MS });
      // A click on a multi-select row toggles its checkbox; the row says so in aria-checked.
      await row.click();
      await this.page.waitForFunction((element) => element?.getAttribute('aria-checked') === 'true', await row.elementHandle(), { timeout: UI_MS });
    }
    await this.quickInput().locator('input').press('Enter');
    await this.quickInput().waitFor({ state: 'hidden', timeout: UI_MS });
  }

  /** Accepts the open input with Enter once its value ends with `expected` (the simple file dialog
   * fills in its default path asynchronously); returns that value. */
  async acceptQuickInput(expected: string): Promise<string> {
    const input = this.quickInput().locator('input');
    await input.waitFor({ timeout: UI_MS });
    const deadline = Date.now() + UI_MS;
    let value = await input.inputValue();
    while (!value.endsWith(expected)) {
      if (Date.now() > deadline) throw new Error(`the input holds "${value}", not a value ending with "${expected}"`);
      await this.page.waitForTimeout(100);
      value = await input.inputValue();
    }
    await input.press('Enter');
    return value;
  }

  /** A notification whose message matches `text` (waits for it). VS Code shows at most three
   * toasts and keeps the rest in the notification center, so that is opened when no toast shows. */
  async notification(text: RegExp, timeout = UI_MS): Promise<Locator> {
    const found = this.page.locator('.notification-toast, .notifications-center .notification-list-item').filter({ hasText: text }).first();
    try {
      await found.waitFor({ timeout: Math.min(5000, timeout) });
    } catch {
      await this.runCommand('Notifications: Show Notifications');
      await found.waitFor({ timeout });
    }
    return found;
  }

  /** Dismisses every notification (between steps, so old ones cannot hide new ones). */
  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
    await this.page.keyboard.press('Escape');
  }

  async clickNotificationButton(text: RegExp, button: string): Promise<void> {
    const toast = await this.notification(text);
    await toast.locator('.monaco-button, a.monaco-button', { hasText: new RegExp(`^${escapeRegExp(button)}$`) }).first().click();
  }

  /** Waits until a status bar item's text matches `text`; returns that text. */
  async statusBar(text: RegExp, timeout = UI_MS): Promise<string> {
    const item = this.page.locator('.statusbar-item').filter({ hasText: text }).first();
    await item.waitFor({ timeout });
    return (await item.innerText()).trim();
  }

  /** Shows a view container ("ClassChat", "Explorer") with its "View: Show …" command (never toggles it closed). */
  async openViewContainer(title: string): Promise<void> {
    await this.runCommand(`View: Show ${title}`);
  }

  /** A row of the tree view titled `view` (e.g. "Classmates") whose text matches `text`. */
  treeRow(view: string, text: RegExp): Locator {
    const pane = this.page.locator('.pane').filter({ has: this.page.locator('.pane-header', { hasText: new RegExp(`^\\s*${escapeRegExp(view)}`, 'i') }) });
    return pane.locator('.monaco-list-row').filter({ hasText: text });
  }

  /** Right-clicks `file` in the Explorer and chooses `action` from the context menu. */
  async explorerContextAction(file: string, action: string): Promise<void> {
    await this.openViewContainer('Explorer');
    const row = this.page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: new RegExp(`^${escapeRegExp(file)}$`) });
    await row.first().click({ button: 'right', timeout: UI_MS });
    const item = this.page.locator('.context-view .action-item').filter({ hasText: action });
    await item.first().waitFor({ timeout: UI_MS });
    // VS Code's menu runs the item it has focused on Enter; a synthetic click can land on its
    // shadow-DOM overlay instead.
    await item.first().hover();
    await item.first().locator('.action-menu-item').focus();
    await this.page.keyboard.press('Enter');
    await item.first().waitFor({ state: 'detached', timeout: UI_MS });
  }

  /** The ClassChat chat webview's document (VS Code nests it: outer iframe, then #active-frame). */
  chatView(): FrameLocator {
    return this.page.frameLocator('iframe[src*="extensionId=classchat.classchat"]').frameLocator('#active-frame');
  }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
