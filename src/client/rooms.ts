/**
 * Rooms (PROTOCOL.md 20.2): the room requests and their replies, and membership as the events of
 * each room's stream leave it (room-book.ts). After each login it asks `room_list`, then the
 * members of every room this user is in, and the members of a room it was just added to. What
 * membership means for keys is the room keys' (room-keys.ts), told through `RoomEvents`.
 */
import { ClassChatError } from '../protocol/errors';
import type { ChatMessage, ClientFrame, ServerFrameOf, WelcomeFrame } from '../protocol/frames';
import { ROOMS_VERSION } from '../protocol/limits';
import { checkName, checkRoomName } from '../protocol/names';
import type { RoomKind } from '../protocol/room-frames';
import type { ClientLink, Emit } from './client-services';
import { ChatClientError } from './errors';
import { PendingRequests } from './requests';
import { ClientRoomBook, RoomChange, RoomView } from './room-book';
import { toError } from './rules';

/** What the room keys are told of membership. */
export interface RoomEvents {
  /** An event changed a room's membership. */
  changed(change: RoomChange): void;
  /** The complete member list of a room this user is in has just become known. */
  membersKnown(room: string): void;
}

export interface RoomParts {
  readonly link: ClientLink;
  readonly emit: Emit<'room' | 'error'>;
}

export interface CreateRoomOptions {
  /** Who else is in it from the start. */
  members: string[];
  /** 'group' (default: anyone creates one) or 'class' (a teacher's: everyone may join). */
  kind?: RoomKind;
  /** Default true; a room that is not encrypted is readable by the server (only staff create one). */
  encrypted?: boolean;
  /** Only teachers and TAs write in it (a teacher's). */
  readOnly?: boolean;
}

/** The frames a room request is answered with. */
export type RoomFrame = ServerFrameOf<'room' | 'room_list' | 'room_members'>;

export class Rooms {
  readonly book: ClientRoomBook;
  private readonly requests: PendingRequests<RoomFrame>;
  private version = 0;
  /** Member lists asked for and not answered yet, by room. */
  private readonly asking = new Map<string, Promise<void>>();
  private events: RoomEvents | undefined;

  constructor(private readonly parts: RoomParts) {
    this.book = new ClientRoomBook(parts.link.me);
    this.requests = new PendingRequests(parts.link.clock);
  }

  /** Set once (ChatClient wires the room keys here). */
  listen(events: RoomEvents): void {
    this.events = events;
  }

  /** The server speaks v3: rooms exist. */
  get served(): boolean {
    return this.version >= ROOMS_VERSION;
  }

  views(): RoomView[] {
    return this.book.views();
  }

  /** Logged in: on a v3 server, learn the rooms again (events missed while away arrive as messages too). */
  loggedIn(welcome: WelcomeFrame): void {
    this.version = welcome.v;
    this.asking.clear();
    if (this.served) this.refresh();
  }

  async create(name: string, options: CreateRoomOptions): Promise<RoomView> {
    const room = roomName(name);
    const members = options.members.map(userName);
    const frame = await this.request((rid) => ({
      type: 'room_create',
      rid,
      room,
      kind: options.kind ?? 'group',
      encrypted: options.encrypted ?? true,
      readOnly: options.readOnly ?? false,
      members,
    }));
    return this.answered(frame, { kind: 'created', names: [this.parts.link.me, ...members] });
  }

  async join(name: string): Promise<RoomView> {
    const room = roomName(name);
    return this.answered(await this.request((rid) => ({ type: 'room_join', rid, room })));
  }

  async leave(name: string): Promise<RoomView> {
    const room = roomName(name);
    return this.answered(await this.request((rid) => ({ type: 'room_leave', rid, room })));
  }

  async add(name: string, members: string[]): Promise<RoomView> {
    const room = roomName(name);
    const names = members.map(userName);
    return this.answered(await this.request((rid) => ({ type: 'room_add', rid, room, members: names })), { kind: 'added', names });
  }

  async remove(name: string, member: string): Promise<RoomView> {
    const room = roomName(name);
    const who = userName(member);
    return this.answered(await this.request((rid) => ({ type: 'room_remove', rid, room, name: who })), { kind: 'removed', names: [who] });
  }

  /** The server's `room_list`: this user's rooms and every class room. */
  async list(): Promise<RoomView[]> {
    const frame = await this.request((rid) => ({ type: 'room_list', rid }));
    if (frame.type !== 'room_list') throw unexpected(frame.type);
    for (const info of frame.rooms) this.book.setInfo(info);
    return frame.rooms.flatMap((info) => this.book.view(info.room) ?? []);
  }

  /** The server's `room_members` for `name` (a member's room, or any class room). */
  async members(name: string): Promise<string[]> {
    const room = roomName(name);
    const frame = await this.request((rid) => ({ type: 'room_members', rid, room }));
    if (frame.type !== 'room_members') throw unexpected(frame.type);
    const wasKnown = this.book.membersKnown(frame.room);
    this.book.setMembers(frame.room, frame.members);
    const view = this.book.view(frame.room);
    if (view) this.parts.emit('room', view);
    if (!wasKnown && view?.member) this.events?.membersKnown(frame.room);
    return frame.members;
  }

  onFrame(frame: RoomFrame): void {
    this.requests.resolve(frame.rid, frame);
  }

  /** A membership event of a room's stream, live and in seq order. */
  onEvent(message: ChatMessage): void {
    const change = this.book.applyEvent(message);
    if (!change) return;
    if (!this.book.has(change.room)) this.refresh();
    this.announce(change);
  }

  /** A server error answering a room request (its rid); false when none is pending. */
  claimRequestError(rid: string | undefined, error: ClassChatError): boolean {
    return this.requests.claimError(rid, error);
  }

  connectionLost(): void {
    this.requests.connectionLost();
  }

  shutdown(reason: Error): void {
    this.requests.rejectAll(reason);
  }

  /** Asks for the room list, then the members of each room this user is in. */
  private refresh(): void {
    this.list().then(
      (rooms) => {
        for (const room of rooms) void this.askMembersIfNeeded(room.name);
      },
      (error: unknown) => this.reportBackground(error, 'the list of rooms'),
    );
  }

  /** Tells the room keys and the application of a change, and asks who else is in a room just entered. */
  private announce(change: RoomChange): void {
    const view = this.book.view(change.room);
    if (view) this.parts.emit('room', view);
    this.events?.changed(change);
    void this.askMembersIfNeeded(change.room);
  }

  /** Settles once the members are known (or asking failed: reported, and asked again after the next login). */
  private askMembersIfNeeded(room: string): Promise<void> {
    const asked = this.asking.get(room);
    if (asked) return asked;
    if (!this.book.needsMembers(room) || !this.parts.link.ready) return Promise.resolve();
    const asking = this.members(room).then(
      () => undefined,
      (error: unknown) => this.reportBackground(error, `the members of #${room}`),
    );
    this.asking.set(room, asking);
    void asking.finally(() => this.asking.delete(room));
    return asking;
  }

  /** A background request failed: a lost connection asks again after the next login; anything else is the application's to know. */
  private reportBackground(error: unknown, what: string): void {
    if (error instanceof ChatClientError && (error.code === 'connection_lost' || error.code === 'closed')) return;
    const cause = toError(error);
    this.parts.emit('error', error instanceof ClassChatError ? error : new ChatClientError('timeout', `could not get ${what}: ${cause.message}`));
  }

  /**
   * A request's `room` reply: its change applied at once (its event may come later, and then
   * changes nothing), so that a send right after it already uses the right members and keys.
   * Resolves once the members of a room just entered are known.
   */
  private async answered(frame: RoomFrame, change?: { kind: RoomChange['kind']; names: string[] }): Promise<RoomView> {
    if (frame.type !== 'room') throw unexpected(frame.type);
    const me = this.parts.link.me;
    const room = frame.room.room;
    const flipped = this.book.setInfo(frame.room);
    const applied = change && this.book.applyChange(room, change.kind, me, [...new Set(change.names)]);
    if (applied) this.announce(applied);
    else if (flipped) this.announce({ room, kind: flipped === 'entered' ? 'joined' : 'left', actor: me, names: [me], mine: true });
    await this.askMembersIfNeeded(room);
    return this.book.view(room)!;
  }

  private request(frame: (rid: string) => ClientFrame): Promise<RoomFrame> {
    const link = this.parts.link;
    link.checkOpen();
    if (!link.ready) throw new ChatClientError('not_connected', 'not connected to the server; try again once connected');
    if (!this.served) throw new ClassChatError('unsupported_version', 'this server has no rooms (it does not speak protocol v3)');
    return this.requests.start(link.requestTimeoutMs, 'room request', (rid) => link.send(frame(rid)));
  }
}

function roomName(raw: string): string {
  const checked = checkRoomName(raw);
  if (checked.ok) return checked.room;
  if (checked.code === 'name_reserved') throw new ClassChatError('name_reserved', `"${raw.trim()}" is reserved; choose another room name`);
  throw new ClassChatError('invalid_room_name', `"${raw}" is not a valid room name: use 1-32 of a-z, 0-9, "_", "." and "-"`);
}

function userName(raw: string): string {
  const checked = checkName(raw);
  if (checked.ok) return checked.name;
  throw new ClassChatError('unknown_user', `there is no user "${raw.trim()}"`);
}

function unexpected(type: string): ClassChatError {
  return new ClassChatError('invalid_frame', `the server answered a room request with "${type}"`);
}
