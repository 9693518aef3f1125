/**
 * The PostgreSQL store's writer of messages: appends queued while a commit is in flight go in
 * the next transaction together (group commit), each resolving once COMMIT returned (durable:
 * synchronous_commit). Several nodes may write at once: each transaction first locks the head
 * row, so seqs are taken and committed in one order across nodes and a reader that sees a seq
 * sees every lower one. Under that lock it catches up on other nodes' room events, finds earlier
 * copies of (from, id) exactly (a message without one may still be refused by its check), then
 * files mailbox rows, held messages, and the edits and deletes they make (message-revisions.ts)
 * in the same transaction.
 */
import { copiesToSender } from '../device-copies';
import type { Pool, PoolClient } from 'pg';
import { RoomBook, roomOf } from '../../rooms/room-book';
import { revisionsFor } from '../message-revisions';
import type { AppendCheck, AppendResult, NewMessage, StoredMessage } from '../store';
import { AppendRefusedError, NameInUseError } from '../store';
import { COMMITS_CHANNEL, commitPayload } from './node-bus';
import { bodyOf, MESSAGE_COLUMNS, MessageRow, rowToMessage } from './message-rows';

const EVERYONE = '*';

interface PendingAppend {
  message: NewMessage;
  check: AppendCheck | undefined;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** Rooms as their stored events leave them (only events change membership). */
export async function loadRoomBook(db: Pool | PoolClient): Promise<RoomBook> {
  const book = new RoomBook();
  await followRoomEvents(db, book, 0);
  return book;
}

/** Applies room events after `afterSeq` to `book`; returns the last seq applied (or afterSeq). */
async function followRoomEvents(db: Pool | PoolClient, book: RoomBook, afterSeq: number): Promise<number> {
  const { rows } = await db.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM classchat_messages WHERE event_kind IS NOT NULL AND recipient LIKE '#%' AND seq > $1 ORDER BY seq`,
    [afterSeq],
  );
  let last = afterSeq;
  for (const row of rows) {
    const message = rowToMessage(row);
    book.apply(message);
    last = message.seq;
  }
  return last;
}

export class MessageWriter {
  private queue: PendingAppend[] = [];
  private running: Promise<void> | undefined;
  /** Rooms up to `bookSeq`, applied ahead of each commit; a failed commit leaves it ahead of the database, so it is reloaded. */
  private book = new RoomBook();
  private bookSeq = 0;
  private bookStale = true;

  constructor(
    private readonly pool: Pool,
    /** This node's name, stored with each message it writes. */
    private readonly origin: string,
    private readonly log: (message: string) => void,
    /** Told of each committed batch's last seq. */
    private readonly committed: (seq: number) => void = () => {},
  ) {}

  /** Resolves once `message` is committed, or with the earlier copy when (from, id) was stored already. */
  /** `check` is asked under the head lock when no earlier copy is found; its refusal rejects with AppendRefusedError. */
  write(message: NewMessage, check?: AppendCheck): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, check, resolve, reject });
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
    let results: Array<AppendResult | Error>;
    try {
      client = await this.pool.connect();
      await client.query('BEGIN');
      results = await this.store(client, batch);
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
    this.committed(this.bookSeq);
    batch.forEach((pending, index) => {
      const result = results[index];
      if (result instanceof Error) pending.reject(result);
      else pending.resolve(result);
    });
  }

  /** Inside a transaction: inserts the batch's new messages and everything they change. */
  private async store(client: PoolClient, batch: PendingAppend[]): Promise<Array<AppendResult | Error>> {
    const messages = batch.map((pending) => pending.message);
    // Held until COMMIT: another node's batch waits here, and sees this one's rows after.
    const head = await client.query<{ seq: string }>('SELECT seq FROM classchat_head FOR UPDATE');
    let seq = Number(head.rows[0].seq);
    if (this.bookStale) {
      this.book = new RoomBook();
      this.bookSeq = 0;
      this.bookStale = false;
    }
    // Other nodes' room events since this node's last batch (all are below the head).
    this.bookSeq = await followRoomEvents(client, this.book, this.bookSeq);
    const earlier = await this.findStored(client, messages);
    const known = await this.findTargets(client, messages);
    const userNames = await this.registeredAmong(client, messages.flatMap((m) => (m.event?.kind === 'created' ? [roomOf(m.to) ?? ''] : [])));
    const fresh = new Map<number, StoredMessage>();
    const updates = new Map<number, StoredMessage>();
    const inStream = new Map<number, boolean>();
    const mailbox: Array<[string, number]> = [];
    const held: Array<[number, string]> = [];
    const ended: number[] = [];
    const results = batch.map(({ message: incoming, check }): AppendResult | Error => {
      const copy = earlier.get(`${incoming.from}\n${incoming.id}`);
      if (copy) return { message: copy, duplicate: true };
      const refused = check?.();
      if (refused) return new AppendRefusedError(refused.code, refused.detail);
      // Under the head lock the book holds every room, whichever node created it: one create wins.
      const created = incoming.event?.kind === 'created' ? roomOf(incoming.to) : undefined;
      if (created !== undefined && (this.book.has(created) || userNames.has(created))) return new NameInUseError(created);
      const message: StoredMessage = { ...incoming, seq: ++seq };
      fresh.set(message.seq, message);
      known.set(message.seq, message);
      const room = roomOf(message.to);
      if (room !== undefined) {
        inStream.set(message.seq, this.book.belongs(message));
        for (const name of this.book.apply(message) ?? []) mailbox.push([name, message.seq]);
      } else if (message.to !== EVERYONE && message.to !== message.from) {
        mailbox.push([message.to, message.seq]);
      }
      if (copiesToSender(message)) mailbox.push([message.from, message.seq]);
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
        `INSERT INTO classchat_messages (seq, sender, client_id, recipient, ts, body, in_stream, event_kind, origin)
         SELECT *, $9::text FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::json[], $7::boolean[], $8::text[])`,
        [
          rows.map((m) => m.seq),
          rows.map((m) => m.from),
          rows.map((m) => m.id),
          rows.map((m) => m.to),
          rows.map((m) => m.ts),
          rows.map(bodyOf),
          rows.map((m) => inStream.get(m.seq) ?? true),
          rows.map((m) => m.event?.kind ?? null),
          this.origin,
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
    if (fresh.size > 0) {
      await client.query('UPDATE classchat_head SET seq = $1', [seq]);
      // Delivered at COMMIT, in commit order, and not at all if it rolls back (node-bus.ts).
      await client.query('SELECT pg_notify($1, $2)', [COMMITS_CHANNEL, commitPayload(this.origin, seq)]);
    }
    this.bookSeq = seq;
    return results;
  }

  /** Which of `names` are registered users (putUser of a new name takes the head lock too). */
  private async registeredAmong(client: PoolClient, names: string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const { rows } = await client.query<{ name: string }>('SELECT name FROM classchat_users WHERE name = ANY($1::text[])', [names]);
    return new Set(rows.map((row) => row.name));
  }

  /** The stored copies of (from, id) pairs in the batch that were stored before. */
  private async findStored(client: PoolClient, messages: NewMessage[]): Promise<Map<string, StoredMessage>> {
    const { rows } = await client.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM classchat_messages m JOIN unnest($1::text[], $2::text[]) AS k(s, i) ON m.sender = k.s AND m.client_id = k.i`,
      [messages.map((m) => m.from), messages.map((m) => m.id)],
    );
    return new Map(rows.map((row) => [`${row.sender}\n${row.client_id}`, rowToMessage(row)]));
  }

  /** Stored messages that edits and deletes in the batch may revise: their targets and the targets' newest edits. */
  private async findTargets(client: PoolClient, messages: NewMessage[]): Promise<Map<number, StoredMessage>> {
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
