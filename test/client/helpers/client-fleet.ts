/**
 * The clients of one integration test: one key store and one trust store per name, kept across
 * reconnects and restarts as a user's machine keeps them, and everything closed at the end.
 */
import { ChatClient, ChatClientOptions } from '../../../src/client';
import { KeyStore, MemoryKeyStore } from '../../../src/client/key-store';
import { MemoryTrustStore, TrustStore } from '../../../src/client/trust-store';
import type { ReceivedMessage } from '../../../src/client/types';

export class ClientFleet {
  readonly clients: ChatClient[] = [];
  readonly keys = new Map<string, KeyStore>();
  readonly trusts = new Map<string, TrustStore>();

  /** `port` is read at each new client: tests restart servers and proxies. */
  constructor(private readonly port: () => number) {}

  client(name: string, options: Partial<ChatClientOptions> = {}): ChatClient {
    if (!this.keys.has(name)) this.keys.set(name, new MemoryKeyStore());
    if (!this.trusts.has(name)) this.trusts.set(name, new MemoryTrustStore());
    const made = new ChatClient({
      host: '127.0.0.1',
      port: this.port(),
      name,
      keyStore: this.keys.get(name)!,
      trustStore: this.trusts.get(name)!,
      backoff: { initialMs: 20, maxMs: 200 },
      ...options,
    });
    made.on('error', () => undefined);
    this.clients.push(made);
    return made;
  }

  /** Connects `name` and waits until the fleet's other clients can address it (`heardOf`). */
  async online(name: string, options: Partial<ChatClientOptions> = {}): Promise<ChatClient> {
    const made = this.client(name, options);
    await made.connect();
    await this.heardOf(name);
    return made;
  }

  /**
   * Waits until every other connected client of the fleet has heard that `name` is online: the
   * server batches presence, and a user would likewise wait to see a newcomer listed.
   */
  async heardOf(name: string): Promise<void> {
    const others = this.clients.filter((client) => client.state === 'connected' && client.name !== name);
    const deadline = Date.now() + 10_000;
    while (!others.every((client) => client.roster.get(name)?.online)) {
      if (Date.now() > deadline) throw new Error(`the other clients did not hear that ${name} is online within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Logs `name` in on a new client and returns the messages that arrive before `synced` (its backlog). */
  async backlogAtLogin(name: string, options: Partial<ChatClientOptions> = {}): Promise<ReceivedMessage[]> {
    const made = this.client(name, options);
    const got = collect(made);
    const synced = new Promise<void>((resolve) => made.once('synced', () => resolve()));
    await made.connect();
    await synced;
    return got;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.close()));
  }
}

/** Collects every message `target` emits from now on. */
export function collect(target: ChatClient): ReceivedMessage[] {
  const messages: ReceivedMessage[] = [];
  target.on('message', (message) => messages.push(message));
  return messages;
}
