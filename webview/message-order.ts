/**
 * Where a message goes in a conversation: by server seq, with messages not yet stored (no seq)
 * at the end in the order typed. Imports nothing: the host and the webview both use it, so
 * both sides agree on the order.
 */
export interface Ordered {
  seq?: number;
}

/** The index at which `message` is inserted to keep `messages` ordered. */
export function insertionIndex(messages: readonly Ordered[], message: Ordered): number {
  const key = message.seq ?? Infinity;
  let index = messages.length;
  while (index > 0 && (messages[index - 1].seq ?? Infinity) > key) index--;
  return index;
}
