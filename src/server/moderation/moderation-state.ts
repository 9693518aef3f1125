/**
 * What moderation events leave in force (PROTOCOL.md 20.4): mutes with their end, bans, and
 * whether Everyone is read-only. Pure and applied in seq order, by the store (to keep it across
 * restarts and compactions) and by the server (to enforce it).
 */
import type { ChatEvent } from '../../protocol/room-frames';

export interface ModerationState {
  /** Muted users and until when (ms since the epoch). */
  mutes: Map<string, number>;
  banned: Set<string>;
  /** Everyone accepts messages from teachers and TAs only (exam mode). */
  readOnly: boolean;
}

export function emptyModeration(): ModerationState {
  return { mutes: new Map(), banned: new Set(), readOnly: false };
}

export function copyModeration(state: ModerationState): ModerationState {
  return { mutes: new Map(state.mutes), banned: new Set(state.banned), readOnly: state.readOnly };
}

const MODERATION_KINDS: ReadonlySet<string> = new Set(['muted', 'unmuted', 'read_only', 'banned', 'unbanned']);

export function isModerationEvent(event: ChatEvent | undefined): event is ChatEvent {
  return event !== undefined && MODERATION_KINDS.has(event.kind);
}

/** Applies one message; true when it was a moderation event. */
export function applyModeration(state: ModerationState, message: { event?: ChatEvent }): boolean {
  const event = message.event;
  if (!isModerationEvent(event)) return false;
  for (const name of event.names) {
    if (event.kind === 'muted' && event.until !== undefined) state.mutes.set(name, event.until);
    if (event.kind === 'unmuted') state.mutes.delete(name);
    if (event.kind === 'banned') state.banned.add(name);
    if (event.kind === 'unbanned') state.banned.delete(name);
  }
  if (event.kind === 'read_only') state.readOnly = event.on === true;
  return true;
}
