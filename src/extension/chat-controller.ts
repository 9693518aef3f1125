/** Chatting: Open Chat, Message Classmate and the views a session fills (notifications: notification-commands.ts). */
import * as vscode from 'vscode';
import { checkName } from '../protocol/names';
import { EVERYONE_ID } from '../../webview/protocol';
import type { ChatSession } from './chat-session';
import type { ChatViewModel } from './chat-view-model';
import { classmateItem } from './classmate-items';
import type { ClassmatesProvider } from './classmates-view';
import { CommandHandlers, VIEWS } from './command-ids';
import type { Classmate } from './conversations';
import * as notices from './notices';

/** The pick that asks for a name nobody has yet (not a valid user name, so never a classmate's). */
const NOT_JOINED = '\u0000not-joined';

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
    const session = this.host.session();
    if (!session) return this.host.connect();
    const name = session.conversations.classmates().length === 0 ? NOT_JOINED : await this.pickClassmate('ClassChat: message a classmate', () => true, true);
    if (name === NOT_JOINED) return this.messageNewcomer();
    if (name) await this.openConversation(name);
  }

  /** A classmate who has not joined yet: their messages wait until they first log in (PROTOCOL.md 20.7). */
  private async messageNewcomer(): Promise<void> {
    const typed = await notices.input({
      title: 'ClassChat: message a classmate who has not joined yet',
      prompt: 'Their user name: messages wait until they first log in (at most 7 days)',
      value: '',
      validateInput: (value) => (checkName(value).ok ? undefined : 'Type a user name: 1-32 of a-z, 0-9, "_", "." and "-".'),
    });
    const checked = typed === undefined ? undefined : checkName(typed);
    if (checked?.ok) await this.openConversation(checked.name);
  }

  /** Asks for one classmate among those `filter` keeps (Message, Verify); undefined when none is picked. */
  async pickClassmate(title: string, filter: (c: Classmate) => boolean = () => true, offerNewcomer = false): Promise<string | undefined> {
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
    const newcomer = { label: 'Someone who has not joined yet…', description: 'messages wait until they first log in', iconPath: new vscode.ThemeIcon('person-add'), value: NOT_JOINED };
    return notices.pick(offerNewcomer ? [...picks, newcomer] : picks, { title, placeHolder: 'Type a name', matchOnDescription: true });
  }
}
