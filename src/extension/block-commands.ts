/**
 * Block Classmate… and Unblock Classmate… (PROTOCOL.md 20.9), from the command palette or a
 * classmate's context menu in the Classmates tree. The server keeps the list for every device of
 * the user; a blocked classmate's messages are hidden everywhere and their private messages and
 * files no longer arrive. Teachers and TAs cannot be blocked (the server says so).
 */
import { checkName } from '../protocol/names';
import { showErrorText } from './error-notice';
import * as notices from './notices';
import type { RoomCommandHost } from './room-commands';
import { describeRoomError } from './room-error-text';

export class BlockCommands {
  constructor(private readonly host: Pick<RoomCommandHost, 'session' | 'connect'>) {}

  /** `target`: the classmate's name when run from the tree. */
  async block(target?: unknown): Promise<void> {
    const session = this.host.session();
    if (!session) return this.host.connect();
    const candidates = session.conversations.classmates().filter((c) => c.role === undefined && !session.blocks.has(c.name));
    const name = await this.whom(target, 'block', candidates.map((c) => ({ label: c.name, description: c.online ? 'online' : 'offline', value: c.name })));
    if (name === undefined) return;
    if (await this.attempt(`block ${name}`, () => session.blocks.block(name))) {
      void notices.info(`ClassChat: you blocked ${name}. Their messages are hidden and their private messages and files no longer reach you, on all your devices. ${name} is not told.`);
    }
  }

  async unblock(target?: unknown): Promise<void> {
    const session = this.host.session();
    if (!session) return this.host.connect();
    const blocked = session.blocks.list();
    if (blocked.length === 0 && typeof target !== 'string') {
      void notices.info('ClassChat: you have not blocked anyone.');
      return;
    }
    const name = await this.whom(target, 'unblock', blocked.map((value) => ({ label: value, description: 'blocked', value })));
    if (name === undefined) return;
    if (await this.attempt(`unblock ${name}`, () => session.blocks.unblock(name))) void notices.info(`ClassChat: you unblocked ${name}; their new messages reach you again.`);
  }

  /** The tree's classmate, else one picked from `items`. */
  private async whom(target: unknown, action: string, items: Array<{ label: string; description: string; value: string }>): Promise<string | undefined> {
    const given = typeof target === 'string' ? checkName(target) : undefined;
    if (given?.ok) return given.name;
    if (items.length === 0) {
      void notices.info(`ClassChat: there is no classmate to ${action}.`);
      return undefined;
    }
    return notices.pick(items, { title: `ClassChat: ${action} whom?`, placeHolder: 'Pick a classmate' });
  }

  private async attempt(action: string, run: () => Promise<unknown>): Promise<boolean> {
    try {
      await run();
      return true;
    } catch (error) {
      void showErrorText({ message: describeRoomError(error, action), actions: [] });
      return false;
    }
  }
}
