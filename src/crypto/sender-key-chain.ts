/**
 * One sender key of an encrypted room (PROTOCOL.md section 20.3): the hash ratchet that gives each
 * message its own key, and the signed room box that carries it. The chain runs only forwards, so a
 * member given the key at iteration n cannot open messages sealed before n.
 */
import type { Box } from '../protocol/frames';
import type { Sodium } from './sodium';

export const ROOM_BOX_VERSION = 1;
export const KEY_ID_BYTES = 8;
export const CHAIN_KEY_BYTES = 32;
/** n is 4 bytes on the wire: a chain that reaches this must be replaced by a new sender key. */
export const MAX_ITERATION = 0xffffffff;
const HEADER_BYTES = 1 + KEY_ID_BYTES + 4;
const SIGNATURE_BYTES = 64;
const NONCE_BYTES = 24;

const MESSAGE_KEY_LABEL = new TextEncoder().encode('classchat-room-mk');
const CHAIN_KEY_LABEL = new TextEncoder().encode('classchat-room-ck');

/** MK_n = BLAKE2b-256(key = CK_n, "classchat-room-mk"). */
export function messageKey(sodium: Sodium, chainKey: Uint8Array): Uint8Array {
  return sodium.crypto_generichash(32, MESSAGE_KEY_LABEL, chainKey);
}

/** CK_{n+1} = BLAKE2b-256(key = CK_n, "classchat-room-ck"). */
export function nextChainKey(sodium: Sodium, chainKey: Uint8Array): Uint8Array {
  return sodium.crypto_generichash(32, CHAIN_KEY_LABEL, chainKey);
}

/** The parts of a room box's ciphertext; `signed` is what the signature covers. */
export interface RoomBoxParts {
  keyId: Uint8Array;
  iteration: number;
  sealed: Uint8Array;
  nonce: Uint8Array;
  signature: Uint8Array;
  signed: Uint8Array;
}

/** Seals `plain` under MK_n: version ‖ keyId ‖ n ‖ secretbox ‖ signature of (everything before it ‖ nonce). */
export function sealRoomBox(sodium: Sodium, keyId: Uint8Array, iteration: number, key: Uint8Array, signingSecretKey: Uint8Array, plain: Uint8Array): Box {
  const nonce = sodium.randombytes_buf(NONCE_BYTES);
  const sealed = sodium.crypto_secretbox_easy(plain, nonce, key);
  const head = Buffer.alloc(HEADER_BYTES);
  head[0] = ROOM_BOX_VERSION;
  head.set(keyId, 1);
  head.writeUInt32BE(iteration, 1 + KEY_ID_BYTES);
  const body = Buffer.concat([head, sealed]);
  const signature = sodium.crypto_sign_detached(Buffer.concat([body, nonce]), signingSecretKey);
  return { nonce: Buffer.from(nonce).toString('base64'), ciphertext: Buffer.concat([body, signature]).toString('base64') };
}

/** The parts of a room box, or undefined when it is malformed (bad base64, lengths or version). */
export function parseRoomBox(sodium: Sodium, box: Box): RoomBoxParts | undefined {
  let nonce: Uint8Array;
  let bytes: Uint8Array;
  try {
    nonce = sodium.from_base64(box.nonce, sodium.base64_variants.ORIGINAL);
    bytes = sodium.from_base64(box.ciphertext, sodium.base64_variants.ORIGINAL);
  } catch {
    return undefined;
  }
  if (nonce.length !== NONCE_BYTES || bytes.length < HEADER_BYTES + sodium.crypto_secretbox_MACBYTES + SIGNATURE_BYTES) return undefined;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf[0] !== ROOM_BOX_VERSION) return undefined;
  const bodyEnd = buf.length - SIGNATURE_BYTES;
  return {
    keyId: buf.subarray(1, 1 + KEY_ID_BYTES),
    iteration: buf.readUInt32BE(1 + KEY_ID_BYTES),
    sealed: buf.subarray(HEADER_BYTES, bodyEnd),
    nonce,
    signature: buf.subarray(bodyEnd),
    signed: Buffer.concat([buf.subarray(0, bodyEnd), nonce]),
  };
}

/** A message key found for iteration n; `commit` advances the chain, and is called only once the message opened. */
export interface FoundMessageKey {
  key: Uint8Array;
  commit(): void;
}

export interface ChainLimits {
  /** Message keys kept per sender key for messages delivered late or opened again (history, redelivery). */
  maxMessageKeys: number;
  /** The furthest a message may be ahead of the chain; a larger jump is refused. */
  maxJump: number;
}

/**
 * A sender key as a receiver holds it: the chain key at the next iteration not yet reached, and the
 * message keys of recent iterations (bounded, oldest dropped first).
 */
export class ReceivingChain {
  private readonly messageKeys = new Map<number, Uint8Array>();

  constructor(
    private readonly sodium: Sodium,
    private chainKey: Uint8Array,
    private iteration: number,
    private readonly limits: ChainLimits,
    messageKeys: Iterable<[number, Uint8Array]> = [],
  ) {
    for (const [n, key] of [...messageKeys].sort((a, b) => a[0] - b[0])) if (n < iteration) this.remember(n, key);
  }

  /** The next iteration the chain has not passed. */
  get nextIteration(): number {
    return this.iteration;
  }

  /** MK_n: kept from earlier, or derived forwards (never backwards, at most maxJump ahead). */
  find(n: number): FoundMessageKey | undefined {
    if (n < this.iteration) {
      const key = this.messageKeys.get(n);
      return key && { key, commit: () => undefined };
    }
    if (n - this.iteration > this.limits.maxJump) return undefined;
    const derived: Array<[number, Uint8Array]> = [];
    let chainKey = this.chainKey;
    for (let i = this.iteration; i <= n; i++) {
      derived.push([i, messageKey(this.sodium, chainKey)]);
      const next = nextChainKey(this.sodium, chainKey);
      if (chainKey !== this.chainKey) this.sodium.memzero(chainKey);
      chainKey = next;
    }
    const key = derived[derived.length - 1]![1];
    let committed = false;
    return {
      key,
      commit: () => {
        if (committed) return;
        committed = true;
        this.advance(n + 1, chainKey);
        for (const [i, mk] of derived) this.remember(i, mk);
      },
    };
  }

  /** Records MK_n of a message this device sealed, and moves the chain past it (the sender's own copy). */
  recordSent(n: number, key: Uint8Array, chainKeyAfter: Uint8Array): void {
    if (n < this.iteration) return;
    this.advance(n + 1, new Uint8Array(chainKeyAfter));
    this.remember(n, new Uint8Array(key));
  }

  toJSON(): { iteration: number; chainKey: string; messageKeys: Array<[number, string]> } {
    return {
      iteration: this.iteration,
      chainKey: Buffer.from(this.chainKey).toString('base64'),
      messageKeys: [...this.messageKeys].map(([n, key]) => [n, Buffer.from(key).toString('base64')]),
    };
  }

  dispose(): void {
    this.sodium.memzero(this.chainKey);
    for (const key of this.messageKeys.values()) this.sodium.memzero(key);
    this.messageKeys.clear();
  }

  private advance(iteration: number, chainKey: Uint8Array): void {
    this.sodium.memzero(this.chainKey);
    this.chainKey = chainKey;
    this.iteration = iteration;
  }

  private remember(n: number, key: Uint8Array): void {
    this.messageKeys.set(n, key);
    // Keys arrive in increasing n, so the first in insertion order is the oldest.
    while (this.messageKeys.size > this.limits.maxMessageKeys) {
      const [oldest, old] = this.messageKeys.entries().next().value as [number, Uint8Array];
      this.sodium.memzero(old);
      this.messageKeys.delete(oldest);
    }
  }
}
