/**
 * Puts a paged roster back together (protocol v2): `welcome` holds the first page and says
 * whether `roster` frames follow; the login completes with the last page. Bounded, so a hostile
 * server cannot grow the client's memory without end.
 */
import { ClassChatError } from '../protocol/errors';
import type { ServerFrameOf, UserInfo, WelcomeFrame } from '../protocol/frames';

/** Most users a client accepts in one roster (far beyond any class; a bound, not a target). */
export const MAX_ROSTER_USERS = 1_000_000;

export class RosterPages {
  private pending: { welcome: WelcomeFrame; users: UserInfo[] } | undefined;

  /** The complete welcome, or undefined while pages are still to come. */
  welcome(frame: WelcomeFrame): WelcomeFrame | undefined {
    if (!frame.more) return frame;
    this.pending = { welcome: frame, users: [...frame.users] };
    return undefined;
  }

  /** True between a `welcome` with more pages and the last page. */
  get waiting(): boolean {
    return this.pending !== undefined;
  }

  /** Adds a page; the complete welcome once it was the last. */
  page(frame: ServerFrameOf<'roster'>): WelcomeFrame | undefined {
    const pending = this.pending;
    if (!pending) throw new ClassChatError('invalid_frame', 'the server sent a roster page that no welcome announced');
    if (pending.users.length + frame.users.length > MAX_ROSTER_USERS) {
      this.pending = undefined;
      throw new ClassChatError('invalid_frame', `the server's roster has more than ${MAX_ROSTER_USERS} users`);
    }
    for (const user of frame.users) pending.users.push(user);
    if (frame.more) return undefined;
    this.pending = undefined;
    const { more: _more, ...welcome } = pending.welcome;
    return { ...welcome, users: pending.users };
  }

  /** Forgets a half-received roster (the connection is gone). */
  reset(): void {
    this.pending = undefined;
  }
}
