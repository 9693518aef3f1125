/**
 * The one place the extension shows text in VS Code's own UI: notifications, modals, quick picks,
 * input boxes, progress and status bar messages. Everything shown is passed through `unlinked`,
 * because almost every message carries a classmate's or the server's words (a name, a message
 * preview, a file name, an error), and VS Code renders links in them (issue 14, item 1).
 * There is deliberately no way around it: none of our own texts needs a link.
 * test/extension/notices-scan.test.ts fails if another module calls those vscode.window APIs.
 */
import * as vscode from 'vscode';
import { unlinked } from './unlinked-text';

export type NoticeLevel = 'info' | 'warning' | 'error';

function showMessage<A extends string>(level: NoticeLevel, text: string, options: vscode.MessageOptions, actions: A[]): Thenable<A | undefined> {
  // Action labels are our own constants, compared by the caller: shown as given.
  const safe = unlinked(text);
  if (level === 'error') return vscode.window.showErrorMessage(safe, options, ...actions);
  if (level === 'warning') return vscode.window.showWarningMessage(safe, options, ...actions);
  return vscode.window.showInformationMessage(safe, options, ...actions);
}

/** A notification; resolves to the action chosen, or undefined when dismissed. */
export function info<A extends string>(text: string, ...actions: A[]): Thenable<A | undefined> {
  return showMessage('info', text, {}, actions);
}

export function warning<A extends string>(text: string, ...actions: A[]): Thenable<A | undefined> {
  return showMessage('warning', text, {}, actions);
}

export function error<A extends string>(text: string, ...actions: A[]): Thenable<A | undefined> {
  return showMessage('error', text, {}, actions);
}

/** A modal dialog with a longer `detail` under its message. */
export function modal<A extends string>(level: NoticeLevel, text: string, detail: string, ...actions: A[]): Thenable<A | undefined> {
  return showMessage(level, text, { modal: true, detail: unlinked(detail) }, actions);
}

/** A short message in the status bar, gone after `ms`. */
export function statusMessage(text: string, ms: number): vscode.Disposable {
  return vscode.window.setStatusBarMessage(unlinked(text), ms);
}

/** A quick pick item: `value` is what choosing it returns (labels are shown neutralised). */
export interface PickItem<T> {
  label: string;
  description?: string;
  iconPath?: vscode.ThemeIcon;
  value: T;
}

export interface PickOptions {
  title: string;
  placeHolder?: string;
  matchOnDescription?: boolean;
}

/** A quick pick; resolves to the chosen item's value, or undefined when dismissed. */
export async function pick<T>(items: readonly PickItem<T>[], options: PickOptions): Promise<T | undefined> {
  const shown = items.map((item) => ({
    label: unlinked(item.label),
    description: item.description === undefined ? undefined : unlinked(item.description),
    iconPath: item.iconPath,
    value: item.value,
  }));
  const chosen = await vscode.window.showQuickPick(shown, {
    title: unlinked(options.title),
    placeHolder: options.placeHolder === undefined ? undefined : unlinked(options.placeHolder),
    matchOnDescription: options.matchOnDescription,
  });
  return chosen?.value;
}

/** A quick pick where several items may be chosen; resolves to their values ([] for none), or undefined when dismissed. */
export async function pickMany<T>(items: readonly (PickItem<T> & { picked?: boolean })[], options: PickOptions): Promise<T[] | undefined> {
  const shown = items.map((item) => ({
    label: unlinked(item.label),
    description: item.description === undefined ? undefined : unlinked(item.description),
    iconPath: item.iconPath,
    picked: item.picked,
    value: item.value,
  }));
  const chosen = await vscode.window.showQuickPick(shown, {
    title: unlinked(options.title),
    placeHolder: options.placeHolder === undefined ? undefined : unlinked(options.placeHolder),
    matchOnDescription: options.matchOnDescription,
    canPickMany: true,
  });
  return chosen?.map((item) => item.value);
}

export interface LivePickItem<T> extends PickItem<T> {
  /** A second line under the label. */
  detail?: string;
}

export interface LivePickOptions<T> {
  title: string;
  placeHolder: string;
  /** The items for what is typed now; called on every change, so it must be quick. */
  itemsFor(value: string): readonly LivePickItem<T>[];
}

/**
 * A quick pick whose items are computed as the user types (search results): every item is
 * shown whatever VS Code's own filter thinks of it. Resolves to the chosen value, or undefined.
 */
export function livePick<T>(options: LivePickOptions<T>): Promise<T | undefined> {
  const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem & { value: T }>();
  quickPick.title = unlinked(options.title);
  quickPick.placeholder = unlinked(options.placeHolder);
  quickPick.matchOnDescription = false;
  quickPick.matchOnDetail = false;
  const update = (value: string) => {
    quickPick.items = options.itemsFor(value).map((item) => ({
      label: unlinked(item.label),
      description: item.description === undefined ? undefined : unlinked(item.description),
      detail: item.detail === undefined ? undefined : unlinked(item.detail),
      iconPath: item.iconPath,
      alwaysShow: true,
      value: item.value,
    }));
  };
  return new Promise((resolve) => {
    let chosen: T | undefined;
    quickPick.onDidChangeValue(update);
    quickPick.onDidAccept(() => {
      chosen = quickPick.selectedItems[0]?.value;
      if (chosen !== undefined) quickPick.hide();
    });
    quickPick.onDidHide(() => {
      quickPick.dispose();
      resolve(chosen);
    });
    update('');
    quickPick.show();
  });
}

export interface InputOptions {
  title: string;
  prompt: string;
  value: string;
  ignoreFocusOut?: boolean;
  /** A problem with the value, or undefined when it is fine. */
  validateInput(value: string): string | undefined;
}

/** An input box; its prompt and validation messages render links too, so they are neutralised. */
export function input(options: InputOptions): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: unlinked(options.title),
    prompt: unlinked(options.prompt),
    value: options.value,
    ignoreFocusOut: options.ignoreFocusOut,
    validateInput: (value) => {
      const problem = options.validateInput(value);
      return problem === undefined ? undefined : unlinked(problem);
    },
  });
}

/** What a progress task may report: its message is shown inside the notification. */
export interface ProgressReporter {
  report(value: { increment?: number; message?: string }): void;
}

export interface ProgressOptions {
  location: vscode.ProgressLocation;
  title: string;
  cancellable?: boolean;
}

/** Runs `task` under a progress indicator whose title and messages are neutralised. */
export function progress<R>(options: ProgressOptions, task: (progress: ProgressReporter, token: vscode.CancellationToken) => Thenable<R>): Thenable<R> {
  return vscode.window.withProgress({ ...options, title: unlinked(options.title) }, (reporter, token) =>
    task({ report: (value) => reporter.report(value.message === undefined ? value : { ...value, message: unlinked(value.message) }) }, token),
  );
}

/** The system's open dialog for files (several at once); its title is neutralised too. */
export function openFiles(options: { title: string; openLabel: string }): Thenable<vscode.Uri[] | undefined> {
  return vscode.window.showOpenDialog({ canSelectMany: true, canSelectFiles: true, canSelectFolders: false, openLabel: options.openLabel, title: unlinked(options.title) });
}

/** The system's save dialog; `defaultUri` is kept as given (it names the file to write). */
export function saveFile(options: { defaultUri: vscode.Uri; title: string; saveLabel: string }): Thenable<vscode.Uri | undefined> {
  return vscode.window.showSaveDialog({ ...options, title: unlinked(options.title) });
}
