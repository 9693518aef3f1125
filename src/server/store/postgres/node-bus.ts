/**
 * Cross-node delivery and presence on PostgreSQL's LISTEN/NOTIFY (the ClusterFeed of
 * PostgresStore). Each commit of messages notifies `classchat_commits` with its node and last
 * seq, in the same transaction, so notifications arrive in commit order and only for committed
 * rows; a node reads the other nodes' rows after its cursor up to that seq (through the pool, so
 * a node that must be current reads them at once: caughtUp). Presence changes go on
 * `classchat_presence`. If the listening connection drops, it reconnects and reads everything
 * it missed (presence changes missed meanwhile are lost until the users' next change; roles and
 * block lists are read again). Block list changes go on `classchat_blocks`, roles on
 * `classchat_roles`, both sent in the transaction that stores them.
 */
import { Client, type Pool } from 'pg';
import type { Role } from '../../../protocol/room-frames';
import type { ClusterFeed, ClusterHandlers, PresenceChange, StoredMessage } from '../store';
import { MESSAGE_COLUMNS, MessageRow, rowToMessage } from './message-rows';
import { NodeLiveness } from './node-liveness';

export const COMMITS_CHANNEL = 'classchat_commits';
const PRESENCE_CHANNEL = 'classchat_presence';
/** The operator set a role (PostgresStore.setRole): `{"name":…,"role":…}`. */
export const ROLES_CHANNEL = 'classchat_roles';
const ROLES: ReadonlySet<string> = new Set(['teacher', 'ta', 'student']);
/** A user blocked or unblocked someone (PostgresStore.setBlocked): `{"node":…,"blocker":…,"blocked":…,"on":…}`. */
export const BLOCKS_CHANNEL = 'classchat_blocks';
const PAGE = 1000;

export interface NodeBusOptions {
  url: string;
  node: string;
  log: (message: string) => void;
  /** The seq up to which this node has everything (read when the bus starts). */
  head: () => number;
  /** Tells the store another node committed up to seq. */
  heardOf: (seq: number) => void;
  /** The store's pool (for heartbeats and reading other nodes' rows), once open. */
  pool: () => Pool | undefined;
  /** How often this node stamps its heartbeat, and after how long without one a node counts as dead. */
  heartbeatMs: number;
  nodeTimeoutMs: number;
}

export class NodeBus implements ClusterFeed {
  private client: Client | undefined;
  private handlers: ClusterHandlers | undefined;
  private cursor = 0;
  /** Highest seq another node announced; reads catch up to it one at a time. */
  private wanted = 0;
  private reading: Promise<void> | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  /** One query at a time on the listening connection (pg deprecates overlapping ones). */
  private queries: Promise<unknown> = Promise.resolve();
  private liveness: NodeLiveness | undefined;
  private everConnected = false;

  constructor(private readonly options: NodeBusOptions) {}

  async start(handlers: ClusterHandlers): Promise<void> {
    this.handlers = handlers;
    this.cursor = this.options.head();
    await this.connect();
    this.send(PRESENCE_CHANNEL, JSON.stringify({ node: this.options.node, joined: true }));
    const { node, pool, heartbeatMs, nodeTimeoutMs, log } = this.options;
    this.liveness = new NodeLiveness({ node, pool, heartbeatMs, timeoutMs: nodeTimeoutMs, log, dead: (other) => handlers.left(other), resumed: () => handlers.resumed() });
    await this.liveness.start();
  }

  announce(change: PresenceChange): void {
    this.send(PRESENCE_CHANNEL, JSON.stringify({ node: this.options.node, ...change }));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.liveness?.stop();
    const client = this.client;
    if (client) await this.serially(() => client.query('SELECT pg_notify($1, $2)', [PRESENCE_CHANNEL, JSON.stringify({ node: this.options.node, left: true })])).catch(() => undefined);
    this.client = undefined;
    await this.reading?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    // Named, so an operator can tell the listening connection apart in pg_stat_activity.
    const client = new Client({ connectionString: this.options.url, connectionTimeoutMillis: 10_000, keepAlive: true, application_name: `classchat-bus-${this.options.node}`.slice(0, 63) });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (note) => this.heard(note.channel, note.payload ?? ''));
    await client.connect();
    await client.query(`LISTEN ${COMMITS_CHANNEL}`);
    await client.query(`LISTEN ${PRESENCE_CHANNEL}`);
    await client.query(`LISTEN ${ROLES_CHANNEL}`);
    await client.query(`LISTEN ${BLOCKS_CHANNEL}`);
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.client = client;
    if (reconnected) this.handlers?.missedNotes();
    // Whatever was committed while this node was not listening.
    const { rows } = await client.query<{ seq: string }>('SELECT seq FROM classchat_head');
    this.catchUp(Number(rows[0].seq));
  }

  private lost(client: Client, error: Error): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    this.options.log(`PostgreSQL node bus: connection lost (${error.message}); reconnecting`);
    client.end().catch(() => undefined);
    this.reconnectSoon();
  }

  private reconnectSoon(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect().catch((error: Error) => {
        this.options.log(`PostgreSQL node bus: cannot reconnect (${error.message}); retrying`);
        this.reconnectSoon();
      });
    }, 500);
  }

  private heard(channel: string, payload: string): void {
    if (channel === COMMITS_CHANNEL) {
      const [node, seq] = splitCommit(payload);
      if (node !== this.options.node) this.catchUp(seq);
      return;
    }
    let note: Partial<PresenceChange> & { node?: string; joined?: boolean; left?: boolean; role?: string; blocker?: string; blocked?: string; on?: boolean };
    try {
      note = JSON.parse(payload) as typeof note;
    } catch {
      return;
    }
    if (channel === ROLES_CHANNEL) {
      if (typeof note.name === 'string' && typeof note.role === 'string' && ROLES.has(note.role)) this.handlers?.role(note.name, note.role as Role);
      return;
    }
    if (!note.node || note.node === this.options.node || !this.handlers) return;
    if (channel === BLOCKS_CHANNEL) {
      if (typeof note.blocker === 'string' && typeof note.blocked === 'string' && typeof note.on === 'boolean') this.handlers.block(note.blocker, note.blocked, note.on);
      return;
    }
    if (note.joined) this.handlers.joined(note.node);
    else if (note.left) this.handlers.left(note.node);
    else if (typeof note.name === 'string') {
      this.handlers.presence(note.node, { name: note.name, publicKey: note.publicKey ?? null, online: note.online === true, ackedSeq: Number(note.ackedSeq) || 0 });
    }
  }

  /** Reads what other nodes committed up to `upTo` (default: the head now) and hands it on before it resolves with that seq. */
  async caughtUp(upTo?: number): Promise<number> {
    const pool = this.options.pool();
    if (!pool || this.stopped) return this.cursor;
    const target = upTo ?? Number((await pool.query<{ seq: string }>('SELECT seq FROM classchat_head')).rows[0].seq);
    this.catchUp(target);
    while (this.cursor < target && this.reading) await this.reading;
    return target;
  }

  /** Reads other nodes' messages up to `seq`, in order, one read at a time. */
  private catchUp(seq: number): void {
    if (seq > this.wanted) this.wanted = seq;
    this.reading ??= this.read().finally(() => (this.reading = undefined));
  }

  private async read(): Promise<void> {
    for (let pool = this.options.pool(); pool && this.cursor < this.wanted && !this.stopped; pool = this.options.pool()) {
      const upTo = this.wanted;
      let messages: StoredMessage[];
      try {
        const { rows } = await pool.query<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM classchat_messages WHERE seq > $1 AND seq <= $2 AND origin IS DISTINCT FROM $3 ORDER BY seq LIMIT ${PAGE}`,
          [this.cursor, upTo, this.options.node],
        );
        messages = rows.map(rowToMessage);
      } catch (error) {
        // PostgreSQL is unreachable: the next notification, reconnection or caughtUp reads from the cursor.
        this.options.log(`PostgreSQL node bus: could not read other nodes' messages: ${String(error)}`);
        return;
      }
      this.cursor = messages.length === PAGE ? messages[PAGE - 1].seq : upTo;
      this.options.heardOf(this.cursor);
      if (messages.length > 0) this.handlers?.messages(messages);
    }
  }

  private send(channel: string, payload: string): void {
    const client = this.client;
    if (!client) return;
    this.serially(() => client.query('SELECT pg_notify($1, $2)', [channel, payload])).catch((error: Error) => this.options.log(`PostgreSQL node bus: could not notify (${error.message})`));
  }

  private serially<T>(query: () => Promise<T>): Promise<T> {
    const result = this.queries.then(query, query);
    this.queries = result.catch(() => undefined);
    return result;
  }
}

/** `seq:node` as the writer sends it (node names may hold colons). */
export function commitPayload(node: string, seq: number): string {
  return `${seq}:${node}`;
}

function splitCommit(payload: string): [string, number] {
  const colon = payload.indexOf(':');
  return [payload.slice(colon + 1), Number(payload.slice(0, colon))];
}
