/**
 * Room messages whose sender key has not arrived yet (PROTOCOL.md 20.3): a member may send right
 * after a change, before its key reaches this user. Held, bounded, and tried again when a key of
 * that sender for that room arrives; shown undecrypted once they wait too long or space runs out.
 */
import type { ChatMessage } from '../protocol/frames';
import type { Clock, Timer } from './clock';

/** Room messages held at most, in all rooms. */
export const MAX_HELD_ROOM_MESSAGES = 200;
/** How long a room message waits for its sender's key. */
export const HOLD_ROOM_MESSAGE_MS = 30_000;

interface Held {
  message: ChatMessage;
  timer: Timer;
}

export class HeldRoomMessages {
  private readonly held: Held[] = [];

  constructor(
    private readonly clock: Clock,
    /** A message that waited long enough (or was pushed out): show it as it is. */
    private readonly giveUp: (message: ChatMessage) => void,
    private readonly capacity = MAX_HELD_ROOM_MESSAGES,
    private readonly holdMs = HOLD_ROOM_MESSAGE_MS,
  ) {}

  get size(): number {
    return this.held.length;
  }

  hold(message: ChatMessage): void {
    if (this.held.length >= this.capacity) this.release(this.held[0]);
    const entry: Held = { message, timer: this.clock.setTimeout(() => this.release(entry), this.holdMs) };
    this.held.push(entry);
  }

  /** Takes out (oldest first) the messages `from` sent to `#room`, to try them again. */
  take(room: string, from: string): ChatMessage[] {
    const to = `#${room}`;
    const taken = this.held.filter((entry) => entry.message.to === to && entry.message.from === from);
    for (const entry of taken) this.remove(entry);
    return taken.map((entry) => entry.message);
  }

  /** Gives up on every message of `#room` now (this user left it). */
  releaseRoom(room: string): void {
    for (const entry of this.held.filter((held) => held.message.to === `#${room}`)) this.release(entry);
  }

  /** Closed: forgets them (they were acknowledged; history still has them). */
  dispose(): void {
    for (const entry of this.held.splice(0)) entry.timer.cancel();
  }

  private release(entry: Held): void {
    if (!this.remove(entry)) return;
    this.giveUp(entry.message);
  }

  private remove(entry: Held): boolean {
    const at = this.held.indexOf(entry);
    if (at < 0) return false;
    this.held.splice(at, 1);
    entry.timer.cancel();
    return true;
  }
}
