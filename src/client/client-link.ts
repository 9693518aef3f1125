/**
 * The ClientLink the parts write through: ReconnectingClient's logged-in connection, looked up at
 * each write, so a frame written while there is none is dropped (false) and its part resends it
 * after the next login, rather than reaching a connection that is not logged in.
 */
import type { ClientFrame } from '../protocol/frames';
import type { Clock } from './clock';
import type { ClientLink } from './client-services';
import type { Connection } from './connection';

/** What the link reads of the client. */
export interface LinkSource {
  readonly me: string;
  readonly clock: Clock;
  readonly requestTimeoutMs: number;
  /** The logged-in connection, if there is one. */
  current(): Connection | undefined;
  /** The client state is 'connected'. */
  connected(): boolean;
  checkOpen(): void;
}

export class ConnectionLink implements ClientLink {
  readonly me: string;
  readonly clock: Clock;
  readonly requestTimeoutMs: number;

  constructor(private readonly source: LinkSource) {
    this.me = source.me;
    this.clock = source.clock;
    this.requestTimeoutMs = source.requestTimeoutMs;
  }

  get ready(): boolean {
    return this.source.current() !== undefined;
  }

  get connected(): boolean {
    return this.source.connected();
  }

  get congested(): boolean {
    return this.source.current()?.congested ?? true;
  }

  send(frame: ClientFrame): boolean {
    const conn = this.source.current();
    conn?.write(frame);
    return conn !== undefined;
  }

  sendChunk(file: string, index: number, data: Uint8Array): boolean {
    const conn = this.source.current();
    conn?.writeChunk(file, index, data);
    return conn !== undefined;
  }

  checkOpen(): void {
    this.source.checkOpen();
  }
}
