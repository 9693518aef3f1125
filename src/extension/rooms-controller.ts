/** Rooms: the "Rooms" group of the Classmates tree and the room commands (room-commands.ts). */
import type { ChatSession } from './chat-session';
import type { ClassmatesProvider } from './classmates-view';
import type { CommandHandlers } from './command-ids';
import { RoomCommandHost, RoomCommands } from './room-commands';

export interface RoomsHost extends RoomCommandHost {
  readonly classmates: Pick<ClassmatesProvider, 'setRooms'>;
}

export class RoomsController {
  private readonly run: RoomCommands;

  constructor(private readonly host: RoomsHost) {
    this.run = new RoomCommands(host);
  }

  commands(): Pick<CommandHandlers, 'createRoom' | 'joinRoom' | 'leaveRoom' | 'addToRoom' | 'removeFromRoom' | 'roomMembers'> {
    return {
      createRoom: () => this.run.create(),
      joinRoom: (target: unknown) => this.run.join(target),
      leaveRoom: (target: unknown) => this.run.leave(target),
      addToRoom: (target: unknown) => this.run.add(target),
      removeFromRoom: (target: unknown) => this.run.remove(target),
      roomMembers: (target: unknown) => this.run.members(target),
    };
  }

  /** The session's rooms show in the tree. */
  attach(session: ChatSession): void {
    this.host.classmates.setRooms(session.rooms);
  }

  detach(): void {
    this.host.classmates.setRooms(undefined);
  }
}
