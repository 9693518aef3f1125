/**
 * Rooms in the interactive client: /rooms, /create, /join, /leave, /add, /remove and /members,
 * each answered with one line, or one `!` line saying why not (the chat carries on). Membership,
 * keys and the requests themselves live in src/client (rooms.ts, room-keys.ts).
 */
import type { ChatClient } from '../client/chat-client';
import type { RoomView } from '../client/room-book';
import { describeError, printable } from './classchat-format';
import type { RoomCommand } from './classchat-room-input';
import { formatMembers, formatRoomList, roomSettings } from './classchat-room-format';

export class RoomDesk {
  constructor(
    private readonly client: ChatClient,
    private readonly print: (line: string) => void,
  ) {}

  /** Runs a command in the background; its outcome is printed when the server answers. */
  run(command: RoomCommand): void {
    this.perform(command).catch((error: unknown) => this.print(`! ${commandLabel(command)}: ${describeError(error)}`));
  }

  private async perform(command: RoomCommand): Promise<void> {
    const client = this.client;
    switch (command.kind) {
      case 'rooms':
        return this.list();
      case 'create': {
        const { room, members, classRoom, encrypted, readOnly } = command;
        const view = await client.createRoom(room, { members, kind: classRoom ? 'class' : 'group', encrypted, readOnly });
        const who = classRoom ? 'every student can /join it' : `members: ${this.names(view)}`;
        return this.print(`* created #${printable(view.name)} (${roomSettings(view)}); ${who}. Write to it with #${printable(view.name)} message`);
      }
      case 'join': {
        const view = await client.joinRoom(command.room);
        return this.print(`* you are in #${printable(view.name)} (${roomSettings(view)}); write to it with #${printable(view.name)} message`);
      }
      case 'leave': {
        const view = await client.leaveRoom(command.room);
        return this.print(`* you are not in #${printable(view.name)} any more`);
      }
      case 'add': {
        const view = await client.addToRoom(command.room, command.members);
        return this.print(`* #${printable(view.name)}: added ${command.members.map(printable).join(', ')}; members: ${this.names(view)}`);
      }
      case 'remove': {
        const view = await client.removeFromRoom(command.room, command.member);
        const who = printable(command.member);
        const after = view.encrypted ? `; what is sent from now on uses keys ${who} does not get` : '';
        return this.print(`* #${printable(view.name)}: removed ${who}${after}`);
      }
      case 'members':
        return this.print(formatMembers(command.room, await client.roomMembers(command.room), client.name));
    }
  }

  /** The server's list, with each room's size: known for the rooms this user is in, asked for the others. */
  private async list(): Promise<void> {
    const rooms = await this.client.listRooms();
    const sizes = new Map<string, number>();
    await Promise.allSettled(
      rooms.map(async (room) => {
        const members = room.member && room.members.length > 0 ? room.members : await this.client.roomMembers(room.name);
        sizes.set(room.name, members.length);
      }),
    );
    for (const line of formatRoomList(rooms, sizes, this.client.name)) this.print(line);
  }

  private names(view: RoomView): string {
    return view.members.map((name) => (name === this.client.name ? 'you' : printable(name))).join(', ') || '-';
  }
}

function commandLabel(command: RoomCommand): string {
  return command.kind === 'rooms' ? '/rooms' : `/${command.kind} #${command.room}`;
}
