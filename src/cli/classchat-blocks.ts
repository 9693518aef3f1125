/**
 * Blocking classmates in the terminal client (PROTOCOL.md 20.9): /block NAME, /unblock NAME and
 * /blocked. The server keeps the list for all of the user's clients; each command prints one
 * line: what was done, or why not.
 */
import type { BlockControls } from '../client/blocks';
import { checkName } from '../protocol/names';
import { describeError, printable } from './classchat-format';

export type BlockCommand = { kind: 'block' | 'unblock'; name: string } | { kind: 'blocked' };

export type ParsedBlockCommand = { kind: 'block'; command: BlockCommand } | { kind: 'invalid'; message: string };

export const BLOCK_HELP = `Blocking (kept by the server for all your devices):
  /block bob       stop seeing bob: his private messages and files no longer reach you, and
                   his messages to everyone and in rooms are hidden (bob is not told)
  /unblock bob     see bob again                /blocked   whom you blocked`;

/** The block command `/name args`, or undefined when `name` is not one. */
export function parseBlockCommand(name: string, args: string[]): ParsedBlockCommand | undefined {
  switch (name) {
    case 'block':
    case 'unblock': {
      const checked = args.length === 1 ? checkName(args[0].replace(/^@/, '').toLowerCase()) : undefined;
      if (!checked?.ok) return { kind: 'invalid', message: `usage: /${name} NAME` };
      return { kind: 'block', command: { kind: name, name: checked.name } };
    }
    case 'blocked':
      return args.length === 0 ? { kind: 'block', command: { kind: 'blocked' } } : { kind: 'invalid', message: '/blocked takes no arguments' };
    default:
      return undefined;
  }
}

export class BlockDesk {
  constructor(
    private readonly blocks: BlockControls,
    private readonly print: (line: string) => void,
  ) {}

  run(command: BlockCommand): void {
    const label = command.kind === 'blocked' ? '/blocked' : `/${command.kind} ${printable(command.name)}`;
    this.perform(command).then(
      (done) => this.print(`* ${done}`),
      (error: unknown) => this.print(`! ${label}: ${describeError(error)}`),
    );
  }

  private async perform(command: BlockCommand): Promise<string> {
    switch (command.kind) {
      case 'block':
        await this.blocks.block(command.name);
        return `you blocked ${printable(command.name)}: you will not see their messages (/unblock ${printable(command.name)} undoes it)`;
      case 'unblock':
        await this.blocks.unblock(command.name);
        return `you unblocked ${printable(command.name)}: their new messages reach you again`;
      case 'blocked': {
        const names = await this.blocks.refresh();
        return names.length === 0 ? 'you have blocked nobody' : `you blocked: ${names.map(printable).join(', ')}`;
      }
    }
  }
}
