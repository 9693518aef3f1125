/**
 * Blocking classmates (PROTOCOL.md 20.9): the list lives on the server, so every client of the
 * user shares it. This part asks for it after each login, keeps it up to date from `blocked`
 * frames (answers and news from the user's other sessions), and tells Conversations whose
 * messages to hide: the server stops their private messages, the client hides the rest
 * (Everyone, rooms, history).
 */
import { BLOCKS_FEATURE } from '../protocol/block-frames';
import { ClassChatError } from '../protocol/errors';
import type { HelloFrame, ServerFrameOf } from '../protocol/frames';
import { ROOMS_VERSION } from '../protocol/limits';
import { checkName } from '../protocol/names';
import type { ClientLink, Emit } from './client-services';
import { ChatClientError } from './errors';
import { PendingRequests } from './requests';

/** What ChatClient offers of blocking (ChatClient.blocks). */
export interface BlockControls {
  /** Whether this user blocked `name` (as last heard from the server). */
  has(name: string): boolean;
  /** The blocked names, sorted. */
  list(): string[];
  /** Blocks `name` on every device: resolves with the whole list once the server stored it. */
  block(name: string): Promise<string[]>;
  unblock(name: string): Promise<string[]>;
  /** Asks the server for the list again. */
  refresh(): Promise<string[]>;
}

export class Blocks implements BlockControls {
  private names = new Set<string>();
  private readonly requests: PendingRequests<string[]>;
  private listed = false;
  private served = false;

  constructor(
    private readonly link: ClientLink,
    private readonly emit: Emit<'blocked' | 'error'>,
  ) {
    this.requests = new PendingRequests(link.clock);
  }

  /** Whether this user blocked `name` (as last heard from the server). */
  has(name: string): boolean {
    return this.names.has(name);
  }

  /** The blocked names, sorted. */
  list(): string[] {
    return [...this.names].sort();
  }

  onHello(hello: HelloFrame): void {
    this.listed = hello.features.includes(BLOCKS_FEATURE);
  }

  /**
   * Logged in (called before any later frame): the server sends a non-empty list right after
   * the roster, before the backlog, so until then the list is empty (another device may have
   * emptied it meanwhile) and the backlog is filtered by the current list.
   */
  loggedIn(version: number): void {
    this.served = this.listed && version >= ROOMS_VERSION;
    this.replace([]);
  }

  /** Asks the server for the list again. */
  refresh(): Promise<string[]> {
    return this.request((rid) => ({ type: 'block_list', rid }));
  }

  /** Blocks `name`: resolves with the whole list once the server stored it. */
  block(name: string): Promise<string[]> {
    const who = userName(name);
    return this.request((rid) => ({ type: 'block', rid, name: who }));
  }

  unblock(name: string): Promise<string[]> {
    const who = userName(name);
    return this.request((rid) => ({ type: 'unblock', rid, name: who }));
  }

  /** A `blocked` frame: the answer to a request, or news of a change made on another session. */
  onFrame(frame: ServerFrameOf<'blocked'>): void {
    this.replace(frame.names);
    if (frame.rid !== undefined) this.requests.resolve(frame.rid, this.list());
  }

  claimRequestError(rid: string | undefined, error: ClassChatError): boolean {
    return this.requests.claimError(rid, error);
  }

  connectionLost(): void {
    this.requests.connectionLost();
  }

  shutdown(reason: Error): void {
    this.requests.rejectAll(reason);
  }

  private replace(names: readonly string[]): void {
    const next = new Set(names);
    if (next.size === this.names.size && [...next].every((name) => this.names.has(name))) return;
    this.names = next;
    this.emit('blocked', this.list());
  }

  private request(frame: (rid: string) => Parameters<ClientLink['send']>[0]): Promise<string[]> {
    const link = this.link;
    link.checkOpen();
    if (!link.ready) throw new ChatClientError('not_connected', 'not connected to the server; try again once connected');
    if (!this.served) throw new ClassChatError('unsupported_version', 'this server cannot block classmates (it is older than this client)');
    return this.requests.start(link.requestTimeoutMs, 'block request', (rid) => link.send(frame(rid)));
  }
}

function userName(raw: string): string {
  const checked = checkName(raw);
  if (checked.ok) return checked.name;
  throw new ClassChatError('unknown_user', `there is no user "${raw.trim()}"`);
}
