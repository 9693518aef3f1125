/**
 * What the v3 server tests share: a server whose store already gives names their roles, raw
 * clients that keep their identity across logins, and waits for the answer to a send or request.
 */
import type { Identity } from '../../src/crypto/identity';
import type { Role } from '../../src/protocol/room-frames';
import type { ServerFrameOf } from '../../src/protocol/frames';
import { RawClient } from './raw-client';
import { dataDirWithRoles, startTestServer, TestServer } from './test-server';

export const V3 = { v: 3 };

type ServerOptions = Parameters<typeof startTestServer>[0];
type Answer = ServerFrameOf<'sent'> | ServerFrameOf<'error'>;

export class V3Harness {
  server!: TestServer;
  readonly welcomes = new Map<string, ServerFrameOf<'welcome'>>();
  private readonly identities = new Map<string, Identity>();
  private readonly open: Array<{ close(): void }> = [];
  private next = 0;

  /** Starts a server (rate limits off) on `options.dataDir` or a new one, with these roles stored first. */
  async start(roles: Record<string, Role> = {}, options: ServerOptions = {}): Promise<TestServer> {
    const dataDir = Object.keys(roles).length > 0 ? await dataDirWithRoles(roles, options.dataDir) : options.dataDir;
    this.server = await startTestServer({ rateLimit: false, ...options, dataDir });
    return this.server;
  }

  /** Logs `name` in with the identity it had before (a new one the first time). */
  async login(name: string, extra: Record<string, unknown> = V3): Promise<RawClient> {
    const result = await RawClient.login(this.server.port, name, this.identities.get(name), extra);
    this.identities.set(name, result.identity);
    this.welcomes.set(name, result.welcome);
    return this.track(result.client);
  }

  identityOf(name: string): Identity | undefined {
    return this.identities.get(name);
  }

  /** Closes this client with the others at the end. */
  track<T extends { close(): void }>(client: T): T {
    this.open.push(client);
    return client;
  }

  /** Sends a message and waits for its `sent` or the error about it. */
  async send(client: RawClient, to: string, content: Record<string, unknown>): Promise<Answer> {
    const id = typeof content.id === 'string' ? content.id : `s${++this.next}`;
    client.send({ type: 'send', id, to, ...content });
    return client.waitFor(() => client.all('sent').find((f) => f.id === id) ?? client.all('error').find((f) => f.id === id), `the answer to ${id}`);
  }

  /** Sends a request with a fresh `rid` and waits for its `reply` frame or the error about it. */
  async request<T extends 'room' | 'done' | 'room_list' | 'room_members'>(
    client: RawClient,
    frame: Record<string, unknown>,
    reply: T,
  ): Promise<ServerFrameOf<T> | ServerFrameOf<'error'>> {
    const rid = `q${++this.next}`;
    client.send({ ...frame, rid });
    type Reply = ServerFrameOf<T> | ServerFrameOf<'error'>;
    const answered = (): Reply | undefined =>
      (client.all(reply).find((f) => (f as { rid?: string }).rid === rid) as ServerFrameOf<T> | undefined) ?? client.all('error').find((f) => f.rid === rid);
    return client.waitFor(answered, `the reply to ${String(frame.type)}`);
  }

  /** Closes every client, forgets identities, and closes the server (with `stop`, keeps its data dir). */
  async close(): Promise<void> {
    this.identities.clear();
    this.welcomes.clear();
    this.closeClients();
    await this.server?.close();
  }

  closeClients(): void {
    for (const client of this.open.splice(0)) client.close();
  }
}
