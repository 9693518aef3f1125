/** Files between classmates: Send File to Classmate (file-commands.ts), pasted or dropped files (dropped-files.ts) and offers to save (file-offers.ts). */
import type { ChatSession } from './chat-session';
import { DroppedFiles } from './dropped-files';
import { CommandHandlers } from './command-ids';
import { FileFlowHost, FileSender } from './file-commands';
import { FileReceiver } from './file-offers';
import * as notices from './notices';

export class FilesController {
  private readonly sender: FileSender;
  private readonly receiver: FileReceiver;
  private readonly dropped: DroppedFiles;

  constructor(host: FileFlowHost) {
    this.sender = new FileSender(host);
    this.receiver = new FileReceiver(host);
    this.dropped = new DroppedFiles({ session: () => host.session(), sendPath: (to, path) => this.sender.sendPath(to, path), log: (message) => host.output.warn(message) });
  }

  /** A file pasted or dropped onto the composer: true when `message` was one (sent or refused). */
  handleDropped(message: unknown): boolean {
    return this.dropped.handle(message);
  }

  commands(): Pick<CommandHandlers, 'sendFile'> {
    return { sendFile: (...args: unknown[]) => this.sender.run(...args) };
  }

  /** Announces the session's file offers as they come. */
  attach(session: ChatSession): void {
    this.receiver.attach(session);
  }

  /** A file card's Save… in the chat view (errors shown here: nothing awaits it). */
  saveFile(file: string): Promise<void> {
    return this.receiver.save(file).catch((error: unknown) => void notices.error(`ClassChat: ${error instanceof Error ? error.message : String(error)}`));
  }
}
