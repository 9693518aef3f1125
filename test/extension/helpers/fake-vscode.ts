/**
 * A stand-in for the `vscode` module with just what the extension touches, recording what it
 * does (commands, context keys, messages shown, status bar text, webview HTML and posts). Lets
 * plain mocha load the real bundle, dist/extension.js, and drive it.
 */
import { readFileSync, statSync } from 'node:fs';
import Module from 'node:module';
import { join, relative } from 'node:path';

type Listener<T> = (value: T) => void;

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class Disposable {
  constructor(private readonly onDispose: () => void) {}
  static from(...things: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => things.forEach((t) => t.dispose()));
  }
  dispose(): void {
    this.onDispose();
  }
}

export class Uri {
  private constructor(
    readonly fsPath: string,
    readonly scheme = 'file',
  ) {}
  static file(path: string): Uri {
    return new Uri(path);
  }
  static from(parts: { scheme: string; path: string }): Uri {
    return new Uri(parts.path, parts.scheme);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(join(base.fsPath, ...parts));
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

export class FakeWebview {
  html = '';
  options: unknown;
  readonly cspSource = 'vscode-webview://fake';
  readonly posted: unknown[] = [];
  readonly received = new EventEmitter<unknown>();
  readonly onDidReceiveMessage = this.received.event;
  asWebviewUri(uri: Uri): string {
    return `vscode-webview://fake${uri.fsPath}`;
  }
  async postMessage(message: unknown): Promise<boolean> {
    this.posted.push(message);
    return true;
  }
}

export class FakeWebviewView {
  readonly webview = new FakeWebview();
  visible = true;
  readonly visibility = new EventEmitter<void>();
  readonly onDidChangeVisibility = this.visibility.event;
  readonly disposed = new EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(startOrLine: Position | number, endOrCharacter: Position | number, endLine?: number, endCharacter?: number) {
    this.start = typeof startOrLine === 'number' ? new Position(startOrLine, endOrCharacter as number) : startOrLine;
    this.end = typeof startOrLine === 'number' ? new Position(endLine ?? 0, endCharacter ?? 0) : (endOrCharacter as Position);
  }
  get isEmpty(): boolean {
    return this.start.line === this.end.line && this.start.character === this.end.character;
  }
}

export class Selection extends Range {
  get active(): Position {
    return this.end;
  }
}

/** A text document held in memory: a file read from disk, or an untitled one. */
export class FakeTextDocument {
  constructor(
    readonly uri: Uri,
    readonly languageId: string,
    private readonly text: string,
  ) {}
  get lineCount(): number {
    return this.text.split('\n').length;
  }
  lineAt(line: number): { text: string } {
    return { text: this.text.split('\n')[line] ?? '' };
  }
  getText(range?: Range): string {
    if (!range) return this.text;
    const lines = this.text.split('\n').slice(range.start.line, range.end.line + 1);
    lines[lines.length - 1] = lines[lines.length - 1].slice(0, range.end.character);
    lines[0] = lines[0].slice(range.start.character);
    return lines.join('\n');
  }
}

export class FakeStatusBarItem {
  text = '';
  tooltip = '';
  command = '';
  name = '';
  visible = false;
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {
    this.visible = false;
  }
}

/** window.createQuickPick's result: `type` is the user typing, `accept` choosing an item by label. */
export class FakeQuickPick {
  title: string | undefined;
  placeholder: string | undefined;
  value = '';
  busy = false;
  items: Array<{ label: string; description?: string; detail?: string; alwaysShow?: boolean }> = [];
  selectedItems: Array<{ label: string }> = [];
  activeItems: Array<{ label: string }> = [];
  matchOnDescription = false;
  matchOnDetail = false;
  shown = false;
  disposed = false;
  private readonly changedValue = new EventEmitter<string>();
  private readonly accepted = new EventEmitter<void>();
  private readonly hidden = new EventEmitter<void>();
  readonly onDidChangeValue = this.changedValue.event;
  readonly onDidAccept = this.accepted.event;
  readonly onDidHide = this.hidden.event;
  show(): void {
    this.shown = true;
  }
  hide(): void {
    if (!this.shown) return;
    this.shown = false;
    this.hidden.fire();
  }
  dispose(): void {
    this.disposed = true;
    this.hide();
  }
  type(value: string): void {
    this.value = value;
    this.changedValue.fire(value);
  }
  accept(label: string): void {
    const item = this.items.find((i) => i.label === label);
    if (!item) throw new Error(`no item "${label}" in ${JSON.stringify(this.items.map((i) => i.label))}`);
    this.selectedItems = [item];
    this.activeItems = [item];
    this.accepted.fire();
  }
}

/** One window.withProgress call: what it showed, what the task reported, and a Cancel button. */
export interface ProgressRecord {
  title?: string;
  location?: number;
  cancellable?: boolean;
  reports: Array<{ increment?: number; message?: string }>;
  finished: boolean;
  cancel(): void;
}

export function createFakeVscode(settings: Record<string, unknown>) {
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  const context = new Map<string, unknown>();
  const shown: Array<{ level: 'info' | 'warning' | 'error'; text: string; actions: string[] }> = [];
  const providers = new Map<string, { resolveWebviewView(view: FakeWebviewView): void }>();
  const trees = new Map<string, { treeDataProvider: { getChildren(element?: string): string[]; getTreeItem(name: string): unknown }; badge?: unknown }>();
  const statusBar = { text: '', tooltip: '', command: '', name: '', show() {}, hide() {}, dispose() {} };
  /** Status bar items other than the connection's ('classchat.status' is `statusBar`), by id. */
  const statusBars = new Map<string, FakeStatusBarItem>();
  /** Quick picks made with createQuickPick, in order: tests type into them and accept an item. */
  const livePicks: FakeQuickPick[] = [];
  const clipboard: string[] = [];
  /** What the next showInputBox resolves to, and what each one was opened with. */
  const inputAnswers: Array<string | undefined> = [];
  const inputBoxes: Array<{ value: string | undefined; problems: Array<string | undefined>; validate?: (value: string) => string | undefined }> = [];
  /** What the next showInformationMessage / showErrorMessage resolves to. */
  const answers: Array<string | undefined> = [];
  /** Answer messages by their text (checked before `answers`): for notifications that race. */
  const responders: Array<(text: string, actions: string[]) => string | undefined> = [];
  const show = (level: 'info' | 'warning' | 'error') => async (text: string, ...actions: unknown[]) => {
    // A message options object ({ modal, detail }) may come before the actions.
    const labels = actions.filter((a): a is string => typeof a === 'string');
    shown.push({ level, text, actions: labels });
    for (const respond of responders) {
      const answer = respond(text, labels);
      if (answer !== undefined) return answer;
    }
    return answers.shift();
  };
  /** Quick picks shown (their items) and the labels to choose, in order. */
  const quickPicks: Array<{ items: Array<{ label: string; description?: string }>; title?: string; canPickMany?: boolean }> = [];
  /** A label for a single pick; a list of labels for a canPickMany pick. */
  const pickAnswers: Array<string | string[] | undefined> = [];
  /** What the next open / save dialog returns, and the options each was opened with. */
  const openDialogAnswers: Array<Uri[] | undefined> = [];
  const saveDialogAnswers: Array<Uri | undefined> = [];
  const saveDialogs: Array<{ defaultUri?: Uri; title?: string }> = [];
  const progress: ProgressRecord[] = [];
  /** Commands run that the extension did not register (vscode.open, workbench.action.openSettings). */
  const executed: Array<{ id: string; args: unknown[] }> = [];
  /** Workspace folders, the editor in front, diagnostics per file path, and the documents opened and shown. */
  const workspaceFolders: Array<{ uri: Uri; name: string; index: number }> = [];
  const editor: { active: { document: FakeTextDocument; selection: Selection } | undefined } = { active: undefined };
  const diagnostics = new Map<string, unknown[]>();
  const shownDocuments: Array<{ document: FakeTextDocument; selection?: Range }> = [];
  const codeActionProviders: Array<{ selector: unknown; provider: { provideCodeActions(...args: unknown[]): unknown } }> = [];
  let untitled = 0;
  const untitledDocuments: FakeTextDocument[] = [];

  const api = {
    EventEmitter,
    Disposable,
    Uri,
    TreeItem: class {
      constructor(
        readonly label: string,
        readonly collapsibleState: number,
      ) {}
    },
    ThemeIcon: class {
      constructor(
        readonly id: string,
        readonly color?: unknown,
      ) {}
    },
    ThemeColor: class {
      constructor(readonly id: string) {}
    },
    Position,
    Range,
    Selection,
    CodeAction: class {
      command: unknown;
      diagnostics: unknown;
      constructor(
        readonly title: string,
        readonly kind?: string,
      ) {}
    },
    CodeActionKind: { QuickFix: 'quickfix' },
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    FileType: { File: 1, Directory: 2, SymbolicLink: 64 },
    languages: {
      registerCodeActionsProvider: (selector: unknown, provider: { provideCodeActions(...args: unknown[]): unknown }) => {
        const entry = { selector, provider };
        codeActionProviders.push(entry);
        return new Disposable(() => codeActionProviders.splice(codeActionProviders.indexOf(entry), 1));
      },
      getDiagnostics: (uri: Uri) => diagnostics.get(uri.fsPath) ?? [],
      getLanguages: async () => ['plaintext', 'typescript', 'javascript', 'python', 'markdown'],
    },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    StatusBarAlignment: { Left: 1 },
    ProgressLocation: { Window: 10, Notification: 15 },
    ConfigurationTarget: { Global: 1 },
    window: {
      state: { focused: true },
      get activeTextEditor() {
        return editor.active;
      },
      showTextDocument: async (document: FakeTextDocument, options?: { selection?: Range }) => {
        shownDocuments.push({ document, selection: options?.selection });
        return { document };
      },
      createOutputChannel: () => ({ info() {}, warn() {}, error() {}, debug() {}, dispose() {} }),
      createStatusBarItem: (id?: string) => {
        if (id === undefined || id === 'classchat.status') return statusBar;
        const item = new FakeStatusBarItem();
        statusBars.set(id, item);
        return item;
      },
      createQuickPick: () => {
        const quickPick = new FakeQuickPick();
        livePicks.push(quickPick);
        return quickPick;
      },
      createTreeView: (id: string, options: { treeDataProvider: { getChildren(element?: string): string[]; getTreeItem(name: string): unknown } }) => {
        const view = { treeDataProvider: options.treeDataProvider, badge: undefined as unknown, dispose() {} };
        trees.set(id, view);
        return view;
      },
      registerWebviewViewProvider: (id: string, provider: { resolveWebviewView(view: FakeWebviewView): void }) => {
        providers.set(id, provider);
        return new Disposable(() => providers.delete(id));
      },
      showInformationMessage: show('info'),
      showErrorMessage: show('error'),
      showWarningMessage: show('warning'),
      showInputBox: async (options: { value?: string; validateInput?: (value: string) => string | undefined }) => {
        inputBoxes.push({ value: options.value, problems: ['', 'all', 'Bob'].map((v) => options.validateInput?.(v)), validate: options.validateInput });
        return inputAnswers.shift();
      },
      showQuickPick: async (items: Array<{ label: string; description?: string }>, options?: { title?: string; canPickMany?: boolean }) => {
        quickPicks.push({ items, title: options?.title, canPickMany: options?.canPickMany });
        const label = pickAnswers.shift();
        if (options?.canPickMany) return label === undefined ? undefined : items.filter((item) => [label].flat().includes(item.label));
        return items.find((item) => item.label === label);
      },
      showOpenDialog: async () => openDialogAnswers.shift(),
      showSaveDialog: async (options: { defaultUri?: Uri; title?: string }) => {
        saveDialogs.push(options);
        return saveDialogAnswers.shift();
      },
      setStatusBarMessage: () => new Disposable(() => undefined),
      withProgress: async (
        options: { title?: string; location?: number; cancellable?: boolean },
        task: (progress: { report(value: { increment?: number; message?: string }): void }, token: unknown) => Promise<unknown>,
      ) => {
        const cancelled = new EventEmitter<void>();
        const token = { isCancellationRequested: false, onCancellationRequested: cancelled.event };
        const record: ProgressRecord = {
          ...options,
          reports: [],
          finished: false,
          cancel: () => {
            token.isCancellationRequested = true;
            cancelled.fire();
          },
        };
        progress.push(record);
        try {
          return await task({ report: (value) => void record.reports.push(value) }, token);
        } finally {
          record.finished = true;
        }
      },
    },
    commands: {
      registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
        if (commands.has(id)) throw new Error(`command ${id} registered twice`);
        commands.set(id, handler);
        return new Disposable(() => commands.delete(id));
      },
      executeCommand: async (id: string, ...args: unknown[]) => {
        if (id === 'setContext') {
          context.set(String(args[0]), args[1]);
          return undefined;
        }
        const handler = commands.get(id);
        if (!handler) executed.push({ id, args });
        return handler?.(...args);
      },
    },
    workspace: {
      workspaceFolders,
      getWorkspaceFolder: (uri: Uri) => workspaceFolders.find((folder) => !relative(folder.uri.fsPath, uri.fsPath).startsWith('..')),
      openTextDocument: async (what: Uri | { language?: string; content?: string }) => {
        if (what instanceof Uri) return new FakeTextDocument(what, what.fsPath.endsWith('.ts') ? 'typescript' : 'plaintext', readFileSync(what.fsPath, 'utf8'));
        const document = new FakeTextDocument(Uri.from({ scheme: 'untitled', path: `Untitled-${++untitled}` }), what.language ?? 'plaintext', what.content ?? '');
        untitledDocuments.push(document);
        return document;
      },
      fs: {
        stat: async (uri: Uri) => {
          const stat = statSync(uri.fsPath);
          return { type: stat.isFile() ? 1 : stat.isDirectory() ? 2 : 0 };
        },
      },
      getConfiguration: (section: string) => ({
        get: (key: string) => settings[`${section}.${key}`],
        update: async (key: string, value: unknown) => {
          settings[`${section}.${key}`] = value;
        },
      }),
    },
    env: { clipboard: { writeText: async (text: string) => void clipboard.push(text) } },
  };
  return {
    api,
    commands,
    context,
    shown,
    providers,
    trees,
    statusBar,
    statusBars,
    livePicks,
    clipboard,
    answers,
    inputAnswers,
    inputBoxes,
    responders,
    quickPicks,
    pickAnswers,
    openDialogAnswers,
    saveDialogAnswers,
    saveDialogs,
    progress,
    executed,
    workspaceFolders,
    editor,
    diagnostics,
    shownDocuments,
    codeActionProviders,
    untitledDocuments,
  };
}

export type FakeVscode = ReturnType<typeof createFakeVscode>;

interface ModuleLoader {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
}

/** Loads `bundlePath` with `require('vscode')` answered by `fake`. */
export function loadWithFakeVscode(bundlePath: string, fake: FakeVscode): unknown {
  const loader = Module as unknown as ModuleLoader;
  const original = loader._load;
  loader._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === 'vscode') return fake.api;
    return original.call(this, request, parent, isMain);
  };
  try {
    delete require.cache[require.resolve(bundlePath)];
    return require(bundlePath);
  } finally {
    loader._load = original;
  }
}

export const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const EXTENSION_BUNDLE = join(REPO_ROOT, 'dist', 'extension.js');

export interface ExtensionModule {
  activate(context: unknown): void;
  deactivate(): Promise<void>;
}

function isExtension(value: unknown): value is ExtensionModule {
  return typeof value === 'object' && value !== null && 'activate' in value && 'deactivate' in value;
}

/** Shows the chat view as VS Code would and says `ready` from its page, so the host posts its snapshot. */
export function openChatView(fake: FakeVscode): FakeWebviewView {
  const view = new FakeWebviewView();
  fake.providers.get('classchat.chat')?.resolveWebviewView(view);
  view.webview.received.fire({ type: 'ready' });
  return view;
}

/**
 * Loads the real bundle against `fake` and activates it as VS Code would, with secrets and
 * global state kept in memory and global storage in `storagePath`.
 */
export function activateBundle(fake: FakeVscode, subscriptions: Array<{ dispose(): unknown }>, storagePath: string): ExtensionModule {
  const loaded = loadWithFakeVscode(EXTENSION_BUNDLE, fake);
  if (!isExtension(loaded)) throw new Error(`${EXTENSION_BUNDLE} does not export activate and deactivate`);
  const secrets = new Map<string, string>();
  const state = new Map<string, unknown>();
  loaded.activate({
    subscriptions,
    extensionUri: Uri.file(REPO_ROOT),
    globalStorageUri: Uri.file(storagePath),
    secrets: { get: async (k: string) => secrets.get(k), store: async (k: string, v: string) => void secrets.set(k, v) },
    globalState: { get: (k: string) => state.get(k), update: async (k: string, v: unknown) => void state.set(k, v) },
  });
  return loaded;
}
