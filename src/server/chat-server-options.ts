/** What a ChatServer is configured with, and the shapes its collaborators share. */
import type { ErrorCode } from '../protocol/errors';
import type { Clock } from './clock';
import type { FileSpool } from './files/file-spool';
import type { Logger } from './logger';
import type { HeldLimits } from './held-limits';
import type { PresenceBatching } from './presence-batcher';
import type { RegistrationLimits } from './registration-gate';
import type { Store, StoredMessage } from './store/store';

export interface ChatServerOptions {
  store: Store;
  /** Needed to register a new name, when set. */
  joinCode?: string;
  /** Caps and rates for new names and join codes (defaults: DEFAULT_REGISTRATION_LIMITS). */
  registrations?: Partial<RegistrationLimits>;
  /** Accept the seed's line-oriented clients (default true). */
  plainText?: boolean;
  /** Messages per second per user and burst; false turns the limit off. */
  rateLimit?: { perSecond: number; burst: number } | false;
  maxConnectionsPerAddress?: number;
  /** Unsent bytes above which mailbox delivery pauses for a connection. */
  softQueueBytes?: number;
  /** Unsent bytes above which a connection is closed as a slow consumer (defaults: slow-consumers.ts). */
  hardQueueBytes?: number;
  /** A connection whose socket stays congested this long is closed as a slow consumer. */
  stallTimeoutMs?: number;
  /** Unsent bytes of all connections together above which the longest-congested is closed (default 256 MiB). */
  unsentBudgetBytes?: number;
  loginTimeoutMs?: number;
  /**
   * Messages waiting to be stored above which connections stop reading until half are stored
   * (default 4096): a flood waits in the kernel's socket buffers instead of on the heap.
   */
  maxPendingWrites?: number;
  /** Sessions one user may hold at once (devices); a login beyond it closes the oldest. */
  maxSessionsPerUser?: number;
  /** When presence changes wait for a batch (default: beyond 50,000 socket writes a second). */
  presenceBatching?: PresenceBatching;
  /** How long an unterminated plain-text chunk waits before it counts as a line. */
  plainIdleMs?: number;
  clock?: Clock;
  log?: Logger;
  /** Messages held for names nobody registered yet (defaults: held-messages.ts). */
  held?: Partial<HeldLimits>;
  /** Where offered files are kept; without it the server does not relay files. Opened by the caller. */
  files?: FileSpool;
  /** Serve TLS only, with this PEM certificate (chain) and key; plain TCP when absent. */
  tls?: { cert: string; key: string };
  /** TLS: a client that sends nothing this long gets `tls_required` (default 2 s). */
  tlsFirstByteTimeoutMs?: number;
  /** TLS: from the client's first byte to a finished handshake (default 10 s). */
  tlsHandshakeTimeoutMs?: number;
}

export interface RosterEntry {
  name: string;
  publicKey: string | null;
  ackedSeq: number;
  /** Set by the operator; absent for a student. */
  role?: 'teacher' | 'ta';
}

export type SubmitResult =
  | { ok: true; message: StoredMessage; duplicate: boolean }
  | { ok: false; code: ErrorCode; detail?: string };
