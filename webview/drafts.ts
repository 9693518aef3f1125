/**
 * Unsent drafts, one per conversation, kept while the view is hidden (vscode.setState). In a Map:
 * conversation ids are classmates' names, and "__proto__" and "constructor" are valid names; as
 * keys of a plain object their drafts would read "[object Object]" or Object's source, and a
 * "__proto__" draft would never be kept (issue 14, item 14).
 */

/** Drafts as saved with the view's state: [conversation, draft] pairs. */
export type SavedDrafts = Array<[conversation: string, draft: string]>;

/** The drafts in saved state: pairs (this version) or an object (earlier versions); else none. */
export function savedDrafts(value: unknown): SavedDrafts {
  if (typeof value !== 'object' || value === null) return [];
  // Object.entries lists own keys only, so an earlier version's object yields nothing inherited.
  const entries: unknown[] = Array.isArray(value) ? value : Object.entries(value);
  return entries.filter((entry): entry is [string, string] => Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && typeof entry[1] === 'string');
}

export class Drafts {
  private readonly drafts: Map<string, string>;

  constructor(saved: SavedDrafts = []) {
    this.drafts = new Map(saved);
  }

  /** The draft for `conversation`, '' when there is none. */
  get(conversation: string): string {
    return this.drafts.get(conversation) ?? '';
  }

  /** Keeps `text` as the draft (an empty one is dropped). */
  set(conversation: string, text: string): void {
    if (text === '') this.drafts.delete(conversation);
    else this.drafts.set(conversation, text);
  }

  saved(): SavedDrafts {
    return [...this.drafts];
  }
}
