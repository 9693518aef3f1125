/**
 * Files pasted or dropped onto the chat composer (issue 17): every field checked
 * (webview/file-drop-protocol.ts), the name made safe (client/file-names.ts), the bytes written
 * to a private temporary folder and sent like Send File to Classmate, then the copy removed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pastedFileName } from '../client/file-names';
import { checkDroppedFile, DroppedFileMessage, isDroppedFileMessage } from '../../webview/file-drop-protocol';
import type { ChatSession } from './chat-session';
import * as notices from './notices';

export interface DroppedFileHost {
  session(): ChatSession | undefined;
  /** Sends the file at `path` to `to` with its progress notification, as Send File does. */
  sendPath(to: string, path: string): Promise<void>;
  log(message: string): void;
}

export class DroppedFiles {
  constructor(private readonly host: DroppedFileHost) {}

  /** True when `raw` was a dropped file (sent, or refused with a message); false: not ours. */
  handle(raw: unknown): boolean {
    if (!isDroppedFileMessage(raw)) return false;
    const check = checkDroppedFile(raw);
    if (!check.ok) {
      this.host.log(`refused a pasted or dropped file from the chat view: ${check.problem}`);
      void notices.error(`ClassChat: the file was not sent: ${check.problem}`);
      return true;
    }
    this.send(check.message).catch((error: unknown) => {
      const text = error instanceof Error ? error.message : String(error);
      this.host.log(`sending a pasted or dropped file failed: ${text}`);
      void notices.error(`ClassChat: could not send the file: ${text}`);
    });
    return true;
  }

  private async send(message: DroppedFileMessage): Promise<void> {
    const session = this.host.session();
    if (!session) {
      void notices.info('ClassChat: connect before sending a file.');
      return;
    }
    const to = message.conversation;
    const classmate = session.conversations.classmates().find((c) => c.name === to);
    if (!classmate?.hasKey) {
      void notices.error(`ClassChat: ${to} cannot receive files yet (no encryption key: they have not used ClassChat's editor or CLI).`);
      return;
    }
    const bytes = Buffer.from(message.data, 'base64');
    const name = pastedFileName(message.name, bytes, new Date());
    // A folder of our own (mode 0700): the name inside it cannot collide or be raced.
    const dir = await mkdtemp(join(tmpdir(), 'classchat-paste-'));
    try {
      const path = join(dir, name);
      await writeFile(path, bytes, { flag: 'wx', mode: 0o600 });
      await this.host.sendPath(to, path);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
