/**
 * Notifications the user controls (issue 16, item 7): Mute / Unmute Conversation (the tree's
 * context menu or the palette), Do Not Disturb… (a pick of durations, shown in the status bar
 * until it ends by itself), and the notification of each unread message, decided by
 * notification-rules.ts. A room's notification names the room and its Open opens it.
 */
import * as vscode from 'vscode';
import { EVERYONE_ID } from '../../webview/protocol';
import type { ChatSession } from './chat-session';
import type { ClassmatesProvider } from './classmates-view';
import { CommandHandlers, COMMANDS, CONTEXT_KEYS } from './command-ids';
import { isRoomId } from './conversations';
import * as notices from './notices';
import { ConversationKind, DoNotDisturbChoice, doNotDisturbUntil, NotificationLevel, notificationText, notifyDecision } from './notification-rules';
import { DoNotDisturb, MutedConversations, mutedKeyName } from './quiet-state';
import { roomNameOf } from './session-rooms';
import { readNotificationLevel } from './settings';
import { readSetting } from './workspace-settings';

/** Characters of a message shown in its notification. */
const PREVIEW_CHARS = 120;

const DND_CHOICES: Array<{ label: string; value: DoNotDisturbChoice }> = [
  { label: 'For 30 minutes', value: '30m' },
  { label: 'For 1 hour', value: '1h' },
  { label: 'For 2 hours', value: '2h' },
  { label: 'Until tomorrow', value: 'tomorrow' },
  { label: 'Off', value: 'off' },
];

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export interface NotificationHost {
  readonly context: Pick<vscode.ExtensionContext, 'globalState'>;
  session(): ChatSession | undefined;
  connect(): Promise<void>;
  readonly chatView: { readonly isVisible: boolean };
  readonly classmates: Pick<ClassmatesProvider, 'setMuted'>;
  openConversation(conversation: string): Promise<void>;
}

export class NotificationController implements vscode.Disposable {
  private readonly doNotDisturb: DoNotDisturb;
  private readonly status: vscode.StatusBarItem;
  private muted: MutedConversations | undefined;
  /** Conversations with a notification on screen: one at a time each, not one per message. */
  private readonly showing = new Set<string>();

  constructor(private readonly host: NotificationHost) {
    this.doNotDisturb = new DoNotDisturb(host.context.globalState);
    this.status = vscode.window.createStatusBarItem('classchat.doNotDisturb', vscode.StatusBarAlignment.Left, 49);
    this.status.name = 'ClassChat: Do Not Disturb';
    this.status.command = COMMANDS.doNotDisturb;
    this.doNotDisturb.onChange(() => this.showDoNotDisturb());
    this.showDoNotDisturb();
  }

  commands(): Pick<CommandHandlers, 'muteConversation' | 'unmuteConversation' | 'doNotDisturb'> {
    return {
      muteConversation: (target: unknown) => this.setMuted(target, true),
      unmuteConversation: (target: unknown) => this.setMuted(target, false),
      doNotDisturb: () => this.chooseDoNotDisturb(),
    };
  }

  attach(session: ChatSession): void {
    const muted = new MutedConversations(this.host.context.globalState, mutedKeyName(session.server, session.name));
    this.muted = muted;
    this.host.classmates.setMuted(muted);
    session.on('unread', (conversation, from, text, mentionsMe) => this.notify(session, conversation, from, text, mentionsMe));
  }

  detach(): void {
    this.muted = undefined;
    this.host.classmates.setMuted(undefined);
  }

  dispose(): void {
    this.doNotDisturb.dispose();
    this.status.dispose();
  }

  private notify(session: ChatSession, conversation: string, from: string, text: string | undefined, mentionsMe: boolean): void {
    const kind = kindOf(session, conversation);
    const decision = notifyDecision(
      { kind, mentionsMe },
      {
        level: notificationLevel(),
        muted: this.muted?.has(conversation) ?? false,
        doNotDisturb: this.doNotDisturb.active,
        seen: this.host.chatView.isVisible && vscode.window.state.focused,
        alreadyShowing: this.showing.has(conversation),
      },
    );
    if (decision !== 'notify') return;
    this.showing.add(conversation);
    void notices.info(notificationText({ id: conversation, kind }, from, text, PREVIEW_CHARS), 'Open').then((choice) => {
      this.showing.delete(conversation);
      if (choice === 'Open') void this.host.openConversation(conversation);
    });
  }

  /** `target`: a tree element (a classmate's name or "#room"); otherwise the user picks one. */
  private async setMuted(target: unknown, mute: boolean): Promise<void> {
    const session = this.host.session();
    const muted = this.muted;
    if (!session || !muted) return this.host.connect();
    const conversation = typeof target === 'string' && target !== '' ? target : await this.pickConversation(session, muted, mute);
    if (conversation === undefined) return;
    await muted.set(conversation, mute);
    const name = conversation === EVERYONE_ID ? 'Everyone' : conversation;
    notices.statusMessage(mute ? `ClassChat: ${name} muted (unread still counted; mentions of you still notify)` : `ClassChat: ${name} unmuted`, 5000);
  }

  private pickConversation(session: ChatSession, muted: MutedConversations, mute: boolean): Promise<string | undefined> {
    const all = [EVERYONE_ID, ...session.rooms.mine().map((room) => `#${room.name}`), ...session.conversations.classmates().map((c) => c.name)];
    const candidates = all.filter((id) => muted.has(id) !== mute);
    if (candidates.length === 0) {
      void notices.info(mute ? 'ClassChat: every conversation is muted already.' : 'ClassChat: no conversation is muted.');
      return Promise.resolve(undefined);
    }
    const items = candidates.map((id) => ({
      label: id === EVERYONE_ID ? 'Everyone' : id,
      description: id === EVERYONE_ID ? 'the whole class' : isRoomId(id) ? 'room' : 'classmate',
      iconPath: new vscode.ThemeIcon(mute ? 'bell-slash' : 'bell'),
      value: id,
    }));
    return notices.pick(items, { title: mute ? 'ClassChat: mute a conversation' : 'ClassChat: unmute a conversation', placeHolder: 'Type a name', matchOnDescription: true });
  }

  private async chooseDoNotDisturb(): Promise<void> {
    const until = this.doNotDisturb.active ? this.doNotDisturb.until : undefined;
    const choice = await notices.pick(
      DND_CHOICES.filter((c) => c.value !== 'off' || until !== undefined).map((c) => ({ ...c, description: c.value === 'off' ? `on until ${TIME.format(until)}` : undefined })),
      { title: 'ClassChat: do not disturb (no notifications; unread still counted)' },
    );
    if (choice === undefined) return;
    await this.doNotDisturb.set(doNotDisturbUntil(choice, Date.now()));
  }

  private showDoNotDisturb(): void {
    const until = this.doNotDisturb.active ? this.doNotDisturb.until : undefined;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.doNotDisturb, until !== undefined);
    if (until === undefined) {
      this.status.hide();
      return;
    }
    this.status.text = `$(bell-slash) until ${TIME.format(until)}`;
    this.status.tooltip = `ClassChat: do not disturb until ${new Date(until).toLocaleString()}. No notifications; unread messages are still counted. Click to change.`;
    this.status.show();
  }
}

function kindOf(session: ChatSession, conversation: string): ConversationKind {
  if (conversation === EVERYONE_ID) return 'everyone';
  const room = roomNameOf(conversation);
  if (room === undefined) return 'private';
  return session.rooms.get(room)?.kind === 'class' ? 'classRoom' : 'groupRoom';
}

function notificationLevel(): NotificationLevel {
  try {
    return readNotificationLevel(readSetting);
  } catch {
    // A broken value should not silence notifications: the default applies.
    return 'mentionsAndPrivate';
  }
}
