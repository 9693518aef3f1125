/** The "Classmates" tree: online first, unread counts, click opens the conversation. */
import * as vscode from 'vscode';
import { classmateItem } from './classmate-items';
import { COMMANDS, VIEWS } from './command-ids';
import type { Conversations } from './conversations';
import { formatSafetyNumber } from './safety-number-text';

export class ClassmatesProvider implements vscode.TreeDataProvider<string>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private conversations: Conversations | undefined;
  private subscription: { dispose(): void } | undefined;
  private safetyNumber: ((name: string) => Promise<string>) | undefined;
  private readonly view: vscode.TreeView<string>;

  constructor() {
    this.view = vscode.window.createTreeView(VIEWS.classmates, { treeDataProvider: this });
  }

  /** Shows the classmates of this session (undefined: disconnected, the welcome view shows). */
  setConversations(conversations: Conversations | undefined, safetyNumber?: (name: string) => Promise<string>): void {
    this.safetyNumber = safetyNumber;
    this.subscription?.dispose();
    this.conversations = conversations;
    this.subscription = conversations?.onChange((change) => {
      if (change.kind === 'list') this.refresh();
    });
    this.refresh();
  }

  getChildren(element?: string): string[] {
    if (element !== undefined || !this.conversations) return [];
    return this.conversations.classmates().map((c) => c.name);
  }

  getTreeItem(name: string): vscode.TreeItem {
    const classmate = this.conversations?.classmates().find((c) => c.name === name);
    const item = classmateItem(classmate ?? { name, online: false, hasKey: true, unread: 0, key: 'unknown_key' });
    const tree = new vscode.TreeItem(item.label, vscode.TreeItemCollapsibleState.None);
    tree.id = name;
    tree.description = item.description;
    tree.tooltip = item.tooltip;
    tree.contextValue = item.contextValue;
    tree.iconPath = new vscode.ThemeIcon(item.icon, new vscode.ThemeColor(item.iconColor));
    tree.command = { command: COMMANDS.openConversation, title: 'Open Conversation', arguments: [name] };
    return tree;
  }

  /** Adds the safety number to the tooltip when the user hovers (it takes a hash to compute). */
  async resolveTreeItem(item: vscode.TreeItem, name: string): Promise<vscode.TreeItem> {
    const number = await this.safetyNumber?.(name).catch(() => undefined);
    if (number !== undefined) item.tooltip = `${String(item.tooltip ?? '')}\n\nSafety number:\n${formatSafetyNumber(number)}`;
    return item;
  }

  dispose(): void {
    this.subscription?.dispose();
    this.changed.dispose();
    this.view.dispose();
  }

  private refresh(): void {
    this.changed.fire(undefined);
    const unread = this.conversations?.totalUnread() ?? 0;
    this.view.badge = unread > 0 ? { value: unread, tooltip: `${unread} unread message${unread === 1 ? '' : 's'}` } : undefined;
  }
}
