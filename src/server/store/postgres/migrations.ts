/**
 * The PostgreSQL store's schema, as numbered migrations applied in order on start, each once,
 * all in one transaction with the version recorded in `classchat_schema_version`. Later steps
 * append migrations here; an applied one is never edited.
 *
 * The layout is meant for several nodes on one database (issue 20): seqs come from one
 * server-wide head row (migration 2), (sender, client_id) is unique so dedupe holds across nodes, and each
 * private or room message has a mailbox row per recipient (messages to everyone have none: every
 * user reads them by seq).
 */
import type { PoolClient } from 'pg';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'users, messages, mailboxes, held messages, roles',
    sql: `
      CREATE SEQUENCE classchat_seq AS bigint;
      CREATE TABLE classchat_users (
        name text PRIMARY KEY,
        public_key text,
        acked_seq bigint NOT NULL,
        history_since bigint NOT NULL DEFAULT 0,
        registered timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE classchat_messages (
        seq bigint PRIMARY KEY,
        sender text NOT NULL,
        client_id text NOT NULL,
        recipient text NOT NULL,
        ts bigint NOT NULL,
        -- Everything else of the message (text, box, file, event, ref, edited, deleted...).
        -- json, not jsonb: text may hold U+0000, which jsonb refuses.
        body json NOT NULL,
        -- In its conversation's history: false for a room message its sender sent as they left.
        in_stream boolean NOT NULL,
        event_kind text,
        CONSTRAINT classchat_messages_dedupe UNIQUE (sender, client_id)
      );
      CREATE INDEX classchat_messages_by_recipient ON classchat_messages (recipient, seq);
      CREATE INDEX classchat_messages_by_pair ON classchat_messages (sender, recipient, seq);
      CREATE INDEX classchat_messages_events ON classchat_messages (seq) WHERE event_kind IS NOT NULL;
      CREATE TABLE classchat_mailbox (
        name text NOT NULL,
        seq bigint NOT NULL REFERENCES classchat_messages (seq),
        PRIMARY KEY (name, seq)
      );
      -- Held messages (PROTOCOL.md 20.7) until their name registers or an undelivered event ends them.
      CREATE TABLE classchat_held (
        seq bigint PRIMARY KEY REFERENCES classchat_messages (seq),
        name text NOT NULL
      );
      CREATE INDEX classchat_held_by_name ON classchat_held (name, seq);
      CREATE TABLE classchat_roles (
        name text PRIMARY KEY,
        role text NOT NULL CHECK (role IN ('teacher', 'ta'))
      );
    `,
  },
  {
    version: 2,
    description: 'several nodes: seqs from a locked head row, the node that stored each message',
    sql: `
      -- One row: its row lock, held from taking seqs to COMMIT, makes commit order seq order
      -- across nodes, and a rolled-back batch gives its seqs back (no gaps).
      CREATE TABLE classchat_head (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        seq bigint NOT NULL
      );
      INSERT INTO classchat_head (seq) SELECT GREATEST(
        (SELECT COALESCE(max(seq), 0) FROM classchat_messages),
        (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM classchat_seq));
      DROP SEQUENCE classchat_seq;
      -- Which node stored it: a node skips its own messages in the cross-node feed.
      ALTER TABLE classchat_messages ADD COLUMN origin text;
    `,
  },
  {
    version: 3,
    description: 'linked devices: signed device lists, removed devices, recovery boxes, per-device cursors',
    sql: `
      CREATE TABLE classchat_devices (
        name text PRIMARY KEY REFERENCES classchat_users (name) ON DELETE CASCADE,
        list json NOT NULL,
        removed json NOT NULL,
        recovery json
      );
      CREATE TABLE classchat_device_cursors (
        name text NOT NULL REFERENCES classchat_devices (name) ON DELETE CASCADE,
        device text NOT NULL,
        acked_seq bigint NOT NULL,
        PRIMARY KEY (name, device)
      );
    `,
  },
  {
    version: 4,
    description: 'node heartbeats: a killed node is counted dead and its users offline',
    sql: `
      -- Stamped with the database's clock by each node every few seconds (node-liveness.ts).
      CREATE TABLE classchat_nodes (
        node text PRIMARY KEY,
        seen timestamptz NOT NULL
      );
    `,
  },
  {
    version: 5,
    description: 'block lists (PROTOCOL.md 20.9)',
    sql: `
      CREATE TABLE classchat_blocks (
        blocker text NOT NULL,
        blocked text NOT NULL,
        PRIMARY KEY (blocker, blocked)
      );
    `,
  },
  {
    version: 6,
    description: 'earlier device lists: what a removed device sent before its removal stays readable (PROTOCOL.md 22.7)',
    sql: `
      ALTER TABLE classchat_devices ADD COLUMN past json NOT NULL DEFAULT '[]';
    `,
  },
];

/**
 * Brings the schema up to the newest migration. An advisory lock makes nodes starting together
 * take turns; a database newer than this build is refused rather than misread.
 */
export async function migrate(client: PoolClient, log: (message: string) => void, migrations: readonly Migration[] = MIGRATIONS): Promise<number> {
  await client.query('BEGIN');
  try {
    // Before anything exists to lock: two nodes creating the version table at once collide.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('classchat_schema_migration'))");
    await client.query('CREATE TABLE IF NOT EXISTS classchat_schema_version (version integer PRIMARY KEY, description text NOT NULL, applied timestamptz NOT NULL DEFAULT now())');
    await client.query('LOCK TABLE classchat_schema_version IN EXCLUSIVE MODE');
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM classchat_schema_version');
    const current = rows[0]?.version ?? 0;
    const newest = migrations.length > 0 ? migrations[migrations.length - 1].version : 0;
    if (current > newest) {
      throw new Error(`the database has ClassChat schema version ${current}, newer than this server knows (${newest}): upgrade the server`);
    }
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO classchat_schema_version (version, description) VALUES ($1, $2)', [migration.version, migration.description]);
      log(`PostgreSQL store: applied schema migration ${migration.version} (${migration.description})`);
    }
    await client.query('COMMIT');
    return newest;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
