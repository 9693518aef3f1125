/**
 * The PostgreSQL store's only writer of messages: appends queued while a commit is in flight go
 * in the next transaction together (group commit), in seq order, each resolving once COMMIT
 * returned (durable: synchronous_commit). In the same transaction it files mailbox rows (room
 * recipients from its RoomBook), held messages, and the edits and deletes they make
 * (message-revisions.ts), and moves the server-wide sequence to the batch's last seq.
 */
import type { Pool, PoolClient } from 'pg';
import { RoomBook, roomOf } from '../../rooms/room-book';
import { revisionsFor } from '../message-revisions';
import type { AppendResult, StoredMessage } from '../store';
import { bodyOf, MESSAGE_COLUMNS, MessageRow, rowToMessage } from './message-rows';

const EVERYONE = '*';

interface PendingAppend {
  message: StoredMessage;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** Rooms as their stored events leave them (only events change membership). */
export async function loadRoomBook(db: Pool | PoolClient): Promise<RoomBook> {
  const { rows } = await db.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM classchat_messages WHERE event_kind IS NOT NULL AND recipient LIKE '#%' ORDER BY seq`);
  const book = new RoomBook();
  for (const row of rows) book.apply(rowToMessage(row));
  return book;
}

export class MessageWriter {
  private queue: PendingAppend[] = [];
  private running: Promise<void> | undefined;
  /** Applied ahead of each commit; a failed commit leaves it ahead of the database, so it is reloaded. */
  private book: RoomBook;
  private bookStale = false;

  constructor(
    private readonly pool: Pool,
    book: RoomBook,
    private readonly log: (message: string) => void,
  ) {
    this.book = book;
  }

  /** Resolves once `message` is committed, or with the earlier copy when (from, id) was stored already. */
  write(message: StoredMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      this.running ??= this.run();
    });
  }

  /** Resolves once nothing is queued or being committed. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async run(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commit(this.queue.splice(0));
    } finally {
      this.running = undefined;
    }
  }

  private async commit(batch: PendingAppend[]): Promise<void> {
    let client: PoolClient | undefined;
    let results: AppendResult[];
    try {
      client = await this.pool.connect();
      if (this.bookStale) {
        this.book = await loadRoomBook(client);
        this.bookStale = false;
      }
      await client.query('BEGIN');
      results = await this.store(client, batch.map((pending) => pending.message));
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      this.bookStale = true;
      if (client) {
        await client.query('ROLLBACK').catch(() => undefined);
        // A broken connection is not put back in the pool.
        client.release(error instanceof Error ? error : new Error(String(error)));
      }
      this.log(`PostgreSQL store: could not store ${batch.length} message(s): ${String(error)}`);
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, index) => pending.resolve(results[index]));
  }

  /** Inside a transaction: inserts the batch's new messages and everything they change. */
  private async store(client: PoolClient, messages: StoredMessage[]): Promise<AppendResult[]> {
    const earlier = await this.findStored(client, messages);
    const known = await this.findTargets(client, messages);
    const fresh = new Map<number, StoredMessage>();
    const updates = new Map<number, StoredMessage>();
    const inStream = new Map<number, boolean>();
    const mailbox: Array<[string, number]> = [];
    const held: Array<[number, string]> = [];
    const ended: number[] = [];
    const results = messages.map((message): AppendResult => {
      const copy = earlier.get(`${message.from}\n${message.id}`);
      if (copy) return { message: copy, duplicate: true };
      fresh.set(message.seq, message);
      known.set(message.seq, message);
      const room = roomOf(message.to);
      if (room !== undefined) {
        inStream.set(message.seq, this.book.belongs(message));
        for (const name of this.book.apply(message) ?? []) mailbox.push([name, message.seq]);
      } else if (message.to !== EVERYONE && message.to !== message.from) {
        mailbox.push([message.to, message.seq]);
      }
      if (message.held) held.push([message.seq, message.to]);
      if (message.event?.kind === 'undelivered' && message.event.seq !== undefined) ended.push(message.event.seq);
      for (const revised of revisionsFor(message, (seq) => known.get(seq))) {
        known.set(revised.seq, revised);
        if (fresh.has(revised.seq)) fresh.set(revised.seq, revised);
        else updates.set(revised.seq, revised);
      }
      return { message, duplicate: false };
    });
    if (fresh.size > 0) {
      const rows = [...fresh.values()];
      await client.query(
        `INSERT INTO classchat_messages (seq, sender, client_id, recipient, ts, body, in_stream, event_kind)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::json[], $7::boolean[], $8::text[])`,
        [
          rows.map((m) => m.seq),
          rows.map((m) => m.from),
          rows.map((m) => m.id),
          rows.map((m) => m.to),
          rows.map((m) => m.ts),
          rows.map(bodyOf),
          rows.map((m) => inStream.get(m.seq) ?? true),
          rows.map((m) => m.event?.kind ?? null),
        ],
      );
    }
    if (mailbox.length > 0) {
      await client.query('INSERT INTO classchat_mailbox (name, seq) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING', [mailbox.map(([name]) => name), mailbox.map(([, seq]) => seq)]);
    }
    if (held.length > 0) await client.query('INSERT INTO classchat_held (seq, name) SELECT * FROM unnest($1::bigint[], $2::text[])', [held.map(([seq]) => seq), held.map(([, name]) => name)]);
    if (ended.length > 0) await client.query('DELETE FROM classchat_held WHERE seq = ANY($1::bigint[])', [ended]);
    if (updates.size > 0) {
      const revised = [...updates.values()];
      await client.query('UPDATE classchat_messages m SET body = u.body FROM unnest($1::bigint[], $2::json[]) AS u(seq, body) WHERE m.seq = u.seq', [revised.map((m) => m.seq), revised.map(bodyOf)]);
    }
    // Seqs of duplicates found here were handed out too: the sequence covers them, so none is reused.
    await client.query('SELECT setval($1::regclass, GREATEST($2::bigint, (SELECT last_value FROM classchat_seq)))', ['classchat_seq', messages[messages.length - 1].seq]);
    return results;
  }

  /** The stored copies of (from, id) pairs in the batch that were stored before. */
  private async findStored(client: PoolClient, messages: StoredMessage[]): Promise<Map<string, StoredMessage>> {
    const { rows } = await client.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM classchat_messages m JOIN unnest($1::text[], $2::text[]) AS k(s, i) ON m.sender = k.s AND m.client_id = k.i`,
      [messages.map((m) => m.from), messages.map((m) => m.id)],
    );
    return new Map(rows.map((row) => [`${row.sender}\n${row.client_id}`, rowToMessage(row)]));
  }

  /** Stored messages that edits and deletes in the batch may revise: their targets and the targets' newest edits. */
  private async findTargets(client: PoolClient, messages: StoredMessage[]): Promise<Map<number, StoredMessage>> {
    const known = new Map<number, StoredMessage>();
    const wanted = messages.filter((m) => m.ref?.rel === 'edit' || m.ref?.rel === 'delete').map((m) => m.ref!.seq);
    if (wanted.length === 0) return known;
    const fetch = async (seqs: number[]) => {
      const { rows } = await client.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM classchat_messages WHERE seq = ANY($1::bigint[]) FOR UPDATE`, [seqs]);
      return rows.map(rowToMessage);
    };
    const targets = await fetch(wanted);
    for (const target of targets) known.set(target.seq, target);
    const edits = targets.flatMap((target) => (target.edited ? [target.edited.seq] : []));
    if (edits.length > 0) for (const edit of await fetch(edits)) known.set(edit.seq, edit);
    return known;
  }
}
