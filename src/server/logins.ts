/**
 * Logins: checks a name and key against the roster (registering or binding the name when it is
 * free), opens a session for it, and tells classmates when a user comes online or goes offline.
 */
import type { RosterEntry } from './chat-server-options';
import type { Connection } from './connection';
import type { Logger } from './logger';
import type { Mailboxes } from './mailboxes';
import { ROOMS_VERSION } from '../protocol/limits';
import { legacyMessage } from './legacy-lines';
import { deviceMessageBytes, legacyCanShow } from './devices/device-lines';
import { frameLine, messageBytes, plainMessageLine } from './message-lines';
import type { StoredMessage } from './store/store';
import { plainNotice } from './plain-lines';
import type { PresenceBatcher } from './presence-batcher';
import type { RegistrationGate } from './registration-gate';
import type { Roster } from './roster';
import type { AuthResult, LoginDesk, StateSync } from './server-services';
import { Session, SessionKind } from './session';
import type { SessionRegistry } from './session-registry';
import type { Store } from './store/store';
import { NameInUseError, NameTakenError } from './store/store';

export interface LoginParts {
  store: Store;
  roster: Roster;
  sessions: SessionRegistry;
  mail: Mailboxes;
  registrations: RegistrationGate;
  presence: Pick<PresenceBatcher, 'changedUser'>;
  log: Logger;
  rooms: { isTaken(name: string): boolean };
  moderation: { isBanned(name: string): boolean };
  sync: StateSync;
  /** Whether a message is kept from a user who blocked its sender (blocks/blocks.ts). */
  blocks: { hides(recipient: string, message: StoredMessage): boolean };
  /** Sessions one user may hold at once (devices); a login beyond it closes the oldest. */
  maxSessionsPerUser: number;
}

export class Logins implements LoginDesk {
  constructor(private readonly parts: LoginParts) {}

  /**
   * Checks a login against the roster, registering or binding the name when it is free.
   * `publicKey` null is a plain-text user, who can never take a name bound to a key.
   */
  async authenticate(name: string, publicKey: string | null, joinCode: string | undefined, address: string): Promise<AuthResult> {
    const { roster, store, log } = this.parts;
    // A ban another node has just answered holds here too.
    if (this.parts.sync.shared) await this.parts.sync.caughtUp();
    const existing = roster.get(name);
    if (this.parts.moderation.isBanned(name)) return { ok: false, code: 'banned' };
    if (existing && existing.publicKey !== null) {
      return existing.publicKey === publicKey ? { ok: true, user: existing, registered: false } : { ok: false, code: 'name_taken' };
    }
    if (existing && publicKey === null) return { ok: true, user: existing, registered: false };
    if (!existing) {
      if (this.parts.rooms.isTaken(name)) return { ok: false, code: 'name_taken' };
      const refused = this.parts.registrations.admit(address, joinCode, roster.size);
      if (refused) return { ok: false, code: refused };
    }
    // Claim the name before awaiting the store, so a concurrent login cannot claim it too.
    const user: RosterEntry = existing ?? { name, publicKey, ackedSeq: store.headSeq() };
    const previousKey = user.publicKey;
    user.publicKey = publicKey;
    if (existing) this.endPlainSessions(name);
    roster.put(user);
    try {
      const stored = await store.putUser({ name, publicKey });
      // A new name starts where the store says: just before any messages held for it.
      user.ackedSeq = existing ? Math.max(user.ackedSeq, stored.ackedSeq) : stored.ackedSeq;
    } catch (error) {
      if (error instanceof NameTakenError) {
        // Another node bound the name a moment ago: this roster learns its owner's key.
        log.info(`${name} was registered on another node first; refused this login`);
        user.publicKey = error.owner.publicKey;
        user.ackedSeq = existing ? Math.max(user.ackedSeq, error.owner.ackedSeq) : error.owner.ackedSeq;
        roster.put(user);
        return { ok: false, code: 'name_taken' };
      }
      if (error instanceof NameInUseError) {
        log.info(`${name} is a room's name (created on another node); refused this login`);
        roster.remove(user);
        return { ok: false, code: 'name_taken' };
      }
      log.error(`could not store user ${name}: ${String(error)}`);
      if (existing) {
        user.publicKey = previousKey;
        roster.changed(user);
      } else roster.remove(user);
      return { ok: false, code: 'storage_failed' };
    }
    log.info(existing ? `bound a key to plain-text user ${name}` : `registered ${name}${publicKey ? '' : ' (plain text)'}`);
    return { ok: true, user, registered: true };
  }

  /**
   * Adds a session for `user` on `connection`. Several sessions of one user coexist; beyond
   * `maxSessionsPerUser` the oldest is closed with `bye replaced`.
   */
  startSession(connection: Connection, user: RosterEntry, kind: SessionKind, clientAckedSeq = 0, version: number = ROOMS_VERSION, device?: { id: string; cursor: number }): Session {
    const { store, sessions, mail, log } = this.parts;
    // A device resumes from its own cursor (PROTOCOL.md 22.6); everything else from the user's.
    const acked = Math.min(Math.max(device ? device.cursor : user.ackedSeq, clientAckedSeq), store.headSeq());
    if (!device) mail.advance(user, acked);
    const format = device
      ? (message: StoredMessage) => deviceMessageBytes(message, user.name, device.id, true)
      : kind === 'plain'
        ? plainMessageLine
        : version >= ROOMS_VERSION
          ? (message: StoredMessage) => (legacyCanShow(message) ? messageBytes(message) : undefined)
          : (message: StoredMessage) => legacyBytes(message, user.name);
    const blocks = this.parts.blocks;
    const session = new Session(user.name, kind, connection.transport, device ? acked : user.ackedSeq, store.headSeq(), store, {
      // A blocked sender's private message is skipped like a room key: acknowledged with the next.
      format: (message, missed) => (blocks.hides(user.name, message) ? undefined : format(message, missed)),
      onSynced: (seq) => {
        if (kind === 'json') connection.transport.write(frameLine({ type: 'synced', seq }));
      },
      ackOnFlush: kind === 'plain',
      onFlushedUpTo: (seq) => mail.acknowledge(session, seq),
    }, log);
    session.version = version;
    session.device = device?.id;
    connection.session = session;
    if (device) mail.devices?.acked(session, acked);
    const wasOnline = sessions.isOnlineHere(user.name);
    for (const evicted of sessions.add(session, this.parts.maxSessionsPerUser)) {
      evicted.closed = true;
      if (evicted.kind === 'plain') evicted.transport.end(plainNotice('You logged in from another connection. Goodbye.'));
      else evicted.transport.end(frameLine({ type: 'bye', reason: 'replaced' }));
    }
    log.info(`${user.name} logged in from ${connection.address} (${kind})`);
    if (!wasOnline) this.presenceChanged(user);
    return session;
  }

  /** A session's connection closed; `announce` false while the server shuts down. */
  ended(session: Session, announce: boolean): void {
    session.closed = true;
    if (!this.parts.sessions.remove(session)) return;
    this.parts.log.info(`${session.name} went offline`);
    const user = this.parts.roster.get(session.name);
    if (!user) return;
    if (announce) this.presenceChanged(user);
    else this.parts.roster.changed(user);
  }

  private presenceChanged(user: RosterEntry): void {
    this.parts.roster.changed(user);
    this.parts.presence.changedUser(user);
  }

  /** Closes every session of a user a teacher or TA just banned. */
  endBanned(name: string): void {
    for (const session of [...this.parts.sessions.forUser(name)]) {
      session.closed = true;
      if (session.kind === 'plain') session.transport.end(plainNotice('You have been banned from this server by a teacher. Goodbye.'));
      else session.transport.end(frameLine({ type: 'error', code: 'banned', message: 'This name is banned from the server.', fatal: true }));
    }
  }

  /** A key now owns the name: whoever holds it in plain text proved nothing and loses it. */
  private endPlainSessions(name: string): void {
    for (const session of this.parts.sessions.forUser(name)) {
      if (session.kind !== 'plain') continue;
      session.closed = true;
      session.transport.end(plainNotice(`${name} is now protected by a key: its owner logged in with the ClassChat app. Goodbye.`));
    }
  }
}

/** A message as a v1/v2 client reads it (legacy-lines.ts), as bytes; undefined to skip it. */
function legacyBytes(message: StoredMessage, recipient: string): Buffer | undefined {
  const shown = legacyCanShow(message) ? legacyMessage(message, recipient) : undefined;
  return shown && messageBytes(shown);
}
