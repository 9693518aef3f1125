/**
 * Moderation requests of teachers and TAs (PROTOCOL.md 20.4): mute, unmute, exam mode, ban and
 * unban, each a `moderate` frame answered with `done` or an `error` carrying its rid, waited for
 * like the room requests (requests.ts).
 */
import { ClassChatError } from '../protocol/errors';
import type { HelloFrame } from '../protocol/frames';
import { LIMITS, ROOMS_VERSION } from '../protocol/limits';
import { checkName } from '../protocol/names';
import type { ModerateFrame } from '../protocol/room-frames';
import type { ClientLink } from './client-services';
import { ChatClientError } from './errors';
import { PendingRequests } from './requests';

export class Moderation {
  private readonly requests: PendingRequests<void>;
  private rolesListed = false;
  private version = 0;

  constructor(private readonly link: ClientLink) {
    this.requests = new PendingRequests(link.clock);
  }

  onHello(hello: HelloFrame): void {
    this.rolesListed = hello.features.includes('roles');
  }

  loggedIn(version: number): void {
    this.version = version;
  }

  /** Mutes a student everywhere for 1-10080 minutes. */
  mute(name: string, minutes: number): Promise<void> {
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > LIMITS.maxMuteMinutes) throw new ClassChatError('invalid_frame', `a mute lasts 1-${LIMITS.maxMuteMinutes} minutes, not ${minutes}`);
    const who = userName(name);
    return this.request((rid) => ({ type: 'moderate', rid, action: 'mute', name: who, minutes }));
  }

  unmute(name: string): Promise<void> {
    const who = userName(name);
    return this.request((rid) => ({ type: 'moderate', rid, action: 'unmute', name: who }));
  }

  /** Exam mode: Everyone accepts messages from teachers and TAs only while on. */
  setExamMode(on: boolean): Promise<void> {
    return this.request((rid) => ({ type: 'moderate', rid, action: 'read_only', on }));
  }

  ban(name: string): Promise<void> {
    const who = userName(name);
    return this.request((rid) => ({ type: 'moderate', rid, action: 'ban', name: who }));
  }

  unban(name: string): Promise<void> {
    const who = userName(name);
    return this.request((rid) => ({ type: 'moderate', rid, action: 'unban', name: who }));
  }

  /** A `done` frame; false when it answers no moderation request. */
  onDone(rid: string): boolean {
    return this.requests.resolve(rid, undefined);
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

  private request(frame: (rid: string) => ModerateFrame): Promise<void> {
    const link = this.link;
    link.checkOpen();
    if (!link.ready) throw new ChatClientError('not_connected', 'not connected to the server; try again once connected');
    if (this.version < ROOMS_VERSION || !this.rolesListed) throw new ClassChatError('unsupported_version', 'this server has no roles or moderation (it does not speak protocol v3)');
    return this.requests.start(link.requestTimeoutMs, 'moderation request', (rid) => link.send(frame(rid)));
  }
}

function userName(raw: string): string {
  const checked = checkName(raw);
  if (checked.ok) return checked.name;
  throw new ClassChatError('unknown_user', `there is no user "${raw.trim()}"`);
}
