/**
 * PostgresStore: the Store on a PostgreSQL database (`classchat-server --store postgres://…`),
 * for a school that wants its messages in an engine it already runs and backs up. Several nodes
 * may share one database: seqs are taken in the commit under the head row's lock
 * (message-writer.ts), so they are server-wide and commit in order; dedupe is exact through
 * (sender, client_id) looked up under that lock, with recent ids also kept in memory so
 * `hasMessage` answers at once for this node's messages.
 * The server loads this module (and `pg`) only when --store names a database.
 */
import { KeyedQueue } from '../keyed-queue';
import { Pool, type PoolClient } from 'pg';
import { applyModeration, emptyModeration, type ModerationState } from '../../moderation/moderation-state';
import type { Room } from '../../rooms/room-book';
import { roomOf } from '../../rooms/room-book';
import type { Role } from '../../../protocol/room-frames';
import type { AppendCheck, AppendResult, DeviceRecord, HistoryQuery, NewMessage, Store, StoredMessage, UserRecord } from '../store';
import { NameInUseError, NameTakenError } from '../store';
import { listDeviceRecords, putDeviceRecord, setDeviceCursor } from './device-rows';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { loadRoomBook, MessageWriter } from './message-writer';
import { MESSAGE_COLUMNS, MessageRow, normalised, rowToMessage } from './message-rows';
import { migrate } from './migrations';
import { RecentIds } from './recent-ids';
import { BLOCKS_CHANNEL, NodeBus, ROLES_CHANNEL } from './node-bus';
import { inTransaction } from './transaction';
import { describeDatabase } from './database-url';

export interface PostgresStoreOptions {
  /** postgres://USER[:PASSWORD]@HOST[:PORT]/DB (anything node-postgres accepts). */
  url: string;
  log?: (message: string) => void;
  /** Connections to PostgreSQL at most (default 10). */
  poolSize?: number;
  /** (from, id) pairs kept in memory for `hasMessage` (default 100000); older ones are found by the database. */
  recentIds?: number;
  /** This node's name in the database (default: host, pid and a random suffix). */
  node?: string;
  /** A node silent this long is counted dead and its users offline (default 10000); it stamps a heartbeat every third of it. */
  nodeTimeoutMs?: number;
}

interface UserRow {
  name: string;
  public_key: string | null;
  acked_seq: string;
  history_since: string;
}

type State = 'new' | 'opening' | 'open' | 'closing' | 'closed';

export class PostgresStore implements Store {
  private readonly url: string;
  private readonly log: (message: string) => void;
  private readonly poolSize: number;
  private pool: Pool | undefined;
  private writer: MessageWriter | undefined;
  private state: State = 'new';
  /** This node's name, stored with the messages it writes. */
  readonly node: string;
  /** Highest seq this node knows committed (its own commits, and others' as it hears of them). */
  private knownHead = 0;
  private readonly recent: RecentIds;
  /** Other nodes' messages and presence (LISTEN/NOTIFY), started by the server. */
  readonly cluster: NodeBus;
  private readonly inFlight = new Map<string, Promise<AppendResult>>();
  /** putUser/deleteUser of one name run one at a time, each seeing the previous one's result. */
  private readonly userOps = new KeyedQueue();

  constructor(options: PostgresStoreOptions) {
    this.url = options.url;
    this.log = options.log ?? (() => {});
    this.poolSize = options.poolSize ?? 10;
    this.recent = new RecentIds(options.recentIds ?? 100_000);
    this.node = options.node ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    const nodeTimeoutMs = options.nodeTimeoutMs ?? 10_000;
    this.cluster = new NodeBus({
      url: this.url,
      node: this.node,
      log: this.log,
      head: () => this.knownHead,
      heardOf: (seq) => this.heardOf(seq),
      pool: () => this.pool,
      heartbeatMs: Math.max(100, Math.floor(nodeTimeoutMs / 3)),
      nodeTimeoutMs,
    });
  }

  async open(): Promise<void> {
    if (this.state !== 'new') throw new Error(`the store on ${this.where} was already opened`);
    this.state = 'opening';
    // Bounded waits: an unreachable database fails the operation (storage_failed), it does not hang it.
    const pool = new Pool({ connectionString: this.url, max: this.poolSize, connectionTimeoutMillis: 10_000, keepAlive: true });
    // An idle connection dropped by the server is reported here; the pool replaces it on next use.
    pool.on('error', (error) => this.log(`PostgreSQL store: connection lost (${error.message}); reconnecting on next use`));
    try {
      const client = await pool.connect();
      try {
        await migrate(client, this.log);
        this.knownHead = await readHead(client);
        const recent = await client.query<{ sender: string; client_id: string; seq: string }>('SELECT sender, client_id, seq FROM classchat_messages ORDER BY seq DESC LIMIT $1', [this.recent.capacity]);
        for (const row of recent.rows.reverse()) this.recent.add(row.sender, row.client_id, Number(row.seq));
        this.writer = new MessageWriter(pool, this.node, this.log, (seq) => this.heardOf(seq));
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      this.state = 'new';
      throw new Error(`cannot open the PostgreSQL store on ${this.where}: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.pool = pool;
    this.state = 'open';
  }

  async close(): Promise<void> {
    if (this.state !== 'open') throw new Error(`the store on ${this.where} is ${this.state === 'closed' || this.state === 'closing' ? 'already closed' : 'not open'}`);
    this.state = 'closing';
    try {
      await this.userOps.idle();
      await this.writer?.idle();
      await this.cluster.stop();
      await this.pool?.end();
    } finally {
      this.state = 'closed';
    }
  }

  /** The database, without any password: for messages and the banner. */
  get where(): string {
    return describeDatabase(this.url);
  }

  async listUsers(): Promise<UserRecord[]> {
    const { rows } = await this.db().query<UserRow>('SELECT name, public_key, acked_seq, history_since FROM classchat_users ORDER BY registered, name');
    return rows.map(toUser);
  }

  putUser(user: { name: string; publicKey: string | null }): Promise<UserRecord> {
    const pool = this.db();
    return this.userOps.run(user.name, async () => {
      // A new name's row cannot be locked before it exists: when another node inserts it first,
      // the INSERT below does nothing and the next try finds (and locks) that node's row.
      for (let attempt = 1; ; attempt++) {
        const stored = await this.putUserOnce(pool, user);
        if (stored) return stored;
        if (attempt === 3) throw new Error(`could not register ${user.name}: its row kept changing under other nodes`);
      }
    });
  }

  /** One transaction of putUser; undefined when another node registered the name meanwhile. */
  private async putUserOnce(pool: Pool, user: { name: string; publicKey: string | null }): Promise<UserRecord | undefined> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const found = await client.query<UserRow>('SELECT name, public_key, acked_seq, history_since FROM classchat_users WHERE name = $1 FOR UPDATE', [user.name]);
      const existing = found.rows[0] && toUser(found.rows[0]);
      if (existing && existing.publicKey === user.publicKey) {
        await client.query('COMMIT');
        return existing;
      }
      if (existing && existing.publicKey !== null) throw new NameTakenError(existing);
      // As Store.putUser: a plain-text user keeps its ack, a name taking a key starts afresh,
      // a new name just before its first held message.
      // A new name takes the head lock, as a room's creation does: a name is a user's or a room's, never both.
      let acked = await readHead(client, !existing);
      if (!existing) {
        const room = await client.query("SELECT 1 FROM classchat_messages WHERE recipient = '#' || $1 AND event_kind = 'created' LIMIT 1", [user.name]);
        if ((room.rowCount ?? 0) > 0) throw new NameInUseError(user.name);
      }
      if (existing && user.publicKey === null) acked = existing.ackedSeq;
      else if (!existing) {
        const first = await client.query<{ seq: string | null }>('SELECT min(seq) AS seq FROM classchat_held WHERE name = $1', [user.name]);
        if (first.rows[0].seq !== null) acked = Math.min(acked, Number(first.rows[0].seq) - 1);
      }
      const since = user.publicKey === null ? (existing?.historySince ?? 0) : acked;
      const stored = existing
        ? await client.query<UserRow>(
            'UPDATE classchat_users SET public_key = $2, acked_seq = GREATEST(acked_seq, $3), history_since = $4 WHERE name = $1 RETURNING name, public_key, acked_seq, history_since',
            [user.name, user.publicKey, acked, since],
          )
        : await client.query<UserRow>(
            `INSERT INTO classchat_users (name, public_key, acked_seq, history_since) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO NOTHING RETURNING name, public_key, acked_seq, history_since`,
            [user.name, user.publicKey, acked, since],
          );
      if (stored.rows.length === 0) {
        await client.query('ROLLBACK');
        return undefined;
      }
      // Its held messages are in its mailbox now (they are private messages to it).
      if (!existing) await client.query('DELETE FROM classchat_held WHERE name = $1', [user.name]);
      await client.query('COMMIT');
      return toUser(stored.rows[0]);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  deleteUser(name: string): Promise<boolean> {
    const pool = this.db();
    return this.userOps.run(name, async () => ((await pool.query('DELETE FROM classchat_users WHERE name = $1', [name])).rowCount ?? 0) > 0);
  }

  listDevices(): Promise<DeviceRecord[]> {
    return listDeviceRecords(this.db());
  }

  putDevices(record: DeviceRecord): Promise<void> {
    const pool = this.db();
    return this.userOps.run(record.name, () => putDeviceRecord(pool, record));
  }

  setDeviceAcked(name: string, device: string, seq: number): Promise<void> {
    return setDeviceCursor(this.db(), name, device, seq);
  }

  append(message: NewMessage, check?: AppendCheck): Promise<AppendResult> {
    let writer: MessageWriter;
    try {
      this.db();
      writer = this.writer!;
    } catch (error) {
      return Promise.reject(error);
    }
    const earlierSeq = this.recent.get(message.from, message.id);
    if (earlierSeq !== undefined) {
      return this.findBySeq(earlierSeq).then((earlier) => {
        if (!earlier) throw new Error(`message ${earlierSeq} is missing from the database`);
        return { message: earlier, duplicate: true };
      });
    }
    const key = `${message.from}\n${message.id}`;
    const inFlight = this.inFlight.get(key);
    if (inFlight) return inFlight.then((result) => ({ message: result.message, duplicate: true }));
    if (!Number.isSafeInteger(message.ts) || message.ts < 0) return Promise.reject(new Error('message cannot be stored: ts must be a whole number of milliseconds'));

    const result = writer.write(normalised(message), check);
    this.inFlight.set(key, result);
    result.then(
      (done) => {
        this.inFlight.delete(key);
        if (!done.duplicate) this.recent.add(message.from, message.id, done.message.seq);
      },
      () => this.inFlight.delete(key),
    );
    return result;
  }

  async readMailbox(name: string, afterSeq: number, limit: number): Promise<StoredMessage[]> {
    const { rows } = await this.db().query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM classchat_messages WHERE seq IN (
         (SELECT seq FROM classchat_mailbox WHERE name = $1 AND seq > $2 ORDER BY seq LIMIT $3)
         UNION ALL
         (SELECT seq FROM classchat_messages WHERE recipient = '*' AND sender <> $1 AND seq > $2 ORDER BY seq LIMIT $3)
       ) ORDER BY seq LIMIT $3`,
      [name, afterSeq, limit],
    );
    return rows.map(rowToMessage);
  }

  async findBySeq(seq: number): Promise<StoredMessage | undefined> {
    const { rows } = await this.db().query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM classchat_messages WHERE seq = $1`, [seq]);
    return rows[0] && rowToMessage(rows[0]);
  }

  async readHistory(query: HistoryQuery): Promise<{ messages: StoredMessage[]; more: boolean }> {
    const pool = this.db();
    const limit = Math.max(0, query.limit);
    const shared = query.with === '*' || roomOf(query.with) !== undefined;
    let since = query.after ?? 0;
    if (!shared) {
      const user = await pool.query<{ history_since: string }>('SELECT history_since FROM classchat_users WHERE name = $1', [query.viewer]);
      since = Math.max(since, Number(user.rows[0]?.history_since ?? 0));
    }
    const before = query.before ?? Number.MAX_SAFE_INTEGER;
    const { rows } = shared
      ? await pool.query<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM classchat_messages WHERE recipient = $1 AND in_stream AND seq > $2 AND seq < $3 ORDER BY seq DESC LIMIT $4`,
          [query.with, since, before, limit + 1],
        )
      : await pool.query<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM classchat_messages
           WHERE ((sender = $1 AND recipient = $2) OR (sender = $2 AND recipient = $1)) AND seq > $3 AND seq < $4 ORDER BY seq DESC LIMIT $5`,
          [query.viewer, query.with, since, before, limit + 1],
        );
    return { messages: rows.slice(0, limit).reverse().map(rowToMessage), more: rows.length > limit };
  }

  /** Never moves backwards, nor past the database's head. Durable when it resolves. */
  async setAcked(name: string, seq: number): Promise<void> {
    await this.db().query('UPDATE classchat_users SET acked_seq = LEAST($2, (SELECT seq FROM classchat_head)) WHERE name = $1 AND acked_seq < LEAST($2, (SELECT seq FROM classchat_head))', [name, seq]);
  }

  async listRoles(): Promise<Map<string, Role>> {
    const { rows } = await this.db().query<{ name: string; role: Role }>('SELECT name, role FROM classchat_roles ORDER BY name');
    return new Map(rows.map((row) => [row.name, row.role]));
  }

  /** Running nodes hear of it at COMMIT (node-bus.ts), so the operator need not stop them. */
  async setRole(name: string, role: Role): Promise<void> {
    await inTransaction(this.db(), async (client) => {
      if (role === 'student') await client.query('DELETE FROM classchat_roles WHERE name = $1', [name]);
      else await client.query('INSERT INTO classchat_roles (name, role) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET role = excluded.role', [name, role]);
      await client.query('SELECT pg_notify($1, $2)', [ROLES_CHANNEL, JSON.stringify({ name, role })]);
    });
  }


  async listBlocks(): Promise<Map<string, Set<string>>> {
    const { rows } = await this.db().query<{ blocker: string; blocked: string }>('SELECT blocker, blocked FROM classchat_blocks ORDER BY blocker, blocked');
    const blocks = new Map<string, Set<string>>();
    for (const row of rows) {
      let names = blocks.get(row.blocker);
      if (!names) blocks.set(row.blocker, (names = new Set()));
      names.add(row.blocked);
    }
    return blocks;
  }

  /** Other nodes hear of it at COMMIT (node-bus.ts) and filter deliveries from then on. */
  async setBlocked(blocker: string, blocked: string, on: boolean): Promise<void> {
    await inTransaction(this.db(), async (client) => {
      if (on) await client.query('INSERT INTO classchat_blocks (blocker, blocked) VALUES ($1, $2) ON CONFLICT DO NOTHING', [blocker, blocked]);
      else await client.query('DELETE FROM classchat_blocks WHERE blocker = $1 AND blocked = $2', [blocker, blocked]);
      await client.query('SELECT pg_notify($1, $2)', [BLOCKS_CHANNEL, JSON.stringify({ node: this.node, blocker, blocked, on })]);
    });
  }


  async listHeld(): Promise<StoredMessage[]> {
    const { rows } = await this.db().query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM classchat_messages WHERE seq IN (SELECT h.seq FROM classchat_held h WHERE NOT EXISTS (SELECT 1 FROM classchat_users u WHERE u.name = h.name)) ORDER BY seq`,
    );
    return rows.map(rowToMessage);
  }

  async moderation(): Promise<ModerationState> {
    const { rows } = await this.db().query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM classchat_messages WHERE event_kind IN ('muted', 'unmuted', 'read_only', 'banned', 'unbanned') ORDER BY seq`,
    );
    const state = emptyModeration();
    for (const row of rows) applyModeration(state, rowToMessage(row));
    return state;
  }

  async listRooms(): Promise<Room[]> {
    return [...(await loadRoomBook(this.db())).all()];
  }

  /** The highest seq this node knows committed: its own, and other nodes' once heard of (node-bus.ts). */
  headSeq(): number {
    return this.knownHead;
  }

  /** Another node committed up to `seq` (or this one did). */
  heardOf(seq: number): void {
    if (seq > this.knownHead) this.knownHead = seq;
  }

  /** Exact for this node's recent messages; another node's is found by append, under the head lock. */
  hasMessage(from: string, id: string): boolean {
    return this.recent.get(from, id) !== undefined || this.inFlight.has(`${from}\n${id}`);
  }

  private db(): Pool {
    if (this.state !== 'open' || !this.pool) throw new Error(`the store on ${this.where} is ${this.state === 'new' || this.state === 'opening' ? 'not open yet' : 'closed'}`);
    return this.pool;
  }

}

async function readHead(client: PoolClient, lock = false): Promise<number> {
  const { rows } = await client.query<{ seq: string }>(`SELECT seq FROM classchat_head${lock ? ' FOR UPDATE' : ''}`);
  return Number(rows[0].seq);
}

function toUser(row: UserRow): UserRecord {
  const since = Number(row.history_since);
  return { name: row.name, publicKey: row.public_key, ackedSeq: Number(row.acked_seq), ...(since ? { historySince: since } : {}) };
}
