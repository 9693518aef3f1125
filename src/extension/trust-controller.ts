/** Classmates' keys: Verify Classmate's Key (the safety number to compare) and the warning when a key changes. */
import type { ChatSession } from './chat-session';
import { CommandHandlers } from './command-ids';
import type { Classmate } from './conversations';
import * as notices from './notices';
import { formatSafetyNumber } from './safety-number-text';

/** What the key checks need from the rest of the extension. */
export interface TrustHost {
  /** The current session, undefined while disconnected. */
  session(): ChatSession | undefined;
  connect(): Promise<void>;
  /** Asks for one classmate among those `filter` keeps; undefined when none is picked. */
  pickClassmate(title: string, filter: (c: Classmate) => boolean): Promise<string | undefined>;
}

export class TrustController {
  constructor(private readonly host: TrustHost) {}

  commands(): Pick<CommandHandlers, 'verifyKey'> {
    return { verifyKey: (name: unknown) => this.verifyKey(typeof name === 'string' ? name : undefined) };
  }

  /** Warns about each key change the session sees. */
  attach(session: ChatSession): void {
    session.on('keyChanged', (name) => void this.warnKeyChanged(session, name));
  }

  /** Shows the safety number to compare with a classmate; marks the key verified if they match. */
  async verifyKey(name?: string): Promise<void> {
    const session = this.host.session();
    if (!session) return this.host.connect();
    const who = name ?? (await this.host.pickClassmate('ClassChat: verify a classmate\'s key', (c) => c.hasKey));
    if (!who) return;
    let number: string;
    try {
      number = await session.safetyNumber(who);
    } catch (error) {
      void notices.error(`ClassChat: cannot show a safety number for ${who}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const state = session.keyState(who);
    const intro = state === 'key_changed' ? `${who}'s key CHANGED. ` : state === 'verified' ? `You already verified ${who}'s key. ` : '';
    const choice = await notices.modal(
      'info',
      `${intro}Safety number with ${who}`,
      `${formatSafetyNumber(number)}\n\nCompare it with ${who} in person or on a call: the same digits on both screens mean nobody is in between. If they differ, do not mark it verified.`,
      'They Match — Mark Verified',
    );
    if (choice !== 'They Match — Mark Verified') return;
    try {
      await session.verify(who, number);
      void notices.statusMessage(`ClassChat: ${who}'s key is verified`, 4000);
    } catch (error) {
      void notices.error(`ClassChat: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async warnKeyChanged(session: ChatSession, name: string): Promise<void> {
    const choice = await notices.warning(
      `ClassChat: ${name}'s key changed. That happens when ${name} set up ClassChat again, but it can also mean someone is pretending to be ${name}. Messages to ${name} are held until you compare safety numbers or accept the new key.`,
      'Compare Safety Numbers…',
      'Accept New Key',
    );
    if (this.host.session() !== session) return;
    if (choice === 'Compare Safety Numbers…') await this.verifyKey(name);
    if (choice === 'Accept New Key') await session.acceptKey(name);
  }
}
