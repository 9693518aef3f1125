/**
 * What frame handlers may use of the server: narrow views of its parts, passed in. A handler
 * sees the roster, logins, mailboxes or files it works with, never the listener's sockets or
 * another handler, so `src/server` has no import circle and a test can fake any one part.
 */
import type { ErrorCode } from '../protocol/errors';
import type { ClientFrameOf, Box, FileRef, UserInfo } from '../protocol/frames';
import type { RosterEntry, SubmitResult } from './chat-server-options';
import type { Clock } from './clock';
import type { Connection } from './connection';
import type { Logger } from './logger';
import type { RosterPageSource } from './roster-json';
import type { Session, SessionKind } from './session';
import type { Store } from './store/store';
import type { ChatEvent } from '../protocol/room-frames';
import type { Rooms } from './rooms/rooms';
import type { MessageRef } from '../protocol/references';
import type { DeviceKeyBox } from './store/store';

/** Who is registered and who is online. */
export interface RosterView {
  get(name: string): RosterEntry | undefined;
  has(name: string): boolean;
  isOnline(name: string): boolean;
  /** Everyone, as others are told about them. */
  list(): UserInfo[];
  /** The roster as JSON pages in shared buffers (roster-json.ts). */
  pages(): Buffer[];
  /** The pages to stream to a v2 login, each read as it is written. */
  pageSources(): RosterPageSource[];
}

export type AuthResult = { ok: true; user: RosterEntry; registered: boolean } | { ok: false; code: ErrorCode };

/** Checking a login against the roster, and the sessions it opens. */
export interface LoginDesk {
  authenticate(name: string, publicKey: string | null, joinCode: string | undefined, address: string): Promise<AuthResult>;
  startSession(connection: Connection, user: RosterEntry, kind: SessionKind, clientAckedSeq?: number, version?: number, device?: { id: string; cursor: number }): Session;
}

export interface SubmitInput {
  id: string;
  to: string;
  text?: string;
  box?: Box;
  plain?: true;
  file?: FileRef;
  /** A room change (room-handlers.ts), checked by Rooms before it is submitted. */
  event?: ChatEvent;
  hidden?: true;
  /** v3: a reply, edit, delete or reaction (checked by references.ts). */
  ref?: MessageRef;
  /** The client understands held messages (v3, plain text): to a name nobody registered, hold it. */
  hold?: true;
  /** v4: the sending device and the body key sealed to every device (checked by Devices.checkKeys). */
  device?: string;
  keys?: DeviceKeyBox[];
}

/** Whether other nodes share the store, and bringing this node up to date with them (cluster-sync.ts). */
export interface StateSync {
  readonly shared: boolean;
  /** Resolves once this node applied every message committed before the call (bounded). */
  caughtUp(): Promise<void>;
  /** As caughtUp, sharing one read of the store among callers: for every message sent. */
  current(): Promise<void>;
  /** Resolves once this node applied `seq` and every lower one (bounded). */
  applied(seq: number): Promise<void>;
}

/** Storing messages, waking their recipients, and acknowledgements. */
export interface MailDesk {
  submit(from: string, input: SubmitInput): SubmitResult | Promise<SubmitResult>;
  /** Whether `outcome` is a refusal still being confirmed with a store other nodes share: answer it before reading on. */
  confirming(outcome: Promise<SubmitResult>): boolean;
  acknowledge(session: Session, seq: number): void;
  sessionsOf(name: string): readonly Session[];
}

/** The `moderate` frame (moderation/moderation.ts). */
export interface ModerationDesk {
  handle(services: { mail: MailDesk; penalties: Penalties }, connection: Connection, frame: ClientFrameOf<'moderate'>): Promise<void>;
}

/** The block frames and the block list sent at login (blocks/blocks.ts). */
export interface BlockDesk {
  /** A v3 login: its block list, if any, goes right after the roster, before the backlog. */
  greet(connection: Connection, session: Session): void;
  handle(penalties: Penalties, connection: Connection, frame: ClientFrameOf<'block' | 'unblock' | 'block_list'>): Promise<void> | void;
}

/** Counts an error against a connection; true when it was closed for abuse. */
export interface Penalties {
  penalise(connection: Connection, code?: ErrorCode): boolean;
}

/** The file frames (files/file-relay.ts). */
export interface FileDesk {
  offer(connection: Connection, frame: ClientFrameOf<'send'>, to: string): Promise<SubmitResult & { file?: string }>;
  chunk(connection: Connection, frame: ClientFrameOf<'file_chunk'>): void | Promise<void>;
  ack(connection: Connection, frame: ClientFrameOf<'file_ack'>): void | Promise<void>;
  get(connection: Connection, frame: ClientFrameOf<'file_get'>): void | Promise<void>;
  done(connection: Connection, frame: ClientFrameOf<'file_done'>): void | Promise<void>;
  cancel(connection: Connection, frame: ClientFrameOf<'file_cancel'>): void | Promise<void>;
  status(connection: Connection, frame: ClientFrameOf<'file_status'>): void | Promise<void>;
}

/** Everything the JSON and plain-text handlers are given. */
export interface HandlerServices {
  readonly log: Logger;
  readonly joinCode: string | undefined;
  readonly roster: RosterView;
  readonly logins: LoginDesk;
  readonly mail: MailDesk;
  readonly penalties: Penalties;
  readonly history: Pick<Store, 'readHistory'>;
  readonly rooms: Rooms;
  readonly moderation: ModerationDesk;
  readonly blocks: BlockDesk;
  /** Undefined when the server relays no files. */
  readonly files: FileDesk | undefined;
  /** v4 linked devices (devices/devices.ts). */
  readonly devices: DeviceDesk;
  /** Other nodes sharing the store, if any (cluster-sync.ts). */
  readonly sync: StateSync;
}

type Handles<T extends 'link_request' | 'link_nonce' | 'link_reveal' | 'link_approve' | 'link_cancel' | 'device_list_set' | 'device_leave' | 'recovery_set' | 'recovery_get'> = (
  connection: Connection,
  frame: ClientFrameOf<T>,
) => void | Promise<void>;

/** The v4 device frames and login (devices/devices.ts, devices/link-relay.ts). */
export interface DeviceDesk {
  login(services: { roster: RosterView; logins: LoginDesk }, connection: Connection, frame: ClientFrameOf<'login'>, name: string): Promise<void>;
  checkKeys(session: Session, to: string, keys: readonly DeviceKeyBox[]): { code: ErrorCode; detail?: string } | undefined;
  readonly links: { request: Handles<'link_request'>; nonce: Handles<'link_nonce'>; reveal: Handles<'link_reveal'>; approve: Handles<'link_approve'>; cancel: Handles<'link_cancel'> };
  setList: Handles<'device_list_set'>;
  leave: Handles<'device_leave'>;
  setRecovery: Handles<'recovery_set'>;
  getRecovery: Handles<'recovery_get'>;
}

/** What the file relay uses of the rest of the server. */
export interface FileRelayServices {
  readonly log: Logger;
  readonly clock: Clock;
  readonly roster: RosterView;
  readonly mail: MailDesk;
  readonly penalties: Penalties;
  /** Whether `recipient` blocked `sender`: their offers are not listed to the blocker. */
  readonly blocked?: (recipient: string, sender: string) => boolean;
}
