/** What the room commands and `#room message` typed in the interactive client mean (PROTOCOL.md 20.2). */
import { checkName, checkRoomName, ROOM_PREFIX } from '../protocol/names';

export type RoomCommand =
  | { kind: 'rooms' }
  | { kind: 'create'; room: string; members: string[]; classRoom: boolean; encrypted: boolean; readOnly: boolean }
  | { kind: 'join'; room: string }
  | { kind: 'leave'; room: string }
  | { kind: 'add'; room: string; members: string[] }
  | { kind: 'remove'; room: string; member: string }
  | { kind: 'members'; room: string };

/** A room command, or why the line is not one. */
export type ParsedRoomCommand = { kind: 'room'; command: RoomCommand } | { kind: 'invalid'; message: string };

export const ROOM_HELP = `Rooms (#name; group rooms are end-to-end encrypted, only their members read them):
  #lab-3 hi        send "hi" to the room lab-3 (@all #text sends a line starting with # to everyone)
  /rooms           your rooms, and the class rooms you can join
  /create lab-3 bob carol
                   make a group room with bob and carol (end-to-end encrypted)
  /create section-a --class [--clear] [--read-only]
                   teachers: a class room every student can join; --clear: not encrypted (the
                   server can read it); --read-only: only teachers and TAs write in it
  /join section-a  join a class room          /leave lab-3     leave a room
  /add lab-3 dave  add members                /remove lab-3 dave  remove a member
  /members lab-3   who is in a room`;

const USAGE: Record<Exclude<RoomCommand['kind'], 'rooms'>, string> = {
  create: 'usage: /create ROOM [MEMBER...] [--class] [--clear] [--read-only]',
  join: 'usage: /join ROOM',
  leave: 'usage: /leave ROOM',
  add: 'usage: /add ROOM MEMBER [MEMBER...]',
  remove: 'usage: /remove ROOM MEMBER',
  members: 'usage: /members ROOM',
};

/** The room command `/name args…`, or undefined when `name` is not one. */
export function parseRoomCommand(name: string, args: readonly string[]): ParsedRoomCommand | undefined {
  switch (name) {
    case 'rooms':
      return args.length === 0 ? { kind: 'room', command: { kind: 'rooms' } } : invalid('/rooms takes no arguments');
    case 'create':
      return create(args);
    case 'join':
    case 'leave':
    case 'members': {
      if (args.length !== 1) return invalid(USAGE[name]);
      const room = roomArgument(args[0], USAGE[name]);
      return typeof room === 'string' ? { kind: 'room', command: { kind: name, room } } : room;
    }
    case 'add':
    case 'remove': {
      if (args.length < 2 || (name === 'remove' && args.length !== 2)) return invalid(USAGE[name]);
      const room = roomArgument(args[0], USAGE[name]);
      if (typeof room !== 'string') return room;
      const members = memberArguments(args.slice(1));
      if (!Array.isArray(members)) return members;
      return { kind: 'room', command: name === 'add' ? { kind: 'add', room, members } : { kind: 'remove', room, member: members[0] } };
    }
    default:
      return undefined;
  }
}

/** `#lab-3 hello`: the room (normalised, with its `#`) and the text, or why not. */
export function parseRoomSend(text: string): { to: string; text: string } | { kind: 'invalid'; message: string } {
  const match = /^#(\S*)\s*([\s\S]*)$/.exec(text);
  const raw = match?.[1] ?? '';
  const body = match?.[2] ?? '';
  const room = checkRoomName(raw);
  if (!room.ok) return invalid(`${roomProblem(raw, room.code)}; write #room and your message (@all #text sends it to everyone)`);
  if (body === '') return invalid(`write the message after the room: #${room.room} hello`);
  return { to: ROOM_PREFIX + room.room, text: body };
}

function create(args: readonly string[]): ParsedRoomCommand {
  const flags = new Set<string>();
  const names: string[] = [];
  for (const arg of args) {
    if (!arg.startsWith('--')) names.push(arg);
    else if (arg === '--class' || arg === '--clear' || arg === '--read-only') flags.add(arg);
    else return invalid(`unknown option ${arg}; ${USAGE.create}`);
  }
  if (names.length === 0) return invalid(USAGE.create);
  const room = roomArgument(names[0], USAGE.create);
  if (typeof room !== 'string') return room;
  const members = memberArguments(names.slice(1));
  if (!Array.isArray(members)) return members;
  return {
    kind: 'room',
    command: { kind: 'create', room, members, classRoom: flags.has('--class'), encrypted: !flags.has('--clear'), readOnly: flags.has('--read-only') },
  };
}

/** A room name typed with or without `#`, normalised. */
function roomArgument(raw: string, usage: string): string | { kind: 'invalid'; message: string } {
  const room = checkRoomName(raw);
  return room.ok ? room.room : invalid(`${roomProblem(raw, room.code)}; ${usage}`);
}

function memberArguments(raw: readonly string[]): string[] | { kind: 'invalid'; message: string } {
  const members: string[] = [];
  for (const name of raw) {
    const checked = checkName(name);
    if (!checked.ok) return invalid(`"${name}" is not a user name`);
    if (!members.includes(checked.name)) members.push(checked.name);
  }
  return members;
}

function roomProblem(raw: string, code: 'invalid_room_name' | 'name_reserved'): string {
  const shown = raw.startsWith(ROOM_PREFIX) ? raw : `#${raw}`;
  if (code === 'name_reserved') return `${shown} is a reserved name, not a room`;
  return `"${shown}" is not a valid room name: use 1-32 of a-z, 0-9, "_", "." and "-"`;
}

function invalid(message: string): { kind: 'invalid'; message: string } {
  return { kind: 'invalid', message };
}
