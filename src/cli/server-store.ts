/**
 * Which store `classchat-server` runs on: the embedded log in --data-dir (the default), or
 * PostgreSQL when --store (or CLASSCHAT_DATABASE_URL) names a database. The PostgreSQL store,
 * and with it `pg`, is loaded only then: nothing else (the VS Code extension above all) loads it.
 */
import type { Store } from '../server/store/store';
import { LogStore } from '../server/store/log-store';
import { checkDatabaseUrl, describeDatabase } from '../server/store/postgres/database-url';
import { UsageError } from './options';

export const DATABASE_URL_VARIABLE = 'CLASSCHAT_DATABASE_URL';

export interface StoreChoice {
  /** A database URL, or undefined for the embedded store in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** With a database: after how long a silent node counts as dead (PostgresStoreOptions.nodeTimeoutMs). */
  nodeTimeoutMs?: number;
}

/** --store wins over the environment; an empty variable counts as unset. Refuses what names no database. */
export function chooseStore(storeOption: string | undefined, dataDir: string, env: NodeJS.ProcessEnv = process.env): StoreChoice {
  const fromEnv = env[DATABASE_URL_VARIABLE]?.trim() || undefined;
  const databaseUrl = storeOption ?? fromEnv;
  if (databaseUrl !== undefined) {
    const problem = checkDatabaseUrl(databaseUrl);
    if (problem) throw new UsageError(`${storeOption !== undefined ? '--store' : DATABASE_URL_VARIABLE} ${JSON.stringify(describeDatabase(databaseUrl))}: ${problem}`);
  }
  return { databaseUrl, dataDir };
}

/** Where the data is, for the banner and messages (no password). */
export function describeStore(choice: StoreChoice): string {
  return choice.databaseUrl ? `PostgreSQL ${describeDatabase(choice.databaseUrl)}` : choice.dataDir;
}

/** A new, unopened store for the choice. */
export async function createStore(choice: StoreChoice, log: (message: string) => void = () => {}): Promise<Store> {
  if (!choice.databaseUrl) return new LogStore({ dataDir: choice.dataDir, log });
  const { PostgresStore } = await import('../server/store/postgres/postgres-store');
  return new PostgresStore({ url: choice.databaseUrl, log, nodeTimeoutMs: choice.nodeTimeoutMs });
}
