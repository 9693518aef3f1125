/**
 * The addresses a client may connect to: one server, or several nodes sharing one store
 * (issue 20). A lost connection reconnects to the next address, so when a node dies its clients
 * move to another (the store has everything any node acknowledged).
 */
export interface ServerAddress {
  host: string;
  port: number;
}

export class ServerList {
  private index = 0;
  readonly all: readonly ServerAddress[];

  constructor(first: ServerAddress, others: readonly ServerAddress[] = []) {
    const all = [first, ...others.filter((o) => o.host !== first.host || o.port !== first.port)];
    for (const { port } of all) if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`port must be 1-65535, not ${port}`);
    this.all = all;
  }

  get current(): ServerAddress {
    return this.all[this.index];
  }

  /** The address to try after `current` failed. */
  advance(): ServerAddress {
    this.index = (this.index + 1) % this.all.length;
    return this.current;
  }
}

/** "host:port,host:port" (a bare host takes `defaultPort`). */
export function parseServerList(text: string, defaultPort: number): ServerAddress[] {
  return text.split(',').map((part) => {
    const entry = part.trim();
    const match = /^(\[[^\]]+\]|[^:\s]+)(?::(\d+))?$/.exec(entry);
    if (!match) throw new RangeError(`"${entry}" is not host or host:port`);
    return { host: match[1].replace(/^\[|\]$/g, ''), port: match[2] === undefined ? defaultPort : Number(match[2]) };
  });
}
