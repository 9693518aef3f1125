/** The class's structure: the "Rooms" group of the Classmates tree, the room commands (room-commands.ts), Moderate… (moderation-commands.ts) and blocking (block-commands.ts). */
import type { ChatSession } from './chat-session';
import type { ClassmatesProvider } from './classmates-view';
import type { CommandHandlers } from './command-ids';
import { ModerationCommands } from './moderation-commands';
import { BlockCommands } from './block-commands';
import { RoomCommandHost, RoomCommands } from './room-commands';

export interface RoomsHost extends RoomCommandHost {
  readonly classmates: Pick<ClassmatesProvider, 'setRooms'>;
}

export class RoomsController {
  private readonly run: RoomCommands;
  private readonly moderation: ModerationCommands;
  private readonly blocks: BlockCommands;

  constructor(private readonly host: RoomsHost) {
    this.run = new RoomCommands(host);
    this.moderation = new ModerationCommands(host);
    this.blocks = new BlockCommands(host);
  }

  commands(): Pick<CommandHandlers, 'createRoom' | 'joinRoom' | 'leaveRoom' | 'addToRoom' | 'removeFromRoom' | 'roomMembers' | 'moderate' | 'blockClassmate' | 'unblockClassmate'> {
    return {
      createRoom: () => this.run.create(),
      joinRoom: (target: unknown) => this.run.join(target),
      leaveRoom: (target: unknown) => this.run.leave(target),
      addToRoom: (target: unknown) => this.run.add(target),
      removeFromRoom: (target: unknown) => this.run.remove(target),
      roomMembers: (target: unknown) => this.run.members(target),
      moderate: (target: unknown) => this.moderation.moderate(target),
      blockClassmate: (target: unknown) => this.blocks.block(target),
      unblockClassmate: (target: unknown) => this.blocks.unblock(target),
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
