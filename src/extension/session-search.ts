/**
 * Search over what this session has shown (issue 16, item 6): every message the Conversations
 * hold, live or loaded as history, decrypted ones included, goes into a MessageSearch in memory;
 * edits replace, deletes remove. No vscode: the Search Messages pick and the panel's search box
 * both ask `find`.
 */
import { MessageSearch } from '../client/search/message-search';
import { snippetOf } from '../client/search/snippet';
import { EVERYONE_ID, MessageView, SearchHitView } from '../../webview/protocol';
import type { ConversationChange, Conversations } from './conversations';

/** Results a pick or the search box lists: more is scrolling nobody does. */
export const SEARCH_RESULTS = 30;

export class SessionSearch {
  private readonly index: MessageSearch;
  private readonly subscription: { dispose(): void };

  constructor(conversations: Pick<Conversations, 'onChange'>, maxMessages?: number) {
    this.index = new MessageSearch(maxMessages);
    this.subscription = conversations.onChange((change) => this.onChange(change));
  }

  get size(): number {
    return this.index.size;
  }

  /** Words, optionally `from:bob` and `in:#lab-3` (see MessageSearch); best and newest first. */
  find(query: string, limit = SEARCH_RESULTS): SearchHitView[] {
    return this.index.search({ text: query, limit }).map((hit) => {
      const snippet = snippetOf(hit.text, query);
      return {
        conversation: hit.conversation,
        title: hit.conversation === EVERYONE_ID ? 'Everyone' : hit.conversation,
        seq: hit.seq,
        from: hit.from,
        ts: hit.ts,
        snippet: snippet.text,
        marks: snippet.marks,
      };
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }

  private onChange(change: ConversationChange): void {
    if (change.kind === 'message') this.add(change.conversation, change.message);
    else if (change.kind === 'older') for (const message of change.messages) this.add(change.conversation, message);
  }

  private add(conversation: string, message: MessageView): void {
    // Pending messages have no seq yet: they are added when the server has stored them.
    if (message.seq === undefined) return;
    if (message.system || message.deleted) {
      this.index.remove(message.seq);
      return;
    }
    this.index.add({ seq: message.seq, conversation, from: message.from, ts: message.ts, text: message.text });
  }
}
