/**
 * The room commands: Create Room (name checked as it is typed, members from the roster, and for
 * teachers and TAs the kind, encryption and read-only choices), Join, Leave (confirmed), Add to
 * Room, Remove from Room (confirmed) and Room Members. Each takes a tree element ("#lab-3") or
 * asks for the room; failures are shown in plain words (room-error-text.ts).
 */
import { checkRoomName } from '../protocol/names';
import type { ChatSession } from './chat-session';
import { showErrorText } from './error-notice';
import * as notices from './notices';
import { describeRoomError } from './room-error-text';
import { creationChoices, memberPicks, roomPicks } from './room-picks';
import { roomId, RoomView } from './session-rooms';

/** What the room commands need from the rest of the extension. */
export interface RoomCommandHost {
  session(): ChatSession | undefined;
  connect(): Promise<void>;
  /** Opens a conversation ("#lab-3" or a classmate's name) in the chat view. */
  showConversation(conversation: string): Promise<void>;
}

/** A problem with a room name as typed, or undefined when the server would take it (as far as this client knows). */
export function roomNameProblem(value: string, session: ChatSession): string | undefined {
  const checked = checkRoomName(value);
  if (!checked.ok) {
    if (value.trim() === '') return 'Type a name for the room.';
    return checked.code === 'name_reserved' ? `"${value.trim()}" is reserved. Choose another name.` : 'Use 1-32 of a-z, 0-9, "_", "." and "-" (no spaces).';
  }
  if (session.rooms.get(checked.room)) return `#${checked.room} already exists.`;
  if (checked.room === session.name || session.conversations.classmates().some((c) => c.name === checked.room)) {
    return `"${checked.room}" is a classmate's name: rooms and people share one set of names.`;
  }
  return undefined;
}

export class RoomCommands {
  constructor(private readonly host: RoomCommandHost) {}

  async create(): Promise<void> {
    const session = await this.ready();
    if (!session) return;
    const raw = await notices.input({
      title: 'ClassChat: create a room',
      prompt: 'A name for the room, e.g. lab-3 or study-group: 1-32 of a-z, 0-9, "_", "." and "-".',
      value: '',
      validateInput: (value) => roomNameProblem(value, session),
    });
    if (raw === undefined || roomNameProblem(raw, session) !== undefined) return;
    const checked = checkRoomName(raw);
    if (!checked.ok) return;
    const name = checked.room;
    const choices = session.rooms.staff ? await creationChoices(name) : { kind: 'group' as const, encrypted: true, readOnly: false };
    if (!choices) return;
    const members = await notices.pickMany(memberPicks(session, { encryptedOnly: choices.encrypted }), {
      title: `ClassChat: who is in #${name}?`,
      placeHolder: choices.kind === 'class' ? 'Optional: anyone can join a class room later' : 'Pick the classmates to add (you are in it)',
      matchOnDescription: true,
    });
    if (members === undefined) return;
    const room = await this.attempt(`create #${name}`, () => session.rooms.create(name, { ...choices, members }));
    if (!room) return;
    void notices.info(`ClassChat: created #${name}${members.length > 0 ? ` with ${members.join(', ')}` : ''}.`);
    await this.host.showConversation(roomId(name));
  }

  async join(target?: unknown): Promise<void> {
    const session = await this.ready();
    if (!session) return;
    const name = await this.room(session, target, session.rooms.joinable(), 'join', 'No class rooms to join: you are in all of them, or your teacher has made none yet.');
    if (name === undefined) return;
    if (await this.attempt(`join #${name}`, () => session.rooms.join(name))) await this.host.showConversation(roomId(name));
  }

  async leave(target?: unknown): Promise<void> {
    const session = await this.ready();
    if (!session) return;
    const name = await this.room(session, target, session.rooms.mine(), 'leave', 'You are not in any room.');
    if (name === undefined) return;
    const room = session.rooms.get(name);
    const again = room?.kind === 'class' ? 'You can join it again later.' : 'To come back, someone in it has to add you again.';
    const keys = room?.encrypted ? ' You will not be able to read what is sent after you leave.' : '';
    const choice = await notices.modal('warning', `Leave #${name}?`, `You stop getting its messages.${keys} ${again}`, 'Leave');
    if (choice !== 'Leave') return;
    await this.attempt(`leave #${name}`, () => session.rooms.leave(name));
  }

  async add(target?: unknown): Promise<void> {
    const session = await this.ready();
    if (!session) return;
    const name = await this.room(session, target, session.rooms.mine(), 'add classmates to', 'You are not in any room. Create one first.');
    if (name === undefined) return;
    const current = await this.attempt(`get the members of #${name}`, () => session.rooms.members(name));
    if (!current) return;
    const encrypted = session.rooms.get(name)?.encrypted ?? true;
    const picks = memberPicks(session, { encryptedOnly: encrypted, except: current });
    if (picks.length === 0) return void notices.info(`ClassChat: everyone who can be added is in #${name} already.`);
    const members = await notices.pickMany(picks, { title: `ClassChat: add to #${name}`, placeHolder: 'Pick the classmates to add', matchOnDescription: true });
    if (!members || members.length === 0) return;
    if (await this.attempt(`add ${members.join(', ')} to #${name}`, () => session.rooms.add(name, members))) {
      void notices.info(`ClassChat: added ${members.join(', ')} to #${name}.`);
    }
  }

  async remove(target?: unknown): Promise<void> {
    const session = await this.ready();
    if (!session) return;
    const name = await this.room(session, target, session.rooms.mine(), 'remove someone from', 'You are not in any room.');
    if (name === undefined) return;
    const current = await this.attempt(`get the members of #${name}`, () => session.rooms.members(name));
    if (!current) return;
    const others = current.filter((member) => member !== session.name);
    if (others.length === 0) return void notices.info(`ClassChat: nobody else is in #${name}.`);
    const who = await notices.pick(
      others.map((member) => ({ label: member, description: session.rooms.roleOf(member) ?? '', value: member })),
      { title: `ClassChat: remove from #${name}`, placeHolder: 'Who should leave the room?' },
    );
    if (who === undefined) return;
    const detail = session.rooms.get(name)?.encrypted ? `${who} stops getting its messages, and the room's keys change so they cannot read what is sent after.` : `${who} stops getting its messages.`;
    if ((await notices.modal('warning', `Remove ${who} from #${name}?`, detail, 'Remove')) !== 'Remove') return;
    await this.attempt(`remove ${who} from #${name}`, () => session.rooms.remove(name, who));
  }

  async members(target?: unknown): Promise<void> {
    const session = await this.ready();
    if (!session) return;
    const name = await this.room(session, target, [...session.rooms.mine(), ...session.rooms.joinable()], 'see the members of', 'There are no rooms yet.');
    if (name === undefined) return;
    const members = await this.attempt(`get the members of #${name}`, () => session.rooms.members(name));
    if (!members) return;
    const online = new Map(session.conversations.classmates().map((c) => [c.name, c.online]));
    const picks = members.map((member) => ({
      label: member,
      description: [member === session.name ? 'you' : online.get(member) ? 'online' : 'offline', ...(session.rooms.roleOf(member) ? [session.rooms.roleOf(member)!] : [])].join(' · '),
      value: member,
    }));
    const chosen = await notices.pick(picks, { title: `ClassChat: #${name} has ${members.length} member${members.length === 1 ? '' : 's'}`, placeHolder: 'Pick someone to message them' });
    if (chosen !== undefined && chosen !== session.name) await this.host.showConversation(chosen);
  }

  /** The session, once connected to a server with rooms; connects (or says why not) otherwise. */
  private async ready(): Promise<ChatSession | undefined> {
    const session = this.host.session();
    if (!session) {
      await this.host.connect();
      return undefined;
    }
    if (!session.rooms.available) {
      await showErrorText({ message: 'This server has no rooms (it is older than this extension). Ask whoever runs it to update it.', actions: [] });
      return undefined;
    }
    return session;
  }

  /** The room a command acts on: the tree element or argument it was given, else one picked from `choices`. */
  private async room(session: ChatSession, target: unknown, choices: readonly RoomView[], verb: string, none: string): Promise<string | undefined> {
    if (typeof target === 'string') {
      const checked = checkRoomName(target);
      if (checked.ok) return checked.room;
    }
    if (choices.length === 0) {
      void notices.info(`ClassChat: ${none}`);
      return undefined;
    }
    const active = session.conversations.active;
    return notices.pick(roomPicks(choices, active), { title: `ClassChat: ${verb} which room?`, placeHolder: 'Type a room name' });
  }

  /** Runs a room request; a failure is shown in plain words and gives undefined. */
  private async attempt<T>(action: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      // Not awaited: the command is over once the notice is up.
      void showErrorText({ message: describeRoomError(error, action), actions: [] });
      return undefined;
    }
  }
}
