/** The status bar item: connection state, classmates online and unread messages; a click opens the chat. */
import * as vscode from 'vscode';
import type { ChatSession } from './chat-session';
import { COMMANDS } from './command-ids';
import { statusText } from './status-text';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('classchat.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'ClassChat';
    this.item.command = COMMANDS.openChat;
    this.show(undefined);
    this.item.show();
  }

  /** Shows the state of this session (undefined: disconnected). */
  show(session: ChatSession | undefined): void {
    const connection = session?.connection ?? { status: 'disconnected' as const, online: 0 };
    const status = statusText(connection, session?.conversations.totalUnread() ?? 0);
    this.item.text = status.text;
    this.item.tooltip = status.tooltip;
  }

  dispose(): void {
    this.item.dispose();
  }
}
