/**
 * Moderate… for teachers and TAs (PROTOCOL.md 20.4): mute a student for some minutes, unmute,
 * exam mode on and off (only staff write to Everyone), ban and unban. One command with a pick of
 * actions; students are told who can do it. Failures are shown in plain words.
 */
import { LIMITS } from '../protocol/limits';
import { checkName } from '../protocol/names';
import type { ChatSession } from './chat-session';
import { showErrorText } from './error-notice';
import * as notices from './notices';
import type { RoomCommandHost } from './room-commands';
import { describeRoomError } from './room-error-text';

type Action = 'mute' | 'unmute' | 'examOn' | 'examOff' | 'ban' | 'unban';

const ACTIONS: Array<{ label: string; description: string; value: Action }> = [
  { label: 'Mute a student…', description: 'their messages are refused for some minutes', value: 'mute' },
  { label: 'Unmute a student…', description: '', value: 'unmute' },
  { label: 'Exam mode on', description: 'only teachers and TAs write to Everyone', value: 'examOn' },
  { label: 'Exam mode off', description: 'everyone writes to Everyone again', value: 'examOff' },
  { label: 'Ban a name…', description: 'closes their sessions and refuses their logins', value: 'ban' },
  { label: 'Unban a name…', description: '', value: 'unban' },
];

/** Why a typed number of minutes will not do, or undefined. */
export function minutesProblem(value: string): string | undefined {
  const minutes = Number(value.trim());
  return Number.isInteger(minutes) && minutes >= 1 && minutes <= LIMITS.maxMuteMinutes ? undefined : `Type whole minutes, 1-${LIMITS.maxMuteMinutes} (a week).`;
}

export class ModerationCommands {
  constructor(private readonly host: RoomCommandHost) {}

  /** `target`: a classmate's name from the tree, for the actions that take one. */
  async moderate(target?: unknown): Promise<void> {
    const session = this.host.session();
    if (!session) return this.host.connect();
    if (!session.rooms.staff) {
      void notices.info('ClassChat: only teachers and TAs moderate. Whoever runs the server gives roles (classchat-server role NAME ta).');
      return;
    }
    const action = await notices.pick(ACTIONS, { title: 'ClassChat: moderate the class' });
    if (action === undefined) return;
    if (action === 'examOn' || action === 'examOff') {
      const on = action === 'examOn';
      if (await this.attempt(`turn exam mode ${on ? 'on' : 'off'}`, () => session.moderation.setExamMode(on))) {
        void notices.info(`ClassChat: exam mode is ${on ? 'on: only teachers and TAs write to Everyone' : 'off'}.`);
      }
      return;
    }
    const name = await this.student(session, target, action);
    if (name === undefined) return;
    if (action === 'mute') {
      const typed = await notices.input({ title: `ClassChat: mute ${name}`, prompt: 'For how many minutes?', value: '10', validateInput: minutesProblem });
      if (typed === undefined || minutesProblem(typed)) return;
      const minutes = Number(typed.trim());
      if (await this.attempt(`mute ${name}`, () => session.moderation.mute(name, minutes))) void notices.info(`ClassChat: muted ${name} for ${minutes} minute${minutes === 1 ? '' : 's'}.`);
      return;
    }
    const run = { unmute: () => session.moderation.unmute(name), ban: () => session.moderation.ban(name), unban: () => session.moderation.unban(name) }[action];
    const done = { unmute: `unmuted ${name}`, ban: `banned ${name}`, unban: `lifted the ban on ${name}` }[action];
    if (await this.attempt(`${action} ${name}`, run)) void notices.info(`ClassChat: ${done}.`);
  }

  /** The name an action is about: the tree's classmate, else one picked (ban and unban also take a typed name). */
  private async student(session: ChatSession, target: unknown, action: Exclude<Action, 'examOn' | 'examOff'>): Promise<string | undefined> {
    const given = typeof target === 'string' ? checkName(target) : undefined;
    if (given?.ok) return given.name;
    const others = session.conversations.classmates().filter((c) => c.role === undefined);
    if (action === 'ban' || action === 'unban' || others.length === 0) {
      const typed = await notices.input({ title: `ClassChat: ${action} whom?`, prompt: 'Their name', value: '', validateInput: (value) => (checkName(value).ok ? undefined : 'Type a user name.') });
      const checked = typed === undefined ? undefined : checkName(typed);
      return checked?.ok ? checked.name : undefined;
    }
    return notices.pick(
      others.map((c) => ({ label: c.name, description: c.online ? 'online' : 'offline', value: c.name })),
      { title: `ClassChat: ${action} whom?`, placeHolder: 'Pick a student' },
    );
  }

  /** Runs a request; true once the server did it, else the reason is shown. */
  private async attempt(action: string, run: () => Promise<void>): Promise<boolean> {
    try {
      await run();
      return true;
    } catch (error) {
      void showErrorText({ message: describeRoomError(error, action), actions: [] });
      return false;
    }
  }
}
