/**
 * Which nodes sharing the database are alive (issue 20): each node stamps its row in
 * `classchat_nodes` with the database's clock every `heartbeatMs`, and a node whose stamp is
 * older than `timeoutMs` is taken for dead (killed, its machine gone, cut off from the database),
 * so the others show its users offline. A node that dies cleanly says so on the bus at once; this
 * bounds the time for one that cannot. The database's clock alone is compared, so nodes whose
 * clocks disagree still agree on who is silent.
 */
import type { Pool } from 'pg';

export interface NodeLivenessOptions {
  node: string;
  /** The store's pool, once it is open. */
  pool: () => Pool | undefined;
  heartbeatMs: number;
  timeoutMs: number;
  log: (message: string) => void;
  /** Another node fell silent: nobody is online there any more. */
  dead: (node: string) => void;
  /** This node was silent long enough for the others to count it dead: it tells them who is here again. */
  resumed: () => void;
  now?: () => number;
}

/** Rows of nodes silent this long are deleted (a node name is random per start by default). */
const FORGET_AFTER_SECONDS = 24 * 3600;

export class NodeLiveness {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private readonly counted = new Set<string>();
  private lastBeat: number | undefined;
  private failing = false;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: NodeLivenessOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Stamps this node's row now and then every heartbeat. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beating ??= this.beat().finally(() => (this.beating = undefined));
    }, this.options.heartbeatMs);
  }

  /** Stops stamping and removes this node's row (it is leaving, not dead). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    await this.options.pool()?.query('DELETE FROM classchat_nodes WHERE node = $1', [this.options.node]).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    const pool = this.options.pool();
    if (!pool || this.stopped) return;
    let rows: Array<{ node: string; silent: boolean }>;
    try {
      await pool.query('INSERT INTO classchat_nodes (node, seen) VALUES ($1, now()) ON CONFLICT (node) DO UPDATE SET seen = now()', [this.options.node]);
      ({ rows } = await pool.query<{ node: string; silent: boolean }>(
        'SELECT node, seen < now() - make_interval(secs => $2) AS silent FROM classchat_nodes WHERE node <> $1',
        [this.options.node, this.options.timeoutMs / 1000],
      ));
      await pool.query('DELETE FROM classchat_nodes WHERE seen < now() - make_interval(secs => $1)', [FORGET_AFTER_SECONDS]);
    } catch (error) {
      if (!this.failing) this.options.log(`PostgreSQL node liveness: cannot stamp this node (${error instanceof Error ? error.message : String(error)}); other nodes will count it dead until it can`);
      this.failing = true;
      return;
    }
    this.failing = false;
    const now = this.now();
    if (this.lastBeat !== undefined && now - this.lastBeat > this.options.timeoutMs && !this.stopped) this.options.resumed();
    this.lastBeat = now;
    for (const { node, silent } of rows) {
      if (silent && !this.counted.has(node)) {
        this.counted.add(node);
        this.options.log(`PostgreSQL node liveness: node ${node} has been silent for over ${this.options.timeoutMs / 1000}s; its users are offline`);
        this.options.dead(node);
      } else if (!silent) this.counted.delete(node);
    }
  }
}
