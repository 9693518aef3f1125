/**
 * Who may register a new name: a cap on the users a server holds, a rate of new names per address
 * and overall, and a bound on wrong join codes per address and overall. Without these one address
 * registered ~700 names a second (a roster flood) and guessed ~1,300 join codes a second.
 */
import type { ErrorCode } from '../protocol/errors';
import type { Clock } from './clock';
import type { Logger } from './logger';
import { TokenBucket } from './token-bucket';

export interface RegistrationLimits {
  /** Users the server holds at most (0: no cap). */
  maxUsers: number;
  /** New names one address may register in an hour, all at once if it likes (0: no limit). */
  perAddressPerHour: number;
  /** New names the whole server registers in an hour (0: no limit). */
  perHour: number;
  /** Wrong join codes one address may send in ten minutes before it must wait (0: no limit). */
  joinCodeGuessesPerAddress: number;
  /** Wrong join codes from everyone in ten minutes before registering with a code waits (0: no limit). */
  joinCodeGuesses: number;
}

/** A lab behind one NAT address registers together; a flood from one address stops at 100 an hour. */
export const DEFAULT_REGISTRATION_LIMITS: RegistrationLimits = {
  maxUsers: 10_000,
  perAddressPerHour: 100,
  perHour: 1_000,
  joinCodeGuessesPerAddress: 10,
  joinCodeGuesses: 100,
};

const HOUR_SECONDS = 3600;
const GUESS_WINDOW_SECONDS = 600;
/** Addresses tracked before buckets that have refilled are forgotten. */
const MAX_TRACKED_ADDRESSES = 10_000;

/** Token buckets per address, forgetting the full ones when there are many. */
class AddressBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly burst: number,
    private readonly windowSeconds: number,
    private readonly clock: Clock,
  ) {}

  bucket(address: string): TokenBucket {
    let bucket = this.buckets.get(address);
    if (!bucket) {
      if (this.buckets.size >= MAX_TRACKED_ADDRESSES) this.forgetFull();
      bucket = new TokenBucket(this.burst / this.windowSeconds, this.burst, this.clock);
      this.buckets.set(address, bucket);
    }
    return bucket;
  }

  private forgetFull(): void {
    for (const [address, bucket] of this.buckets) if (bucket.full) this.buckets.delete(address);
  }
}

/** A limit that may be off: `burst` 0 means no limit. */
function limit<T>(burst: number, make: () => T): T | undefined {
  return burst > 0 ? make() : undefined;
}

export class RegistrationGate {
  private readonly perAddress: AddressBuckets | undefined;
  private readonly overall: TokenBucket | undefined;
  private readonly guessesPerAddress: AddressBuckets | undefined;
  private readonly guesses: TokenBucket | undefined;

  constructor(
    private readonly joinCode: string | undefined,
    private readonly limits: RegistrationLimits,
    clock: Clock,
    private readonly log: Logger,
  ) {
    this.perAddress = limit(limits.perAddressPerHour, () => new AddressBuckets(limits.perAddressPerHour, HOUR_SECONDS, clock));
    this.overall = limit(limits.perHour, () => new TokenBucket(limits.perHour / HOUR_SECONDS, limits.perHour, clock));
    this.guessesPerAddress = limit(limits.joinCodeGuessesPerAddress, () => new AddressBuckets(limits.joinCodeGuessesPerAddress, GUESS_WINDOW_SECONDS, clock));
    this.guesses = limit(limits.joinCodeGuesses, () => new TokenBucket(limits.joinCodeGuesses / GUESS_WINDOW_SECONDS, limits.joinCodeGuesses, clock));
  }

  /**
   * Whether `address` may register a new name now, `users` being how many there are: the join
   * code (wrong guesses are bounded per address and overall, so guessing stops at a few codes a
   * minute however many connections try), the cap on users, and the rates of new names.
   */
  admit(address: string, joinCode: string | undefined, users: number): ErrorCode | undefined {
    const refused = this.checkJoinCode(address, joinCode) ?? this.takeRegistration(address, users);
    if (refused) this.log.warn(`refused a new name from ${address}: ${refused}`);
    return refused;
  }

  private checkJoinCode(address: string, joinCode: string | undefined): ErrorCode | undefined {
    if (this.joinCode === undefined) return undefined;
    if (joinCode === undefined) return 'join_code_required';
    const mine = this.guessesPerAddress?.bucket(address);
    if ((mine && mine.available < 1) || (this.guesses && this.guesses.available < 1)) return 'too_many_attempts';
    if (joinCode === this.joinCode) return undefined;
    mine?.spend(1);
    this.guesses?.spend(1);
    return 'bad_join_code';
  }

  private takeRegistration(address: string, users: number): ErrorCode | undefined {
    if (this.limits.maxUsers > 0 && users >= this.limits.maxUsers) return 'server_full';
    const mine = this.perAddress?.bucket(address);
    if ((mine && mine.available < 1) || (this.overall && this.overall.available < 1)) return 'registration_limited';
    mine?.spend(1);
    this.overall?.spend(1);
    return undefined;
  }
}
