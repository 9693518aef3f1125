/**
 * Sender keys for end-to-end encrypted rooms (PROTOCOL.md section 20.3), as in Signal groups and
 * Matrix Megolm: this device seals each room message once, under its own ratcheting key for that
 * room, and signs it; members open it with the key this device handed them in a pairwise box.
 *
 * The client decides when to create (rotate) and distribute keys and persists `toJSON()`; this
 * module holds the keys and checks everything a message or a handed-over key claims.
 */
import type { Box } from '../protocol/frames';
import type { EnvelopeContent } from '../protocol/references';
import { envelopeContentSchema } from '../protocol/references';
import { decodeEnvelopeV2, encodeEnvelopeV2, EnvelopeHead } from './envelope';
import { ChainLimits, KEY_ID_BYTES, MAX_ITERATION, nextChainKey, messageKey, parseRoomBox, ReceivingChain, sealRoomBox } from './sender-key-chain';
import { OwnSenderKeyState, ReceivedSenderKeyState, RoomKeysState, roomKeysStateSchema } from './sender-key-state';
import type { Sodium } from './sodium';

/** The `roomKey` content a member hands to another, inside a pairwise version-2 envelope. */
export type RoomKey = NonNullable<EnvelopeContent['roomKey']>;

export interface RoomKeysOptions extends Partial<ChainLimits> {
  /** Sender keys kept per member and room: older ones still open older messages after a rotation. */
  keysPerMember?: number;
}
export const ROOM_KEY_LIMITS = { maxMessageKeys: 2000, maxJump: 10_000, keysPerMember: 4 } as const;

/** Is `name` a member of `room` now (the client's room book)? */
export type IsMember = (room: string, name: string) => boolean;

/** unknown_key: no key of the sender with this keyId (not handed over yet, or dropped); could_not_decrypt: anything failed. */
export type RoomOpenError = 'unknown_key' | 'could_not_decrypt' | 'misaddressed';
export type RoomOpenResult = { ok: true; content: EnvelopeContent } | { ok: false; error: RoomOpenError };
export type AcceptRoomKeyResult =
  | { ok: true; status: 'added' | 'duplicate' }
  | { ok: false; error: 'malformed' | 'not_member' | 'conflict' };

/** A room message addressed to `#room`, as it arrives in a `msg`. */
export interface RoomMessage extends EnvelopeHead {
  box: Box;
}

export class NoSenderKeyError extends Error {
  constructor(readonly room: string) {
    super(`no sender key for #${room}: create and distribute one before sending`);
    this.name = 'NoSenderKeyError';
  }
}

const roomKeySchema = envelopeContentSchema.shape.roomKey.unwrap();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

/** This device's sending chain for one room. */
class OwnSenderKey {
  constructor(
    private readonly sodium: Sodium,
    readonly room: string,
    readonly keyId: Uint8Array,
    private chainKey: Uint8Array,
    private iteration: number,
    readonly signing: { publicKey: Uint8Array; privateKey: Uint8Array },
  ) {}

  static create(sodium: Sodium, room: string): OwnSenderKey {
    const pair = sodium.crypto_sign_keypair();
    return new OwnSenderKey(sodium, room, sodium.randombytes_buf(KEY_ID_BYTES), sodium.randombytes_buf(32), 0, pair);
  }

  static fromJSON(sodium: Sodium, state: OwnSenderKeyState): OwnSenderKey {
    const signing = { publicKey: bytesOf(state.signingPublicKey), privateKey: bytesOf(state.signingSecretKey) };
    // An Ed25519 secret key ends with its public key: a mismatch would sign what nobody can verify.
    if (!sodium.memcmp(signing.privateKey.subarray(32), signing.publicKey)) throw new RangeError(`the saved sender key for #${state.room} has a signing key pair that does not match`);
    return new OwnSenderKey(sodium, state.room, bytesOf(state.keyId), bytesOf(state.chainKey), state.iteration, signing);
  }

  /** MK_n for the next message; the chain moves past it and CK_n is wiped. */
  next(): { n: number; key: Uint8Array; chainKeyAfter: Uint8Array } {
    if (this.iteration > MAX_ITERATION) throw new RangeError(`the sender key for #${this.room} is used up: create a new one`);
    const n = this.iteration;
    const key = messageKey(this.sodium, this.chainKey);
    const chainKeyAfter = nextChainKey(this.sodium, this.chainKey);
    this.sodium.memzero(this.chainKey);
    this.chainKey = chainKeyAfter;
    this.iteration = n + 1;
    return { n, key, chainKeyAfter };
  }

  /** The key at its current iteration, to hand to a member (it opens this and later messages only). */
  distribution(): RoomKey {
    return { room: this.room, keyId: b64(this.keyId), iteration: this.iteration, chainKey: b64(this.chainKey), signingKey: b64(this.signing.publicKey) };
  }

  toJSON(): OwnSenderKeyState {
    const { keyId, iteration, chainKey, signingKey } = this.distribution();
    return { room: this.room, keyId, iteration, chainKey, signingPublicKey: signingKey, signingSecretKey: b64(this.signing.privateKey) };
  }

  dispose(): void {
    this.sodium.memzero(this.chainKey);
    this.sodium.memzero(this.signing.privateKey);
  }
}

/** A member's sender key as received: who may have signed with it, and the receiving chain. */
interface ReceivedKey {
  keyId: string;
  signingKey: Uint8Array;
  chain: ReceivingChain;
}

/** One user's sender keys for all its rooms: its own (one per room) and those members handed it. */
export class RoomKeys {
  private readonly own = new Map<string, OwnSenderKey>();
  /** Per room and member, oldest first, at most keysPerMember. This device's own keys are here too, to read its sent messages back. */
  private readonly received = new Map<string, Map<string, ReceivedKey[]>>();
  private readonly limits: ChainLimits;
  private readonly keysPerMember: number;

  constructor(
    private readonly sodium: Sodium,
    private readonly me: string,
    private readonly isMember: IsMember,
    options: RoomKeysOptions = {},
  ) {
    this.limits = { maxMessageKeys: options.maxMessageKeys ?? ROOM_KEY_LIMITS.maxMessageKeys, maxJump: options.maxJump ?? ROOM_KEY_LIMITS.maxJump };
    this.keysPerMember = options.keysPerMember ?? ROOM_KEY_LIMITS.keysPerMember;
  }

  /** Restores saved keys. Throws (a zod error) when `state` is not a valid saved state. */
  static fromJSON(sodium: Sodium, me: string, isMember: IsMember, state: unknown, options: RoomKeysOptions = {}): RoomKeys {
    const parsed: RoomKeysState = roomKeysStateSchema.parse(state);
    const keys = new RoomKeys(sodium, me, isMember, options);
    for (const own of parsed.own) keys.own.set(own.room, OwnSenderKey.fromJSON(sodium, own));
    for (const { room, member, keys: list } of parsed.received) for (const key of list) keys.store(room, member, keys.receivedFromJSON(key));
    return keys;
  }

  /**
   * Creates this device's new sender key for `room`, replacing the old one for sending (rotation,
   * when a member left or was removed), and returns what to hand to each current member.
   */
  createSenderKey(room: string): RoomKey {
    this.own.get(room)?.dispose();
    const own = OwnSenderKey.create(this.sodium, room);
    this.own.set(room, own);
    const handed = own.distribution();
    this.store(room, this.me, { keyId: handed.keyId, signingKey: new Uint8Array(own.signing.publicKey), chain: this.chainFrom(handed) });
    return handed;
  }

  /** This device's sender key for `room` at its current iteration (for a member who joined), if it has one. */
  distribution(room: string): RoomKey | undefined {
    return this.own.get(room)?.distribution();
  }

  /** Seals `content` for `#room` under message id `id`. Throws NoSenderKeyError, EnvelopeContentError. */
  seal(room: string, id: string, content: EnvelopeContent): Box {
    const own = this.own.get(room);
    if (!own) throw new NoSenderKeyError(room);
    const plain = encodeEnvelopeV2({ from: this.me, to: `#${room}`, id, content });
    const { n, key, chainKeyAfter } = own.next();
    const box = sealRoomBox(this.sodium, own.keyId, n, key, own.signing.privateKey, plain);
    this.keysOf(room, this.me).find((copy) => copy.keyId === b64(own.keyId))?.chain.recordSent(n, key, chainKeyAfter);
    this.sodium.memzero(key);
    return box;
  }

  /**
   * Takes a member's sender key. `sender` is who the pairwise box came from, as authenticated by
   * opening it: the key is filed under that sender only, so nobody can hand over a key for someone else.
   */
  acceptRoomKey(sender: string, roomKey: unknown): AcceptRoomKeyResult {
    const parsed = roomKeySchema.safeParse(roomKey);
    if (!parsed.success || !this.isUsable(parsed.data)) return { ok: false, error: 'malformed' };
    const handed = parsed.data;
    if (!this.isMember(handed.room, sender) || !this.isMember(handed.room, this.me)) return { ok: false, error: 'not_member' };
    const known = this.keysOf(handed.room, sender).find((key) => key.keyId === handed.keyId);
    if (known) return b64(known.signingKey) === handed.signingKey ? { ok: true, status: 'duplicate' } : { ok: false, error: 'conflict' };
    this.store(handed.room, sender, { keyId: handed.keyId, signingKey: bytesOf(handed.signingKey), chain: this.chainFrom(handed) });
    return { ok: true, status: 'added' };
  }

  /** Opens a room message: the sender's key by keyId, its signature, the ratchet, then from/to/id. Never throws. */
  open(message: RoomMessage): RoomOpenResult {
    if (!message.to.startsWith('#')) return { ok: false, error: 'could_not_decrypt' };
    const parts = parseRoomBox(this.sodium, message.box);
    if (!parts) return { ok: false, error: 'could_not_decrypt' };
    const keyId = b64(parts.keyId);
    const key = this.keysOf(message.to.slice(1), message.from).find((candidate) => candidate.keyId === keyId);
    if (!key) return { ok: false, error: 'unknown_key' };
    let plain: Uint8Array;
    try {
      if (!this.sodium.crypto_sign_verify_detached(parts.signature, parts.signed, key.signingKey)) return { ok: false, error: 'could_not_decrypt' };
      const found = key.chain.find(parts.iteration);
      if (!found) return { ok: false, error: 'could_not_decrypt' };
      plain = this.sodium.crypto_secretbox_open_easy(parts.sealed, parts.nonce, found.key);
      found.commit();
    } catch {
      return { ok: false, error: 'could_not_decrypt' };
    }
    const envelope = decodeEnvelopeV2(plain);
    if (!envelope) return { ok: false, error: 'could_not_decrypt' };
    if (envelope.from !== message.from || envelope.to !== message.to || envelope.id !== message.id) return { ok: false, error: 'misaddressed' };
    return { ok: true, content: envelope.content };
  }

  /** Forgets every key of `room` (this device left it, or the room is gone). */
  forgetRoom(room: string): void {
    this.own.get(room)?.dispose();
    this.own.delete(room);
    for (const list of this.received.get(room)?.values() ?? []) for (const key of list) key.chain.dispose();
    this.received.delete(room);
  }

  /** Everything to persist (secret: it opens the room messages these keys cover). */
  toJSON(): RoomKeysState {
    return {
      version: 1,
      own: [...this.own.values()].map((own) => own.toJSON()),
      received: [...this.received].flatMap(([room, members]) =>
        [...members].map(([member, list]) => ({ room, member, keys: list.map((key) => ({ keyId: key.keyId, signingKey: b64(key.signingKey), ...key.chain.toJSON() })) })),
      ),
    };
  }

  dispose(): void {
    for (const own of this.own.values()) own.dispose();
    for (const room of [...this.received.keys()]) this.forgetRoom(room);
    this.own.clear();
    this.received.clear();
  }

  private keysOf(room: string, member: string): ReceivedKey[] {
    return this.received.get(room)?.get(member) ?? [];
  }

  private store(room: string, member: string, key: ReceivedKey): void {
    let members = this.received.get(room);
    if (!members) this.received.set(room, (members = new Map()));
    const list = members.get(member) ?? [];
    list.push(key);
    while (list.length > this.keysPerMember) list.shift()!.chain.dispose();
    members.set(member, list);
  }

  private chainFrom(handed: RoomKey): ReceivingChain {
    return new ReceivingChain(this.sodium, bytesOf(handed.chainKey), handed.iteration, this.limits);
  }

  private receivedFromJSON(state: ReceivedSenderKeyState): ReceivedKey {
    const messageKeys = state.messageKeys.map(([n, key]): [number, Uint8Array] => [n, bytesOf(key)]);
    return { keyId: state.keyId, signingKey: bytesOf(state.signingKey), chain: new ReceivingChain(this.sodium, bytesOf(state.chainKey), state.iteration, this.limits, messageKeys) };
  }

  /** Exact base64 of the right lengths, and a signing key that is an Ed25519 point. */
  private isUsable(handed: RoomKey): boolean {
    const exact = (text: string, bytes: number) => Buffer.from(text, 'base64').length === bytes && b64(bytesOf(text)) === text;
    if (!exact(handed.keyId, KEY_ID_BYTES) || !exact(handed.chainKey, 32) || !exact(handed.signingKey, 32)) return false;
    try {
      this.sodium.crypto_sign_ed25519_pk_to_curve25519(bytesOf(handed.signingKey));
      return true;
    } catch {
      return false;
    }
  }
}
