/**
 * ClassChat: Search Messages… (issue 16, item 6): a pick that lists matches as the user types
 * (sender, conversation, date, the words around the match); choosing one opens the chat at that
 * message. The index is the session's (session-search.ts): what this client has shown,
 * end-to-end encrypted messages included, since only this client can read them.
 */
import * as vscode from 'vscode';
import type { ChatSession } from './chat-session';
import type { ChatViewModel } from './chat-view-model';
import type { CommandHandlers } from './command-ids';
import * as notices from './notices';
import type { SearchHitView } from '../../webview/protocol';

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export interface SearchHost {
  session(): ChatSession | undefined;
  connect(): Promise<void>;
  readonly chatView: Pick<ChatViewModel, 'reveal'>;
  openChat(): Promise<void>;
}

/** The pick's line for a hit: the snippet, then who, where and when. */
export function searchPickItem(hit: SearchHitView): notices.LivePickItem<SearchHitView> {
  return {
    label: hit.snippet,
    description: `${hit.from} · ${hit.title} · ${DATE_TIME.format(hit.ts)}`,
    iconPath: new vscode.ThemeIcon(hit.conversation.startsWith('#') ? 'comment-discussion' : hit.conversation === '*' ? 'megaphone' : 'comment'),
    value: hit,
  };
}

export class SearchController {
  constructor(private readonly host: SearchHost) {}

  commands(): Pick<CommandHandlers, 'searchMessages'> {
    return { searchMessages: () => this.searchMessages() };
  }

  async searchMessages(): Promise<void> {
    const session = this.host.session();
    if (!session) return this.host.connect();
    const hit = await notices.livePick({
      title: 'ClassChat: search messages',
      placeHolder: 'Words to find; from:bob and in:#lab-3 (or in:everyone) narrow it',
      itemsFor: (value) => session.search.find(value).map(searchPickItem),
    });
    if (!hit) return;
    this.host.chatView.reveal(hit.conversation, hit.seq);
    await this.host.openChat();
  }
}
