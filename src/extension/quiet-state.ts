/**
 * What the user silenced, kept in the extension's global state so it survives a restart:
 * muted conversations (per server and user name: names mean different people on another
 * server) and do-not-disturb (one for the whole editor, ending by itself at its time).
 * No vscode: written against a Memento-like store and an injected clock, tested with a fake one.
 */
import type { MementoLike } from './memento-trust-store';

/** "*", a user name or "#room" (the chat view's conversation ids). */
const CONVERSATION_ID = /^(\*|#?[a-z0-9_.-]{1,32})$/;
/** More muted conversations than anyone needs; a damaged or hostile store cannot grow past it. */
const MAX_MUTED = 1000;
/** setTimeout cannot wait longer (2^31-1 ms): a later end is re-armed when this one fires. */
const MAX_TIMER_MS = 2_147_483_647;

export function mutedKeyName(server: string, name: string): string {
  return `classchat.muted/${server.toLowerCase()}/${name}`;
}

export const DO_NOT_DISTURB_KEY = 'classchat.doNotDisturb';

type Listener = () => void;

export class MutedConversations {
  private readonly muted: Set<string>;
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly memento: MementoLike,
    readonly key: string,
  ) {
    // Not security-relevant: a damaged entry is dropped rather than refusing to connect.
    const stored = memento.get(key);
    const ids = Array.isArray(stored) ? stored.filter((id): id is string => typeof id === 'string' && CONVERSATION_ID.test(id)) : [];
    this.muted = new Set(ids.slice(0, MAX_MUTED));
  }

  has(conversation: string): boolean {
    return this.muted.has(conversation);
  }

  list(): string[] {
    return [...this.muted];
  }

  /** Mutes or unmutes; throws RangeError for something that is not a conversation id. */
  async set(conversation: string, muted: boolean): Promise<void> {
    if (!CONVERSATION_ID.test(conversation)) throw new RangeError(`not a conversation: ${JSON.stringify(conversation)}`);
    if (muted === this.muted.has(conversation)) return;
    if (muted && this.muted.size >= MAX_MUTED) throw new RangeError(`at most ${MAX_MUTED} conversations can be muted`);
    if (muted) this.muted.add(conversation);
    else this.muted.delete(conversation);
    for (const listener of this.listeners) listener();
    await this.memento.update(this.key, this.list());
  }

  onChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}

export interface QuietClock {
  now(): number;
  setTimer(callback: () => void, ms: number): { cancel(): void };
}

export const systemClock: QuietClock = {
  now: () => Date.now(),
  setTimer: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    return { cancel: () => clearTimeout(timer) };
  },
};

export class DoNotDisturb {
  private end: number | undefined;
  private timer: { cancel(): void } | undefined;
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly memento: MementoLike,
    private readonly clock: QuietClock = systemClock,
  ) {
    const stored = memento.get(DO_NOT_DISTURB_KEY);
    const until = typeof stored === 'object' && stored !== null && 'until' in stored ? stored.until : undefined;
    if (typeof until === 'number' && Number.isFinite(until) && until > clock.now()) {
      this.end = until;
      this.arm();
    }
  }

  /** When it ends (ms since the epoch), or undefined when off. */
  get until(): number | undefined {
    return this.end;
  }

  get active(): boolean {
    return this.end !== undefined && this.end > this.clock.now();
  }

  /** Starts it until `until`, or turns it off (undefined, or a time already past). */
  async set(until: number | undefined): Promise<void> {
    this.end = until !== undefined && until > this.clock.now() ? until : undefined;
    this.arm();
    this.changed();
    await this.memento.update(DO_NOT_DISTURB_KEY, this.end === undefined ? undefined : { until: this.end });
  }

  onChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  dispose(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.listeners.clear();
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.end === undefined) return;
    const wait = this.end - this.clock.now();
    this.timer = this.clock.setTimer(() => this.expire(), Math.max(0, Math.min(wait, MAX_TIMER_MS)));
  }

  private expire(): void {
    this.timer = undefined;
    if (this.end !== undefined && this.end > this.clock.now()) {
      this.arm();
      return;
    }
    void this.set(undefined);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
