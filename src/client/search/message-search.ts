/**
 * Search over the messages this client has shown, decrypted ones included: the server cannot read
 * encrypted conversations, so search happens here (issue 16). Words match whole or as a prefix
 * (as you type), accents and case ignored; `from:bob` and `in:#lab-3` narrow the results.
 * The index lives in memory only (a file of decrypted text would undo the encryption) and holds at
 * most `maxMessages`, forgetting the oldest first.
 */
import MiniSearch from 'minisearch';

export const DEFAULT_SEARCH_MESSAGES = 20_000;
const DEFAULT_RESULTS = 50;
const MIN_PREFIX = 3;
/** Over the cap by this fraction, the oldest are dropped in one go (not one per add). */
const EVICT_SLACK = 0.1;

export interface SearchableMessage {
  seq: number;
  /** "*", a user name, or "#room". */
  conversation: string;
  from: string;
  ts: number;
  text?: string;
}

export interface SearchHit {
  seq: number;
  conversation: string;
  from: string;
  ts: number;
  text: string;
}

export interface SearchQuery {
  /** Words, optionally with `from:NAME` and `in:CONVERSATION` (`in:#lab-3`, `in:bob`, `in:everyone`). */
  text: string;
  from?: string;
  conversation?: string;
  limit?: number;
}

interface Indexed {
  id: number;
  text: string;
  from: string;
}

/** Folds case and accents so "Résumé" finds "resume". */
function foldTerm(term: string): string | null {
  const folded = term.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  return folded.length > 0 ? folded : null;
}

export class MessageSearch {
  private readonly messages = new Map<number, SearchHit>();
  private readonly index = new MiniSearch<Indexed>({
    fields: ['text'],
    idField: 'id',
    processTerm: foldTerm,
  });

  constructor(private readonly maxMessages = DEFAULT_SEARCH_MESSAGES) {
    if (!Number.isInteger(maxMessages) || maxMessages < 1) throw new RangeError(`maxMessages must be a positive integer, not ${maxMessages}`);
  }

  get size(): number {
    return this.messages.size;
  }

  /** Adds a message, or replaces the copy with the same seq (an edit, or history loaded again). Messages without text are not searchable. */
  add(message: SearchableMessage): void {
    if (message.text === undefined || message.text.trim() === '') {
      this.remove(message.seq);
      return;
    }
    if (this.messages.has(message.seq)) this.index.discard(message.seq);
    const hit: SearchHit = { seq: message.seq, conversation: message.conversation, from: message.from, ts: message.ts, text: message.text };
    this.messages.set(message.seq, hit);
    this.index.add({ id: message.seq, text: message.text, from: message.from });
    if (this.messages.size > this.maxMessages * (1 + EVICT_SLACK)) this.evictOldest();
  }

  /** Forgets a message (deleted, or its conversation closed). */
  remove(seq: number): void {
    if (!this.messages.delete(seq)) return;
    this.index.discard(seq);
  }

  /** Newest first among equally good matches; at most `limit` (50). An empty query finds nothing. */
  search(query: SearchQuery): SearchHit[] {
    const parsed = parseQuery(query.text);
    const from = (query.from ?? parsed.from)?.toLowerCase();
    const conversation = query.conversation ?? parsed.conversation;
    if (parsed.words.length === 0) return [];
    const limit = Math.max(1, Math.min(query.limit ?? DEFAULT_RESULTS, 1000));
    const results = this.index.search(parsed.words.join(' '), {
      combineWith: 'AND',
      // Only the word being typed matches as a prefix ("hom" finds "homework"), from 3 letters:
      // a 1-2 letter prefix matches most of the vocabulary and costs more than it finds.
      prefix: (term, position, terms) => position === terms.length - 1 && term.length >= MIN_PREFIX,
      filter: (result) => {
        const hit = this.messages.get(result.id as number);
        return hit !== undefined && (from === undefined || hit.from === from) && (conversation === undefined || hit.conversation === conversation);
      },
    });
    results.sort((a, b) => b.score - a.score || (b.id as number) - (a.id as number));
    return results.slice(0, limit).map((result) => this.messages.get(result.id as number)!);
  }

  private evictOldest(): void {
    const seqs = [...this.messages.keys()].sort((a, b) => a - b);
    for (const seq of seqs.slice(0, seqs.length - this.maxMessages)) this.remove(seq);
  }
}

/** Splits `from:bob in:#lab homework` into filters and words; `in:everyone` (or `in:*`) is Everyone. */
export function parseQuery(text: string): { words: string[]; from?: string; conversation?: string } {
  const words: string[] = [];
  let from: string | undefined;
  let conversation: string | undefined;
  for (const token of text.trim().split(/\s+/u)) {
    const filter = /^(from|in):(.+)$/iu.exec(token);
    if (filter && filter[1].toLowerCase() === 'from') from = filter[2].replace(/^@/u, '').toLowerCase();
    else if (filter) conversation = conversationOf(filter[2]);
    else if (token !== '') words.push(token);
  }
  return { words, from, conversation };
}

function conversationOf(value: string): string {
  const lower = value.toLowerCase();
  if (lower === 'everyone' || lower === '*') return '*';
  return lower.replace(/^@/u, '');
}
