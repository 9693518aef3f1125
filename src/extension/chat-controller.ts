/** Chatting: Open Chat, Message Classmate and the views a session fills (notifications: notification-commands.ts). */
import * as vscode from 'vscode';
import { EVERYONE_ID } from '../../webview/protocol';
import type { ChatSession } from './chat-session';
import type { ChatViewModel } from './chat-view-model';
import { classmateItem } from './classmate-items';
import type { ClassmatesProvider } from './classmates-view';
import { CommandHandlers, VIEWS } from './command-ids';
import type { Classmate } from './conversations';
import * as notices from './notices';

/** What chatting needs from the rest of the extension. */
export interface ChatHost {
  /** The current session, undefined while disconnected. */
  session(): ChatSession | undefined;
  connect(): Promise<void>;
  readonly chatView: Pick<ChatViewModel, 'open' | 'setSession'>;
  readonly classmates: Pick<ClassmatesProvider, 'setConversations'>;
}

export class ChatController {
  constructor(private readonly host: ChatHost) {}

  commands(): Pick<CommandHandlers, 'openChat' | 'openConversation' | 'messageClassmate'> {
    return {
      openChat: () => this.openChat(),
      openConversation: (name: unknown) => this.openConversation(typeof name === 'string' ? name : EVERYONE_ID),
      messageClassmate: () => this.messageClassmate(),
    };
  }

  /** Shows the session in the chat view and the Classmates tree. */
  attach(session: ChatSession): void {
    this.host.chatView.setSession(session);
    this.host.classmates.setConversations(session.conversations, (name) => session.safetyNumber(name));
  }

  /** Disconnected: the views go back to their welcome state. */
  detach(): void {
    this.host.chatView.setSession(undefined);
    this.host.classmates.setConversations(undefined);
  }

  async openChat(): Promise<void> {
    await vscode.commands.executeCommand(`${VIEWS.chat}.focus`);
  }

  async openConversation(conversation: string): Promise<void> {
    this.host.chatView.open(conversation);
    await this.openChat();
  }

  async messageClassmate(): Promise<void> {
    if (!this.host.session()) return this.host.connect();
    const name = await this.pickClassmate('ClassChat: message a classmate');
    if (name) await this.openConversation(name);
  }

  /** Asks for one classmate among those `filter` keeps (Message, Verify); undefined when none is picked. */
  async pickClassmate(title: string, filter: (c: Classmate) => boolean = () => true): Promise<string | undefined> {
    const session = this.host.session();
    if (!session) return undefined;
    const picks = session.conversations.classmates().filter(filter).map((c) => {
      const item = classmateItem(c);
      return { label: c.name, description: item.description || 'online', iconPath: new vscode.ThemeIcon(item.icon), value: c.name };
    });
    if (picks.length === 0) {
      void notices.info('Nobody else is in this class yet. Messages to Everyone reach classmates as they join.');
      return undefined;
    }
    return notices.pick(picks, { title, placeHolder: 'Type a name', matchOnDescription: true });
  }
}
