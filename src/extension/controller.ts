/**
 * Wires the feature controllers together: each owns its commands and state, and gets only the
 * few things it needs from the others, so a new feature is one more file and a few lines here.
 */
import type * as vscode from 'vscode';
import { ChatController } from './chat-controller';
import type { ChatViewModel } from './chat-view-model';
import type { ClassmatesProvider } from './classmates-view';
import { CodeController } from './code-controller';
import type { CommandHandlers } from './command-ids';
import { ConnectionController } from './connection-controller';
import { FilesController } from './files-controller';
import { LocalServerController } from './local-server-controller';
import { NotificationController } from './notification-commands';
import { RoomsController } from './rooms-controller';
import { SearchController } from './search-commands';
import { TrustController } from './trust-controller';

export class Controller implements vscode.Disposable {
  private readonly connection: ConnectionController;
  private readonly server: LocalServerController;
  private readonly chat: ChatController;
  private readonly trust: TrustController;
  private readonly files: FilesController;
  private readonly rooms: RoomsController;
  private readonly code: CodeController;
  private readonly notifications: NotificationController;
  private readonly search: SearchController;

  constructor(context: vscode.ExtensionContext, chatView: ChatViewModel, classmates: ClassmatesProvider, private readonly output: vscode.LogOutputChannel) {
    const session = () => this.connection.session();
    const connect = () => this.connection.connect();
    this.connection = new ConnectionController({ context, output, openChat: () => this.chat.openChat() });
    this.server = new LocalServerController({
      context,
      output,
      hasSession: () => session() !== undefined,
      connect: (target) => this.connection.connect(target),
    });
    this.chat = new ChatController({ session, connect, chatView, classmates });
    this.trust = new TrustController({ session, connect, pickClassmate: (title, filter) => this.chat.pickClassmate(title, filter) });
    this.files = new FilesController({ session, connect, showConversation: (name) => chatView.open(name), output });
    this.rooms = new RoomsController({ session, connect, showConversation: (id) => this.chat.openConversation(id), classmates });
    this.code = new CodeController({ session, connect, activeConversation: () => chatView.activeConversation, showConversation: (id) => void this.chat.openConversation(id) });
    this.notifications = new NotificationController({ context, session, connect, chatView, classmates, openConversation: (id) => this.chat.openConversation(id) });
    this.search = new SearchController({ session, connect, chatView, openChat: () => this.chat.openChat() });
    this.connection.addFeatures(this.chat, this.trust, this.files, this.rooms, this.notifications);
  }

  /** One handler per command id: the compiler checks that the features' commands cover COMMANDS. */
  handlers(): CommandHandlers {
    const { connection, server, chat, trust, files, rooms, code, notifications, search } = this;
    return {
      ...connection.commands(),
      ...server.commands(),
      ...chat.commands(),
      ...trust.commands(),
      ...files.commands(),
      ...rooms.commands(),
      ...code.commands(),
      ...notifications.commands(),
      ...search.commands(),
    };
  }

  /** A chat view message for a pasted or dropped file: true when it was one. */
  handleDroppedFile(message: unknown): boolean {
    return this.files.handleDropped(message);
  }

  /** A file card's Save… in the chat view. */
  saveFile(file: string): Promise<void> {
    return this.files.saveFile(file);
  }

  /** Connects on start-up when the user asked for it and a name is set. */
  autoConnect(): void {
    this.connection.autoConnect();
  }

  /** Says goodbye to the server and stops the local server, flushing its store (deactivate). */
  async shutdown(): Promise<void> {
    await this.connection.close().catch((error: unknown) => this.output.warn(`closing the session: ${String(error)}`));
    await this.server.close();
  }

  dispose(): void {
    this.connection.dispose();
    this.code.dispose();
    this.notifications.dispose();
    void this.shutdown();
  }
}
