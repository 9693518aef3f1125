/**
 * The system under test of the ChatClient fuzz: a real server and, per user, a real ChatClient
 * (end-to-end encrypted private messages) reaching it through its own CutProxy, so a command can
 * cut that user's connection at any moment. The client library reconnects and resends on its own.
 */
import { ChatClient } from '../../src/client';
import type { KeyStore } from '../../src/client/key-store';
import type { TrustStore } from '../../src/client/trust-store';
import type { ReceivedMessage } from '../../src/client/types';
import { EVERYONE } from '../../src/protocol/names';
import { Signal } from '../helpers/signal';
import { startTestServer, TestServer } from '../helpers/test-server';
import { CutProxy } from '../client/helpers/proxy';
import { checkClientHistory, checkClientViews, ClientViews } from './client-refs';
import { DeliveryLedger } from './delivery-ledger';

const WAIT_MS = 8000;

export interface ClientUserStores {
  keys: KeyStore;
  trust: TrustStore;
}

export class ClientHarness {
  readonly ledger: DeliveryLedger;
  readonly clients = new Map<string, ChatClient | undefined>();
  /** What each running client shows (references applied): client-refs.ts. */
  readonly views = new ClientViews(() => this.signal.notify());
  /** Per user, the highest seq its last client showed: the app keeps it for the next client. */
  private readonly lastSeen = new Map<string, number>();
  /** Sends whose promise has not settled yet. */
  pending = 0;
  private readonly signal = new Signal();

  private constructor(
    readonly server: TestServer,
    readonly proxies: ReadonlyMap<string, CutProxy>,
    private readonly stores: ReadonlyMap<string, ClientUserStores>,
  ) {
    this.ledger = new DeliveryLedger([...stores.keys()], { annotationsApplied: true });
  }

  /** Keys and pins (`stores`) are kept across runs, as on each user's machine. */
  static async start(stores: ReadonlyMap<string, ClientUserStores>): Promise<ClientHarness> {
    const server = await startTestServer({ rateLimit: false, fileLimits: false });
    const proxies = new Map<string, CutProxy>();
    for (const name of stores.keys()) proxies.set(name, await CutProxy.start(server.port));
    const harness = new ClientHarness(server, proxies, stores);
    for (const name of stores.keys()) await harness.startClient(name);
    // Users registered just now: a client can address them once it has heard of them (presence is batched).
    await harness.checkPresence();
    return harness;
  }

  get names(): string[] {
    return [...this.stores.keys()];
  }

  async startClient(name: string): Promise<void> {
    const { keys, trust } = this.stores.get(name)!;
    const client = new ChatClient({
      host: '127.0.0.1',
      port: this.proxies.get(name)!.port,
      name,
      keyStore: keys,
      trustStore: trust,
      backoff: { initialMs: 10, maxMs: 100 },
      lastSeenSeq: this.lastSeen.get(name),
    });
    client.on('error', () => undefined);
    client.on('message', (message) => this.shown(name, message));
    client.on('state', () => this.signal.notify());
    client.on('presence', () => this.signal.notify());
    this.views.attach(name, client);
    this.clients.set(name, client);
    await client.connect();
  }

  /** Closes the client once it is connected, so it says bye with its acknowledgements. */
  async stopClient(name: string): Promise<void> {
    const client = this.need(name);
    await this.waitFor(() => (client.state === 'connected' ? true : undefined), `${name} connected before closing`);
    this.clients.set(name, undefined);
    await client.close();
    this.lastSeen.set(name, client.lastSeenSeq);
  }

  send(name: string, to: string, text: string): void {
    const client = this.need(name);
    const queued = client.queueText(to, text);
    this.ledger.written({ from: name, id: queued.id, to, text });
    this.pending++;
    queued.sent.then(
      (info) => {
        this.ledger.acknowledged(name, info.id, info.seq);
        if (this.clients.get(name) === client) this.views.own(name, { seq: info.seq, from: name, id: info.id, conversation: to, text });
      },
      () => undefined, // closed before `sent`: it may or may not arrive, at most once
    ).finally(() => {
      this.pending--;
      this.signal.notify();
    });
  }

  cut(name: string): void {
    this.proxies.get(name)!.cutAll();
  }

  async quiesce(): Promise<void> {
    await this.checkPresence();
    for (const name of this.names) if (!this.clients.get(name)) await this.startClient(name);
    await this.waitFor(() => (this.pending === 0 ? true : undefined), 'every send settled');
    await this.waitFor(() => (this.names.every((name) => this.ledger.missing(name).length === 0) ? true : undefined), 'every acknowledged message shown').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    this.ledger.finalCheck();
    await checkClientViews(this);
    await checkClientHistory(this);
    await this.checkPresence();
    this.ledger.assertClean();
  }

  /** Every running client's roster shows exactly the running clients online. */
  private async checkPresence(): Promise<void> {
    const running = this.names.filter((name) => this.clients.get(name)).sort();
    const view = (client: ChatClient) => [...client.roster].filter(([, entry]) => entry.online).map(([name]) => name).sort().join(',');
    try {
      await this.waitFor(() => (running.every((name) => this.clients.get(name)!.state === 'connected' && view(this.clients.get(name)!) === running.join(',')) ? true : undefined), 'presence');
    } catch {
      const views = running.map((name) => `${name} (${this.clients.get(name)!.state}) sees [${view(this.clients.get(name)!)}]`);
      this.ledger.violation(`presence did not converge: running [${running}], ${views.join('; ')}`);
    }
  }

  private shown(name: string, message: ReceivedMessage): void {
    const what = `${name} got ${message.from}/${message.id}`;
    // A deleted message comes without content (20.5): nothing is left to be encrypted or not.
    if (message.to !== EVERYONE && message.deleted === undefined && (!message.encrypted || message.decryptError !== undefined)) {
      this.ledger.violation(`${what}: a private message not shown as end-to-end encrypted (${message.decryptError ?? 'encrypted: false'})`);
    }
    this.ledger.delivered(name, { seq: message.seq, id: message.id, from: message.from, to: message.to, text: message.text, edited: message.edited, deleted: message.deleted });
    this.signal.notify();
  }

  client(name: string): ChatClient | undefined {
    return this.clients.get(name);
  }

  private need(name: string): ChatClient {
    const client = this.clients.get(name);
    if (!client) throw new Error(`${name} is not running`);
    return client;
  }

  waitFor<R>(probe: () => R | undefined, what: string): Promise<R> {
    return this.signal.waitFor(probe, () => what, WAIT_MS);
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client?.close()));
    for (const proxy of this.proxies.values()) await proxy.close();
    await this.server.close();
  }
}
