/**
 * The server's moderation (PROTOCOL.md 20.4): whether a message may be stored now (mutes, exam
 * mode), whether a name may log in (bans), and the `moderate` frame from a teacher or TA, stored
 * as an event so it survives a restart.
 */
import { randomBytes } from 'node:crypto';
import type { ModerateFrame, Role } from '../../protocol/room-frames';
import { STAFF_ROLES } from '../../protocol/room-frames';
import { checkName, EVERYONE } from '../../protocol/names';
import type { Clock } from '../clock';
import type { Connection } from '../connection';
import { frameLine } from '../message-lines';
import type { Refusal } from '../rooms/rooms';
import type { MailDesk, ModerationDesk, Penalties } from '../server-services';
import type { StoredMessage } from '../store/store';
import { applyModeration, emptyModeration, ModerationState } from './moderation-state';

export interface ModerationRoster {
  has(name: string): boolean;
  roleOf(name: string): Role;
}

export class Moderation implements ModerationDesk {
  private state: ModerationState = emptyModeration();

  constructor(
    private readonly roster: ModerationRoster,
    private readonly clock: Clock,
    /** Closes every session of a user just banned. */
    private readonly endSessions: (name: string) => void,
  ) {}

  load(state: ModerationState): void {
    this.state = state;
  }

  isBanned(name: string): boolean {
    return this.state.banned.has(name);
  }

  get everyoneReadOnly(): boolean {
    return this.state.readOnly;
  }

  /** Why `from` may not send to `to` now, if they may not (events are never refused here). */
  checkSend(from: string, to: string): Refusal | undefined {
    if (STAFF_ROLES.has(this.roster.roleOf(from))) return undefined;
    const until = this.state.mutes.get(from);
    if (until !== undefined && until > this.clock.now()) return { code: 'muted', detail: `until ${new Date(until).toISOString().slice(0, 16).replace('T', ' ')} UTC` };
    if (to === EVERYONE && this.state.readOnly) return { code: 'read_only', detail: 'Everyone is read-only for now (exam mode)' };
    return undefined;
  }

  /** Applies a just-stored message (in seq order); a ban ends the user's sessions. */
  apply(message: StoredMessage): void {
    if (!applyModeration(this.state, message)) return;
    if (message.event?.kind === 'banned') for (const name of message.event.names) this.endSessions(name);
  }

  /** The `moderate` frame. */
  async handle(services: { mail: MailDesk; penalties: Penalties }, connection: Connection, frame: ModerateFrame): Promise<void> {
    const actor = connection.session!.name;
    const refuse = (refusal: Refusal) => {
      if (!services.penalties.penalise(connection, refusal.code)) connection.sendError(refusal.code, { rid: frame.rid, detail: refusal.detail });
    };
    if (!STAFF_ROLES.has(this.roster.roleOf(actor))) return refuse({ code: 'forbidden', detail: 'only a teacher or TA moderates' });
    let to = EVERYONE;
    let event;
    if (frame.action === 'read_only') {
      event = { kind: 'read_only' as const, names: [], on: frame.on };
    } else {
      const name = checkName(frame.name);
      if (!name.ok || !this.roster.has(name.name)) return refuse({ code: 'unknown_user', detail: frame.name.slice(0, 32) });
      if (STAFF_ROLES.has(this.roster.roleOf(name.name))) return refuse({ code: 'forbidden', detail: 'teachers and TAs cannot be moderated' });
      to = name.name;
      const kind = ({ mute: 'muted', unmute: 'unmuted', ban: 'banned', unban: 'unbanned' } as const)[frame.action];
      event = { kind, names: [name.name], ...(frame.action === 'mute' ? { until: this.clock.now() + frame.minutes * 60_000 } : {}) };
    }
    const result = await services.mail.submit(actor, { id: `e${randomBytes(12).toString('base64url')}`, to, event });
    if (!result.ok) return refuse(result);
    connection.transport.write(frameLine({ type: 'done', rid: frame.rid }));
  }
}
