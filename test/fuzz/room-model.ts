/**
 * What the raw-protocol fuzz's model knows of rooms and moderation, and what it predicts the
 * server answers (PROTOCOL.md 20.2, 20.4): the outcome of each room request, moderate frame and
 * send, and the event a successful change stores. Pure, so a shrunk command list replays exactly.
 */
import type { ErrorCode } from '../../src/protocol/errors';
import { EVERYONE, ROOM_PREFIX } from '../../src/protocol/names';
import type { RoomKind } from '../../src/protocol/room-frames';
import type { ExpectedEvent } from './room-log';

export interface RoomState {
  kind: RoomKind;
  encrypted: boolean;
  owner: string;
  members: string[];
}

export interface WorldModel {
  /** The one teacher (every other user is a student). */
  teacher: string;
  rooms: Record<string, RoomState>;
  muted: string[];
  /** Everyone is read-only for students (exam mode). */
  readOnly: boolean;
}

export type RoomRequest =
  | { type: 'room_create'; room: string; kind: RoomKind; encrypted: boolean; members: string[] }
  | { type: 'room_join' | 'room_leave' | 'room_members'; room: string }
  | { type: 'room_add'; room: string; members: string[] }
  | { type: 'room_remove'; room: string; name: string }
  | { type: 'moderate'; action: 'mute'; name: string; minutes: number }
  | { type: 'moderate'; action: 'unmute'; name: string }
  | { type: 'moderate'; action: 'read_only'; on: boolean };

/** A refusal, or success with the event stored (none when nothing changes) and the model after. */
export type Prediction = { refused: ErrorCode } | { refused?: undefined; event?: ExpectedEvent; apply: (model: WorldModel) => void };

const isStaff = (model: Readonly<WorldModel>, name: string) => name === model.teacher;

function visible(model: Readonly<WorldModel>, room: string, viewer: string): RoomState | undefined {
  const found = model.rooms[room];
  return found && (found.kind === 'class' || found.members.includes(viewer) || isStaff(model, viewer)) ? found : undefined;
}

export function predictRequest(model: Readonly<WorldModel>, actor: string, request: RoomRequest): Prediction {
  const to = 'room' in request ? ROOM_PREFIX + request.room : EVERYONE;
  const change = (kind: ExpectedEvent['kind'], names: string[], apply: (model: WorldModel) => void, eventTo = to): Prediction => ({ event: { from: actor, to: eventTo, kind, names }, apply });
  const nothing: Prediction = { apply: () => undefined };
  if (request.type === 'moderate') {
    if (!isStaff(model, actor)) return { refused: 'forbidden' };
    if (request.action === 'read_only') return { event: { from: actor, to: EVERYONE, kind: 'read_only', names: [], on: request.on }, apply: (m) => void (m.readOnly = request.on) };
    if (isStaff(model, request.name)) return { refused: 'forbidden' };
    const name = request.name;
    if (request.action === 'mute') return change('muted', [name], (m) => void (m.muted = [...new Set([...m.muted, name])]), name);
    return change('unmuted', [name], (m) => void (m.muted = m.muted.filter((other) => other !== name)), name);
  }
  const room = request.room;
  if (request.type === 'room_create') {
    if (model.rooms[room]) return { refused: 'name_taken' };
    if (request.kind === 'class' && !isStaff(model, actor)) return { refused: 'forbidden' };
    if (!request.encrypted && !isStaff(model, actor)) return { refused: 'forbidden' };
    const names = [...new Set(request.members)].filter((name) => name !== actor);
    const state = { kind: request.kind, encrypted: request.encrypted, owner: actor, members: [actor, ...names] };
    return change('created', names, (m) => void (m.rooms[room] = state));
  }
  const found = visible(model, room, actor);
  if (!found) return { refused: 'unknown_room' };
  const member = found.members.includes(actor);
  const members = (apply: (members: string[]) => string[]) => (m: WorldModel) => void (m.rooms[room] = { ...m.rooms[room], members: apply(m.rooms[room].members) });
  switch (request.type) {
    case 'room_members':
      return nothing;
    case 'room_join':
      if (member) return nothing;
      if (found.kind !== 'class') return { refused: 'forbidden' };
      return change('joined', [], members((list) => [...list, actor]));
    case 'room_leave':
      if (!member) return nothing;
      return change('left', [], members((list) => list.filter((name) => name !== actor)));
    case 'room_add': {
      if (!(isStaff(model, actor) || (found.kind === 'group' && member))) return { refused: member ? 'forbidden' : 'not_member' };
      const fresh = [...new Set(request.members)].filter((name) => !found.members.includes(name));
      if (fresh.length === 0) return nothing;
      return change('added', fresh, members((list) => [...list, ...fresh]));
    }
    case 'room_remove': {
      if (!(isStaff(model, actor) || found.owner === actor)) return { refused: 'forbidden' };
      if (!found.members.includes(request.name)) return { refused: 'not_member' };
      if (isStaff(model, request.name) && !isStaff(model, actor)) return { refused: 'forbidden' };
      return change('removed', [request.name], members((list) => list.filter((name) => name !== request.name)));
    }
  }
}

/** What the server answers a send from `from` to `to` now: `sent`, or the refusal's code. */
export function predictSend(model: Readonly<WorldModel>, from: string, to: string): 'sent' | ErrorCode {
  if (!isStaff(model, from)) {
    if (model.muted.includes(from)) return 'muted';
    if (to === EVERYONE && model.readOnly) return 'read_only';
  }
  if (!to.startsWith(ROOM_PREFIX)) return 'sent';
  const found = visible(model, to.slice(ROOM_PREFIX.length), from);
  if (!found) return 'unknown_room';
  return found.members.includes(from) ? 'sent' : 'not_member';
}

/** Users whose writes a change can turn from accepted to refused (they are synced with a ping first). */
export function madeRiskier(model: Readonly<WorldModel>, actor: string, request: RoomRequest, names: readonly string[]): string[] {
  if (request.type === 'moderate') {
    if (request.action === 'mute') return [request.name];
    if (request.action === 'read_only' && request.on) return names.filter((name) => !isStaff(model, name));
    return [];
  }
  if (request.type === 'room_leave') return [actor];
  if (request.type === 'room_remove') return [request.name];
  return [];
}
