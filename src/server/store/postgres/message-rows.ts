/**
 * StoredMessage ⇄ a row of classchat_messages: the routing fields as columns, the rest as one
 * JSON body. Reading a row back gives the message exactly as stored (no undefined fields).
 */
import type { StoredMessage } from '../store';

/** The columns every message query selects, in this order. */
export const MESSAGE_COLUMNS = 'seq, sender, client_id, recipient, ts, body';

export interface MessageRow {
  seq: string | number;
  sender: string;
  client_id: string;
  recipient: string;
  ts: string | number;
  /** node-postgres parses json columns. */
  body: Record<string, unknown>;
}

/** Everything of `message` that is not a column, as JSON (undefined fields left out). */
export function bodyOf(message: StoredMessage): string {
  const { seq: _seq, from: _from, id: _id, to: _to, ts: _ts, ...body } = message;
  return JSON.stringify(body);
}

export function rowToMessage(row: MessageRow): StoredMessage {
  // The body was written by bodyOf from a StoredMessage; nothing else writes it.
  return { ...(row.body as Partial<StoredMessage>), from: row.sender, id: row.client_id, to: row.recipient, ts: Number(row.ts), seq: Number(row.seq) };
}

/** The message without undefined fields: what reading it back gives. */
export function normalised<T extends object>(message: T): T {
  return JSON.parse(JSON.stringify(message)) as T;
}
