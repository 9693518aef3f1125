/**
 * Blocking (PROTOCOL.md 20.9): each user's block list, kept in the store so that it survives a
 * restart and every session of the user gets it; the delivery filter that keeps a blocked
 * person's private messages and file offers from the blocker (the sender is not told, as in
 * Signal); and the `block`, `unblock` and `block_list` frames.
 */
import type { ClientFrameOf } from '../../protocol/frames';
import { LIMITS, ROOMS_VERSION } from '../../protocol/limits';
import { checkName } from '../../protocol/names';
import { STAFF_ROLES, type Role } from '../../protocol/room-frames';
import type { Connection } from '../connection';
import type { Logger } from '../logger';
import { frameLine } from '../message-lines';
import type { Refusal } from '../rooms/rooms';
import type { Session } from '../session';
import type { BlockDesk, Penalties } from '../server-services';
import type { Store, StoredMessage } from '../store/store';
import { BlockLists } from './block-lists';

export interface BlockParts {
  store: Pick<Store, 'setBlocked'>;
  roster: { has(name: string): boolean; roleOf(name: string): Role };
  sessionsOf(name: string): readonly Session[];
  log: Logger;
}

export class Blocks implements BlockDesk {
  private lists = new BlockLists();

  constructor(private readonly parts: BlockParts) {}

  load(map: ReadonlyMap<string, ReadonlySet<string>>): void {
    this.lists = BlockLists.from(map);
  }

  /** A change made on another node (PostgreSQL nodes): in force here too, and this node's sessions of the blocker learn it. */
  changedElsewhere(blocker: string, blocked: string, on: boolean): void {
    if (this.lists.has(blocker, blocked) === on) return;
    this.lists.set(blocker, blocked, on);
    this.tellSessions(blocker);
  }

  /** The lists as the store has them now (changes from other nodes may have been missed). */
  reload(map: ReadonlyMap<string, ReadonlySet<string>>): void {
    const before = this.lists;
    this.lists = BlockLists.from(map);
    const users = new Set([...map.keys(), ...before.blockers()]);
    for (const user of users) {
      if (before.of(user).join('\n') !== this.lists.of(user).join('\n')) this.tellSessions(user);
    }
  }

  /** Whether `recipient` blocked `sender`. */
  blocked(recipient: string, sender: string): boolean {
    return this.lists.has(recipient, sender);
  }

  /**
   * Whether `message` is kept from `recipient`'s sessions: a private message or file offer from
   * someone they blocked. Room keys (hidden) still go: the blocker's client hides the room
   * messages, and could read them again after unblocking.
   */
  hides(recipient: string, message: StoredMessage): boolean {
    return message.to === recipient && message.event === undefined && !message.hidden && this.lists.has(recipient, message.from);
  }

  greet(connection: Connection, session: Session): void {
    if (session.version < ROOMS_VERSION) return;
    const names = this.lists.of(session.name);
    // Only users who blocked someone (so their clients know the frame) are sent one.
    if (names.length > 0) connection.transport.write(frameLine({ type: 'blocked', names }));
  }

  async handle(penalties: Penalties, connection: Connection, frame: ClientFrameOf<'block' | 'unblock' | 'block_list'>): Promise<void> {
    const me = connection.session!.name;
    if (frame.type === 'block_list') return this.answer(connection, frame.rid, me);
    const refuse = (refusal: Refusal) => {
      if (!penalties.penalise(connection, refusal.code)) connection.sendError(refusal.code, { rid: frame.rid, detail: refusal.detail });
    };
    const checked = checkName(frame.name);
    if (!checked.ok) return refuse({ code: 'unknown_user', detail: frame.name.slice(0, 32) });
    const name = checked.name;
    const on = frame.type === 'block';
    const already = this.lists.has(me, name);
    // A name reset by the operator can still be unblocked; any other unknown name is a typo.
    if (!this.parts.roster.has(name) && !already) return refuse({ code: 'unknown_user', detail: name });
    if (on === already) return this.answer(connection, frame.rid, me);
    if (on) {
      if (name === me) return refuse({ code: 'invalid_frame', detail: 'you cannot block yourself' });
      if (STAFF_ROLES.has(this.parts.roster.roleOf(name))) return refuse({ code: 'forbidden', detail: 'teachers and TAs cannot be blocked' });
      if (this.lists.of(me).length >= LIMITS.maxBlocked) return refuse({ code: 'too_many_blocks', detail: `at most ${LIMITS.maxBlocked} names` });
    }
    // In force at once (the next delivery is filtered), durable before it is answered.
    this.lists.set(me, name, on);
    try {
      await this.parts.store.setBlocked(me, name, on);
    } catch (error) {
      this.lists.set(me, name, !on);
      this.parts.log.error(`could not store ${me}'s ${frame.type} of ${name}: ${String(error)}`);
      return refuse({ code: 'storage_failed' });
    }
    this.parts.log.info(`${me} ${on ? 'blocked' : 'unblocked'} ${name}`);
    this.answer(connection, frame.rid, me);
    // The user's other sessions (another device, a terminal) learn the new list too.
    this.tellSessions(me, connection);
  }

  private tellSessions(user: string, except?: Connection): void {
    const news = frameLine({ type: 'blocked', names: this.lists.of(user) });
    for (const session of this.parts.sessionsOf(user)) {
      if (session.transport !== except?.transport && session.kind === 'json' && session.version >= ROOMS_VERSION && !session.closed) session.transport.write(news);
    }
  }

  private answer(connection: Connection, rid: string, me: string): void {
    connection.transport.write(frameLine({ type: 'blocked', rid, names: this.lists.of(me) }));
  }
}
