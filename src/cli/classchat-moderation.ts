/**
 * The moderation commands of teachers and TAs (PROTOCOL.md 20.4): /mute, /unmute, /exam, /ban
 * and /unban, each answered with one line: what was done, or why not (a student gets the
 * server's `forbidden`). Those affected are told by the server, as event messages.
 */
import type { ChatClient } from '../client/chat-client';
import { describeError, printable } from './classchat-format';
import type { ModerationCommand } from './classchat-refs-input';

export class ModerationDesk {
  constructor(
    private readonly client: ChatClient,
    private readonly print: (line: string) => void,
  ) {}

  run(command: ModerationCommand): void {
    const label = command.kind === 'exam' ? `/exam ${command.on ? 'on' : 'off'}` : `/${command.kind} ${printable(command.name)}`;
    this.perform(command).then(
      (done) => this.print(`* ${done}`),
      (error: unknown) => this.print(`! ${label}: ${describeError(error)}`),
    );
  }

  private async perform(command: ModerationCommand): Promise<string> {
    const client = this.client;
    switch (command.kind) {
      case 'mute':
        await client.mute(command.name, command.minutes);
        return `${printable(command.name)} is muted for ${command.minutes} minute${command.minutes === 1 ? '' : 's'}: their messages are refused until then (/unmute ${printable(command.name)} ends it)`;
      case 'unmute':
        await client.unmute(command.name);
        return `${printable(command.name)} is not muted any more`;
      case 'exam':
        await client.setExamMode(command.on);
        return command.on ? 'exam mode is on: only teachers and TAs can write to everyone (/exam off ends it)' : 'exam mode is off: everyone can write to everyone again';
      case 'ban':
        await client.ban(command.name);
        return `${printable(command.name)} is banned: their sessions are closed and their logins refused (/unban ${printable(command.name)} lifts it)`;
      case 'unban':
        await client.unban(command.name);
        return `${printable(command.name)} may log in again`;
    }
  }
}
