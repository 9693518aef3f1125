/**
 * Messages to a name nobody has registered yet (PROTOCOL.md 20.7), as the original ClassChat kept
 * them: the store holds them for the name's first login; each sender may have a bounded number
 * waiting, and after a week the sender is told the name never came and the message is dropped.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from './clock';
import type { Logger } from './logger';
import type { MailDesk } from './server-services';
import type { Store, StoredMessage } from './store/store';
import type { HeldLimits } from './held-limits';

export { DEFAULT_HELD_LIMITS, type HeldLimits } from './held-limits';

/** Who tells a sender that a held message expired: a reserved name no user can take. */
export const SERVER_SENDER = 'server';

export class HeldMessages {
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    private readonly store: Pick<Store, 'listHeld'>,
    private readonly mail: () => MailDesk,
    private readonly limits: HeldLimits,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Whether `from` may have one more message held. */
  async mayHold(from: string): Promise<boolean> {
    const held = await this.store.listHeld();
    return held.filter((message) => message.from === from).length < this.limits.perSender;
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.limits.sweepMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Ends every held message older than the limit: its sender gets an `undelivered` event. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const now = this.clock.now();
      for (const message of await this.store.listHeld()) {
        if (message.ts + this.limits.ttlMs > now) continue;
        await this.expire(message);
      }
    } catch (error) {
      this.log.error(`could not expire held messages: ${String(error)}`);
    } finally {
      this.sweeping = false;
    }
  }

  private async expire(message: StoredMessage): Promise<void> {
    const result = await this.mail().submit(SERVER_SENDER, {
      id: `u${randomBytes(12).toString('base64url')}`,
      to: message.from,
      event: { kind: 'undelivered', names: [message.to], seq: message.seq },
    });
    if (result.ok) this.log.info(`dropped a message from ${message.from} to ${message.to}, who never registered`);
    else this.log.warn(`could not tell ${message.from} that ${message.to} never registered: ${result.code}`);
  }
}
