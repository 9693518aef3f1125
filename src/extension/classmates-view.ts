/** The "Classmates" tree: online first, unread counts, click opens the conversation; a "Rooms" group under them. */
import * as vscode from 'vscode';
import { classmateItem } from './classmate-items';
import { COMMANDS, VIEWS } from './command-ids';
import type { Conversations } from './conversations';
import { NO_ROOMS, noRoomsItem, RoomItem, roomItems, ROOMS_GROUP } from './room-items';
import { formatSafetyNumber } from './safety-number-text';
import type { SessionRooms } from './session-rooms';

/** Which conversations are muted (quiet-state.ts's MutedConversations). */
export interface MuteLookup {
  has(conversation: string): boolean;
  onChange(listener: () => void): { dispose(): void };
}

export class ClassmatesProvider implements vscode.TreeDataProvider<string>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private conversations: Conversations | undefined;
  private subscription: { dispose(): void } | undefined;
  private safetyNumber: ((name: string) => Promise<string>) | undefined;
  private rooms: SessionRooms | undefined;
  private muted: MuteLookup | undefined;
  private mutedSubscription: { dispose(): void } | undefined;
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

  /** Shows the session's rooms as a "Rooms" group (undefined: no group). Redrawn with the conversations' list changes. */
  setRooms(rooms: SessionRooms | undefined): void {
    this.rooms = rooms;
    this.refresh();
  }

  /** Marks muted conversations (undefined: none). Redrawn when they change. */
  setMuted(muted: MuteLookup | undefined): void {
    this.mutedSubscription?.dispose();
    this.muted = muted;
    this.mutedSubscription = muted?.onChange(() => this.refresh());
    this.refresh();
  }

  getChildren(element?: string): string[] {
    const conversations = this.conversations;
    if (!conversations) return [];
    if (element === ROOMS_GROUP) {
      const items = this.roomItems();
      return items.length > 0 ? items.map((item) => item.id) : [NO_ROOMS];
    }
    if (element !== undefined) return [];
    const classmates = conversations.classmates().map((c) => c.name);
    return this.rooms?.available ? [...classmates, ROOMS_GROUP] : classmates;
  }

  getTreeItem(name: string): vscode.TreeItem {
    if (name === ROOMS_GROUP) return this.roomsGroupItem();
    if (name.startsWith('#')) return this.roomTreeItem(name);
    const classmate = this.conversations?.classmates().find((c) => c.name === name);
    const item = classmateItem(classmate ?? { name, online: false, hasKey: true, unread: 0, key: 'unknown_key' }, this.muted?.has(name) ?? false);
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
    if (name.startsWith('#')) return item;
    const number = await this.safetyNumber?.(name).catch(() => undefined);
    if (number !== undefined) item.tooltip = `${String(item.tooltip ?? '')}\n\nSafety number:\n${formatSafetyNumber(number)}`;
    return item;
  }

  dispose(): void {
    this.subscription?.dispose();
    this.mutedSubscription?.dispose();
    this.changed.dispose();
    this.view.dispose();
  }

  private roomItems(): RoomItem[] {
    const rooms = this.rooms;
    const conversations = this.conversations;
    if (!rooms || !conversations) return [];
    return roomItems(rooms.mine(), rooms.joinable(), (id) => conversations.unread(id), (id) => this.muted?.has(id) ?? false);
  }

  private roomsGroupItem(): vscode.TreeItem {
    const tree = new vscode.TreeItem('Rooms', vscode.TreeItemCollapsibleState.Expanded);
    tree.id = ROOMS_GROUP;
    const unread = this.roomItems().reduce((sum, item) => sum + (this.conversations?.unread(item.id) ?? 0), 0);
    tree.description = unread > 0 ? `${unread} unread` : '';
    tree.contextValue = 'rooms';
    tree.iconPath = new vscode.ThemeIcon('comment-discussion');
    return tree;
  }

  private roomTreeItem(id: string): vscode.TreeItem {
    const item = this.roomItems().find((room) => room.id === id) ?? noRoomsItem();
    const tree = new vscode.TreeItem(item.label, vscode.TreeItemCollapsibleState.None);
    tree.id = item.id;
    tree.description = item.description;
    tree.tooltip = item.tooltip;
    tree.contextValue = item.contextValue;
    tree.iconPath = new vscode.ThemeIcon(item.icon);
    tree.command =
      item.id === NO_ROOMS
        ? { command: COMMANDS.createRoom, title: 'Create Room' }
        : { command: COMMANDS.openConversation, title: 'Open Conversation', arguments: [item.id] };
    return tree;
  }

  private refresh(): void {
    this.changed.fire(undefined);
    const unread = this.conversations?.totalUnread() ?? 0;
    this.view.badge = unread > 0 ? { value: unread, tooltip: `${unread} unread message${unread === 1 ? '' : 's'}` } : undefined;
  }
}
