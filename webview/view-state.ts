/**
 * The webview's model: what the host last told it, updated message by message. No DOM here;
 * main.ts renders from it. `PersistedState` is what survives the view being hidden
 * (vscode.setState): the open conversation and unsent drafts.
 */
import type { SavedDrafts } from './drafts';
import { insertionIndex } from './message-order';
import type { ConnectionView, ConversationSummary, HostMessage, MessageView, SearchHitView } from './protocol';
import { EVERYONE_ID } from './protocol';

export interface ViewState {
  connection: ConnectionView;
  conversations: ConversationSummary[];
  active: string;
  messages: MessageView[];
  more: boolean;
  notice?: { level: 'info' | 'error'; text: string };
}

export interface PersistedState {
  active: string;
  drafts: SavedDrafts;
}

export function initialState(persisted: PersistedState | undefined): ViewState {
  return {
    connection: { status: 'disconnected', online: 0 },
    conversations: [{ id: EVERYONE_ID, title: 'Everyone', unread: 0 }],
    active: persisted?.active ?? EVERYONE_ID,
    messages: [],
    more: false,
  };
}

/** What changed, so the renderer touches only that. */
export type Patch =
  | { kind: 'all' }
  | { kind: 'connection' }
  | { kind: 'conversations' }
  | { kind: 'older'; count: number }
  /** The message now at `index` is new, changed or moved: (re)draw its row there. */
  | { kind: 'message'; index: number }
  | { kind: 'notice' }
  /** The search box's results for `query` (main.ts drops them if the box says something else now). */
  | { kind: 'search'; query: string; hits: SearchHitView[] }
  /** Scroll to this message, opening its conversation first if need be. */
  | { kind: 'reveal'; conversation: string; seq: number }
  | { kind: 'none' };

/** Applies a host message to `state` (mutating it) and says what to redraw. */
export function apply(state: ViewState, message: HostMessage): Patch {
  switch (message.type) {
    case 'snapshot':
      state.connection = message.connection;
      state.conversations = message.conversations;
      state.active = message.active;
      state.messages = [...message.messages];
      state.more = message.more;
      return { kind: 'all' };
    case 'connection':
      state.connection = message.connection;
      return { kind: 'connection' };
    case 'conversations':
      state.conversations = message.conversations;
      return { kind: 'conversations' };
    case 'older': {
      if (message.conversation !== state.active) return { kind: 'none' };
      const known = new Set(state.messages.map((m) => `${m.from}\u0000${m.id}`));
      const fresh = message.messages.filter((m) => !known.has(`${m.from}\u0000${m.id}`));
      state.messages.unshift(...fresh);
      state.more = message.more;
      return { kind: 'older', count: fresh.length };
    }
    case 'upsert': {
      if (message.conversation !== state.active) return { kind: 'none' };
      const index = state.messages.findIndex((m) => m.id === message.message.id && m.from === message.message.from);
      // pending → sent can move a message above others that arrived meanwhile: take it out and re-insert.
      if (index >= 0) state.messages.splice(index, 1);
      const at = insertionIndex(state.messages, message.message);
      state.messages.splice(at, 0, message.message);
      return { kind: 'message', index: at };
    }
    case 'notice':
      state.notice = { level: message.level, text: message.text };
      return { kind: 'notice' };
    case 'searchResults':
      return { kind: 'search', query: message.query, hits: message.hits };
    case 'reveal':
      return { kind: 'reveal', conversation: message.conversation, seq: message.seq };
  }
}

export function activeSummary(state: ViewState): ConversationSummary | undefined {
  return state.conversations.find((c) => c.id === state.active);
}

/** Why the composer is disabled, or undefined when it can send. */
export function composerBlocked(state: ViewState): string | undefined {
  if (state.connection.status === 'disconnected') return 'Not connected. Connect to send messages.';
  const summary = activeSummary(state);
  if (!summary) return 'This conversation is not available.';
  return summary.sendBlocked;
}
