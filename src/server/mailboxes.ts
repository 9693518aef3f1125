/**
 * Delivery: rate-limits and checks a message, stores it durably, hands it to its recipients'
 * sessions, and moves each user's delivery cursor as their clients acknowledge.
 */
import { EVERYONE } from '../protocol/names';
import type { RosterEntry, SubmitResult } from './chat-server-options';
import type { Clock } from './clock';
import type { Logger } from './logger';
import type { PendingWrites } from './pending-writes';
import type { Roster } from './roster';
import type { MailDesk, StateSync, SubmitInput } from './server-services';
import type { Session } from './session';
import type { SessionRegistry } from './session-registry';
import type { AppendCheck, Store, StoredMessage, StoredRef } from './store/store';
import { AppendRefusedError, NameInUseError } from './store/store';
import { checkReference } from './references';
import { copiesToSender } from './store/device-copies';
import { TokenBucket } from './token-bucket';
import { roomOf } from './rooms/room-book';
import type { Refusal, Rooms } from './rooms/rooms';
import type { Moderation } from './moderation/moderation';
import type { HeldMessages } from './held-messages';
import type { DeliveryOrder } from './delivery-order';

export interface MailboxParts {
  store: Store;
  roster: Roster;
  sessions: SessionRegistry;
  pendingWrites: PendingWrites;
  clock: Clock;
  log: Logger;
  rooms: Rooms;
  moderation: Moderation;
  held: Pick<HeldMessages, 'mayHold'>;
  /** Other nodes sharing the store, if any (cluster-sync.ts). */
  sync: StateSync;
  /** Messages per second per user and burst; false turns the limit off. */
  rateLimit: { perSecond: number; burst: number } | false;
}

/** Refusals that rest on rooms or moderation: a message stored on another node before them is still a resend. */
const MAYBE_STALE: ReadonlySet<string> = new Set(['muted', 'read_only', 'unknown_room', 'not_member']);

export class Mailboxes implements MailDesk {
  private readonly rateBuckets = new Map<string, TokenBucket>();
  /** Set when other nodes share the store (cluster-link.ts). */
  order: DeliveryOrder | undefined;
  /** v4: where a device session's acks go (its own cursor, devices/devices.ts). */
  devices: { acked(session: Session, seq: number): void } | undefined;

  /** Refusals the store is asked to confirm (no copy stored by another node). */
  private readonly refusing = new WeakSet<Promise<SubmitResult>>();

  constructor(private readonly parts: MailboxParts) {}

  confirming(outcome: Promise<SubmitResult>): boolean {
    return this.refusing.has(outcome);
  }

  /** Rate-limits, checks and durably stores one message, then wakes its recipients. */
  submit(from: string, input: SubmitInput): SubmitResult | Promise<SubmitResult> {
    const { rateLimit, clock } = this.parts;
    if (rateLimit) {
      let bucket = this.rateBuckets.get(from);
      if (!bucket) {
        bucket = new TokenBucket(rateLimit.perSecond, rateLimit.burst, clock);
        this.rateBuckets.set(from, bucket);
      }
      if (!bucket.take()) return { ok: false, code: 'rate_limited' };
    }
    // A resend of a stored message gets its `sent` again, even after a mute or a removal since.
    const checked = input.event === undefined && !this.parts.store.hasMessage(from, input.id);
    const refused = this.refusal(from, input, checked);
    // Unless another node stored it before its client moved here without reading `sent`: the
    // writer looks for that copy first (a resend gets `sent` again), else refuses it.
    if (refused && checked && MAYBE_STALE.has(refused.code) && this.parts.sync.shared) {
      const confirmed = this.persist(from, input, () => refused);
      this.refusing.add(confirmed);
      return confirmed;
    }
    return this.accept(from, input, refused);
  }

  /** Why `input` may not be sent, as this node knows now. */
  private refusal(from: string, input: SubmitInput, checked: boolean): Refusal | undefined {
    const muted = checked ? this.parts.moderation.checkSend(from, input.to) : undefined;
    if (muted) return muted;
    const room = roomOf(input.to);
    if (input.to === EVERYONE) return input.box ? { code: 'invalid_frame', detail: 'messages to everyone carry text, not box' } : undefined;
    if (room !== undefined) {
      const refused = checked ? this.parts.rooms.checkSend(from, room, input) : undefined;
      if (refused) return refused;
      return input.hidden ? { code: 'invalid_frame', detail: 'a room key travels in a private message' } : undefined;
    }
    const recipient = this.parts.roster.get(input.to);
    if (!recipient) return this.mayHold(input) ? undefined : { code: 'unknown_user', detail: input.to };
    if (input.box && recipient.publicKey === null) return { code: 'no_key', detail: input.to };
    return undefined;
  }

  private mayHold(input: SubmitInput): boolean {
    return Boolean(input.hold) && !input.ref && input.text !== undefined && !input.file && !this.parts.rooms.isTaken(input.to);
  }

  private accept(from: string, input: SubmitInput, refused: Refusal | undefined): SubmitResult | Promise<SubmitResult> {
    if (refused) return { ok: false, ...refused };
    const toUnknown = input.to !== EVERYONE && roomOf(input.to) === undefined && !this.parts.roster.get(input.to);
    if (toUnknown) return this.hold(from, input);
    return input.ref ? this.persistReference(from, input) : this.persist(from, input);
  }

  /** A reply, edit, delete or reaction: stored once its target checks out (references.ts). */
  private async persistReference(from: string, input: SubmitInput): Promise<SubmitResult> {
    const checked = await checkReference(this.parts, from, input);
    if ('code' in checked) return { ok: false, ...checked };
    return this.persist(from, { ...input, ref: { ...input.ref!, author: checked.target.from } });
  }

  /** A message to a name nobody has registered: kept for its first login, within the sender's bound. */
  private async hold(from: string, input: SubmitInput): Promise<SubmitResult> {
    if (!(await this.parts.held.mayHold(from))) return { ok: false, code: 'unknown_user', detail: `${input.to} (you have too many messages waiting for names nobody registered)` };
    return this.persist(from, { ...input, held: true });
  }

  /** Stores the message durably, then wakes its recipients. */
  private persist(from: string, input: Omit<SubmitInput, 'ref'> & { held?: true; ref?: StoredRef }, check?: AppendCheck): Promise<SubmitResult> {
    const { store, clock, log, pendingWrites } = this.parts;
    const pending = store
      .append({
        from,
        id: input.id,
        to: input.to,
        ts: clock.now(),
        text: input.text,
        box: input.box,
        ...(input.plain ? { plain: true as const } : {}),
        ...(input.file ? { file: input.file } : {}),
        ...(input.event ? { event: input.event } : {}),
        ...(input.hidden ? { hidden: true as const } : {}),
        ...(input.ref ? { ref: input.ref } : {}),
        ...(input.held ? { held: true as const } : {}),
        ...(input.device !== undefined ? { device: input.device } : {}),
        ...(input.keys !== undefined ? { keys: input.keys } : {}),
      }, check)
      .then(
        (result): SubmitResult => {
          if (!result.duplicate) this.wake(result.message);
          return { ok: true, message: result.message, duplicate: result.duplicate };
        },
        (error): SubmitResult => {
          // Another node created a room or registered a user of this name a moment ago.
          if (error instanceof NameInUseError) return { ok: false, code: 'name_taken', detail: `#${error.room}` };
          if (error instanceof AppendRefusedError) return { ok: false, code: error.code, ...(error.detail !== undefined ? { detail: error.detail } : {}) };
          log.error(`could not store a message from ${from}: ${String(error)}`);
          return { ok: false, code: 'storage_failed' };
        },
      );
    pendingWrites.track(pending);
    return pending;
  }

  sessionsOf(name: string): readonly Session[] {
    return this.parts.sessions.forUser(name);
  }

  /** Records that the session's client has everything up to `seq` (never beyond what was sent). */
  acknowledge(session: Session, seq: number): void {
    const upTo = Math.min(seq, session.pushedUpTo);
    if (upTo <= session.ackedSeq) return;
    session.ackedSeq = upTo;
    if (session.device !== undefined) return this.devices?.acked(session, upTo);
    const user = this.parts.roster.get(session.name);
    // A plain-text session proves no key, so it never moves a key owner's delivery cursor.
    if (user && !(session.kind === 'plain' && user.publicKey !== null)) this.advance(user, upTo);
  }

  /** Moves `user`'s delivery cursor forward to `seq`, in memory and in the store. */
  advance(user: RosterEntry, seq: number): void {
    if (seq <= user.ackedSeq) return;
    user.ackedSeq = seq;
    this.parts.store.setAcked(user.name, seq).catch((error) => this.parts.log.error(`could not store ack of ${user.name}: ${String(error)}`));
  }

  /** This node stored `message`; with other nodes it is handed on in seq order with theirs. */
  private wake(message: StoredMessage): void {
    if (this.order) this.order.committed(message);
    else this.deliver(message, true);
  }

  /**
   * Applies a just-stored message (this node's or another's) to moderation and rooms and, with
   * `offer`, hands it to its recipients' sessions (the same mailbox rule as the store's).
   */
  deliver(message: StoredMessage, offer: boolean): void {
    const { sessions } = this.parts;
    if (message.event) this.parts.moderation.apply(message);
    if (roomOf(message.to) !== undefined) {
      const names = this.parts.rooms.recipients(message);
      if (offer) for (const name of names) for (const session of sessions.forUser(name)) session.offer(message);
      return;
    }
    if (!offer) return;
    if (message.to !== EVERYONE) {
      if (message.to !== message.from) for (const session of sessions.forUser(message.to)) session.offer(message);
      // v4: the sender's other devices get what one of them sent (their sessions skip the sending device's).
      if (copiesToSender(message)) for (const session of sessions.forUser(message.from)) session.offer(message);
      return;
    }
    sessions.forEach((session) => {
      if (session.name !== message.from) session.offer(message);
    });
  }
}
