/**
 * Whether a message that arrived unread shows a VS Code notification, and for how long
 * do-not-disturb lasts: pure decisions, no vscode, no clock of their own (issue 16, item 7).
 *
 * Levels (classchat.notifications):
 * - 'mentionsAndPrivate' (default): private messages, group rooms (a few chosen members, like a
 *   group DM), and any message that mentions you; not Everyone or class rooms (a whole class).
 * - 'all': every message from someone else, Everyone included.
 * - 'none': nothing, mentions included.
 * A muted conversation does not notify, except a message that mentions you (as in Slack).
 * Do-not-disturb silences everything, mentions included. Unread counts are never affected.
 */

export const NOTIFICATION_LEVELS = ['mentionsAndPrivate', 'all', 'none'] as const;
export type NotificationLevel = (typeof NOTIFICATION_LEVELS)[number];

/** 'groupRoom': members chosen by its creator; 'classRoom': a teacher's, anyone may join. */
export type ConversationKind = 'everyone' | 'private' | 'groupRoom' | 'classRoom';

export interface Arrival {
  kind: ConversationKind;
  mentionsMe: boolean;
}

export interface NotifyContext {
  level: NotificationLevel;
  muted: boolean;
  doNotDisturb: boolean;
  /** The chat is on screen and the window focused: the person sees it arrive. */
  seen: boolean;
  /** A notification for this conversation is still on screen (one at a time, not one per message). */
  alreadyShowing: boolean;
}

export type NotifyDecision = 'notify' | 'off' | 'doNotDisturb' | 'seen' | 'alreadyShowing' | 'muted' | 'notAtThisLevel';

export function notifyDecision(arrival: Arrival, context: NotifyContext): NotifyDecision {
  if (context.level === 'none') return 'off';
  if (context.doNotDisturb) return 'doNotDisturb';
  if (context.seen) return 'seen';
  if (context.alreadyShowing) return 'alreadyShowing';
  if (arrival.mentionsMe) return 'notify';
  if (context.muted) return 'muted';
  if (context.level === 'all') return 'notify';
  return arrival.kind === 'private' || arrival.kind === 'groupRoom' ? 'notify' : 'notAtThisLevel';
}

export type DoNotDisturbChoice = '30m' | '1h' | '2h' | 'tomorrow' | 'off';

/** The hour "until tomorrow" ends at, local time. */
export const TOMORROW_HOUR = 8;

/** When do-not-disturb chosen at `now` ends (ms since the epoch), or undefined for 'off'. */
export function doNotDisturbUntil(choice: DoNotDisturbChoice, now: number): number | undefined {
  const minute = 60_000;
  switch (choice) {
    case '30m':
      return now + 30 * minute;
    case '1h':
      return now + 60 * minute;
    case '2h':
      return now + 120 * minute;
    case 'tomorrow': {
      const end = new Date(now);
      end.setDate(end.getDate() + 1);
      end.setHours(TOMORROW_HOUR, 0, 0, 0);
      return end.getTime();
    }
    case 'off':
      return undefined;
  }
}

/** The text a notification shows: "bob: …" for a private message, "bob in #lab-3: …" in a room or Everyone. */
export function notificationText(conversation: { id: string; kind: ConversationKind }, from: string, text: string | undefined, previewChars: number): string {
  const preview = text === undefined ? 'sent a message' : text.length > previewChars ? `${text.slice(0, previewChars)}…` : text;
  if (conversation.kind === 'private') return `ClassChat — ${from}: ${text === undefined ? 'sent you a message' : preview}`;
  const where = conversation.kind === 'everyone' ? 'Everyone' : conversation.id;
  return `ClassChat — ${from} in ${where}: ${preview}`;
}
