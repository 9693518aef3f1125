/**
 * The host side of the chat webview, without vscode: answers the webview's messages and forwards
 * session changes to it. Nothing is posted before the webview says `ready`; after `ready` it gets
 * a full snapshot, then incremental updates (one message at a time, older pages on top).
 */
import { EVERYONE_ID, HostMessage, parseWebviewMessage, WebviewMessage } from '../../webview/protocol';
import type { ChatSession } from './chat-session';
import type { ConversationChange } from './conversations';
import { runMessageAction } from './message-actions';

export interface ChatViewActions {
  /** The webview's "Connect" button. */
  connect(): void;
  /** Shows the safety number with a classmate (the Verify command). */
  verify(name: string): void;
  /** A file card's "Save…": ask where, then receive it (the same flow as the notification's). */
  saveFile(file: string): void;
  /** A room header's Join or Members button (the Join Room / Room Members commands; `room` is "#name"). */
  room(action: 'joinRoom' | 'roomMembers', room: string): void;
  /** A message's Copy: puts its text on the clipboard. */
  copy(text: string): void;
  /** Reports a failure that has no place in the view (e.g. history could not load). */
  log(message: string): void;
}

type Post = (message: HostMessage) => void;

export class ChatViewModel {
  private session: ChatSession | undefined;
  private sessionListeners: Array<() => void> = [];
  private post: Post | undefined;
  private ready = false;
  private visible = false;
  /** Kept across sessions, so reconnecting keeps the open conversation. */
  private active = EVERYONE_ID;
  /** A message to scroll to once the webview is ready (Search Messages may run before it is). */
  private pendingReveal: { conversation: string; seq: number } | undefined;

  constructor(private readonly actions: ChatViewActions) {}

  get activeConversation(): string {
    return this.active;
  }

  setSession(session: ChatSession | undefined): void {
    for (const off of this.sessionListeners) off();
    this.sessionListeners = [];
    this.session = session;
    if (session) {
      const onChange = (change: ConversationChange) => this.onChange(change);
      const onConnection = () => {
        this.send({ type: 'connection', connection: session.connection });
        this.send({ type: 'conversations', conversations: session.summaries() });
        if (session.connection.status === 'connected') this.loadHistory(this.active, false);
      };
      session.on('change', onChange);
      session.on('connection', onConnection);
      this.sessionListeners.push(() => session.off('change', onChange), () => session.off('connection', onConnection));
      session.conversations.open(this.active);
      session.conversations.setVisible(this.visible);
    }
    this.sendSnapshot();
  }

  /** The webview was created; `post` reaches it. It still has to say `ready`. */
  attach(post: Post): void {
    this.post = post;
    this.ready = false;
  }

  /** The webview was disposed (hidden without retainContextWhenHidden, or closed). */
  detach(): void {
    this.post = undefined;
    this.ready = false;
    this.setVisible(false);
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    this.session?.conversations.setVisible(visible);
  }

  get isVisible(): boolean {
    return this.visible;
  }

  /** Opens a conversation (from the webview, the tree or a command). */
  open(conversation: string): void {
    this.active = conversation;
    this.session?.conversations.open(conversation);
    this.sendSnapshot();
    this.loadHistory(conversation, false);
  }

  /** Opens `conversation` at the message with `seq`: the webview scrolls to it and highlights it. */
  reveal(conversation: string, seq: number): void {
    this.pendingReveal = { conversation, seq };
    this.open(conversation);
    this.flushReveal();
  }

  /** A message from the webview: checked, then acted on. Malformed messages are ignored. */
  handle(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.actions.log(`ignored a malformed message from the chat view: ${safeJson(raw)}`);
      return;
    }
    this.dispatch(message);
  }

  private dispatch(message: WebviewMessage): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.open(this.pendingReveal?.conversation ?? message.active ?? this.active);
        this.flushReveal();
        return;
      case 'open':
        this.open(message.conversation);
        return;
      case 'send':
        if (!this.session) {
          this.send({ type: 'notice', level: 'error', text: 'Not connected. Connect to send messages.' });
          return;
        }
        this.session.send(message.conversation, message.text, message.replyTo);
        return;
      case 'edit':
      case 'delete':
      case 'react':
        runMessageAction(this.session, message, (text) => this.send({ type: 'notice', level: 'error', text }));
        return;
      case 'copy':
        this.actions.copy(message.text);
        return;
      case 'loadOlder':
        this.loadHistory(message.conversation, true);
        return;
      case 'connect':
        this.actions.connect();
        return;
      case 'verify':
        this.actions.verify(message.conversation);
        return;
      case 'acceptKey':
        this.session?.acceptKey(message.conversation).catch((error: unknown) => {
          this.send({ type: 'notice', level: 'error', text: `Could not accept the new key: ${error instanceof Error ? error.message : String(error)}` });
        });
        return;
      case 'acceptFile':
        this.actions.saveFile(message.file);
        return;
      case 'declineFile':
      case 'cancelFile':
        this.fileAction(message.type, message.file);
        return;
      case 'joinRoom':
      case 'roomMembers':
        this.actions.room(message.type, message.room);
        return;
      case 'search':
        this.send({ type: 'searchResults', query: message.query, hits: this.session?.search.find(message.query) ?? [] });
        return;
    }
  }

  private fileAction(action: 'declineFile' | 'cancelFile', file: string): void {
    const session = this.session;
    try {
      if (!session) throw new Error('not connected');
      if (action === 'declineFile') session.declineFile(file);
      else session.cancelFile(file);
    } catch (error) {
      const verb = action === 'declineFile' ? 'decline' : 'cancel';
      this.send({ type: 'notice', level: 'error', text: `Could not ${verb} the file: ${error instanceof Error ? error.message : String(error)}` });
      session?.refreshFileCard(file);
    }
  }

  private loadHistory(conversation: string, older: boolean): void {
    const session = this.session;
    if (!session || session.connection.status !== 'connected') return;
    session.loadHistory(conversation, older).catch((error: unknown) => {
      const text = `Could not load earlier messages: ${error instanceof Error ? error.message : String(error)}`;
      this.actions.log(text);
      if (older) this.send({ type: 'notice', level: 'error', text });
    });
  }

  private onChange(change: ConversationChange): void {
    const session = this.session;
    if (!session) return;
    switch (change.kind) {
      case 'list':
        this.send({ type: 'conversations', conversations: session.summaries() });
        return;
      case 'message':
        if (change.conversation === this.active) this.send({ type: 'upsert', conversation: change.conversation, message: change.message });
        return;
      case 'older':
        if (change.conversation === this.active) this.send({ type: 'older', conversation: change.conversation, messages: change.messages, more: change.more });
        return;
    }
  }

  private sendSnapshot(): void {
    const session = this.session;
    if (!session) {
      this.send({
        type: 'snapshot',
        connection: { status: 'disconnected', online: 0 },
        conversations: [{ id: EVERYONE_ID, title: 'Everyone', unread: 0, sendBlocked: 'Not connected. Connect to send messages.' }],
        active: EVERYONE_ID,
        messages: [],
        more: false,
      });
      return;
    }
    this.send({
      type: 'snapshot',
      connection: session.connection,
      conversations: session.summaries(),
      active: this.active,
      messages: [...session.conversations.messages(this.active)],
      more: session.conversations.hasMore(this.active),
    });
  }

  private flushReveal(): void {
    const reveal = this.pendingReveal;
    if (!reveal || !this.post || !this.ready) return;
    this.pendingReveal = undefined;
    this.send({ type: 'reveal', ...reveal });
  }

  private send(message: HostMessage): void {
    if (this.post && this.ready) this.post(message);
  }
}

function safeJson(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 200);
  } catch {
    return String(value);
  }
}
