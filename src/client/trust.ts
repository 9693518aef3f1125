/**
 * Keys and trust: this user's identity, each classmate's pinned key (trust-book.ts) and the key
 * changes the roster reveals, safety numbers and verification, and the end-to-end encryption of
 * private messages (private-messages.ts) built on them once the identity is loaded.
 */
import { PrivateBoxes } from '../crypto/e2ee';
import type { Identity } from '../crypto/identity';
import { safetyNumber } from '../crypto/safety-number';
import { Sodium, sodiumReady } from '../crypto/sodium';
import { ClassChatError } from '../protocol/errors';
import type { Box, ChatMessage, UserInfo } from '../protocol/frames';
import type { EnvelopeContent } from '../protocol/references';
import type { Emit, MessageKeys, SealedText } from './client-services';
import { ChatClientError } from './errors';
import { KeyStore, loadOrCreateIdentity } from './key-store';
import { PrivateMessages } from './private-messages';
import { checkRecipient, toError } from './rules';
import { KeyTrust, TrustBook } from './trust-book';
import type { TrustStore } from './trust-store';
import type { OpenedMessage } from './references/opened-content';
import type { RosterEntry } from './types';

export interface TrustParts {
  readonly me: string;
  readonly keyStore: KeyStore;
  readonly trustStore: TrustStore;
  /** The keys the server reports now (ChatClient keeps it up to date). */
  readonly roster: ReadonlyMap<string, RosterEntry>;
  readonly now: () => number;
  readonly emit: Emit<'keyChanged' | 'error'>;
}

export class Trust implements MessageKeys {
  private readonly book: TrustBook;
  private identityPromise: Promise<Identity> | undefined;
  private sodium: Sodium | undefined;
  /** Set once the identity is loaded (first connect); undefined again after close. */
  private e2ee: PrivateMessages | undefined;

  constructor(private readonly parts: TrustParts) {
    this.book = new TrustBook(parts.trustStore, parts.now, (error) =>
      parts.emit('error', new ChatClientError('trust_store_failed', `could not save the key pins: ${error.message}`)),
    );
  }

  /** Loads the identity, libsodium and the stored pins (before every login attempt). */
  async load(): Promise<Identity> {
    const [identity, sodium] = await Promise.all([this.identity(), sodiumReady(), this.loadPins()]);
    this.sodium = sodium;
    return identity;
  }

  /** Starts encrypting with the identity `load` gave (once: it lasts across reconnects, until `dispose`). */
  startEncryption(identity: Identity): void {
    if (!this.sodium) throw new Error('Trust.load must finish before startEncryption');
    this.e2ee ??= new PrivateMessages(this.parts.me, identity.publicKey, new PrivateBoxes(this.sodium, identity), this.book, this.parts.roster);
  }

  get canSeal(): boolean {
    return this.e2ee !== undefined;
  }

  isPinned(name: string): boolean {
    return this.book.get(name) !== undefined;
  }

  seal(to: string, id: string, text: string): Box {
    if (!this.e2ee) throw new ChatClientError('unknown_key', `${to}'s key is not known yet: connect first, so the message can be encrypted`);
    return this.e2ee.seal(to, id, text);
  }

  sealText(to: string, id: string, text: string): SealedText {
    return { box: this.seal(to, id, text) };
  }

  /** Every pin as the provisioning bundle carries them (22.4): verified first, at most 1,000. */
  bundlePins(): Array<{ name: string; key: string; verified: boolean }> {
    return this.book
      .all()
      .filter(([name]) => name !== this.parts.me)
      .slice(0, 1000)
      .map(([name, pin]) => ({ name, key: pin.publicKey, verified: pin.verified }));
  }

  /** The identity key pinned for `name` (device lists are checked against it). */
  pinnedKey(name: string): string | undefined {
    return this.book.get(name)?.publicKey;
  }

  /** Seals content (a room key) for `to`, refusing keys that cannot be trusted as `seal` does. */
  sealContent(to: string, id: string, content: EnvelopeContent): Box {
    if (!this.e2ee) throw new ChatClientError('unknown_key', `${to}'s key is not known yet: connect first, so the message can be encrypted`);
    return this.e2ee.sealContent(to, id, content);
  }

  /** A hidden private message's content, when it opens with the sender's pinned key (not a changed one); else undefined. */
  openPinned(message: ChatMessage): { content: EnvelopeContent; trust: KeyTrust } | undefined {
    return this.e2ee?.openPinned(message);
  }

  view(message: ChatMessage): OpenedMessage {
    if (this.e2ee) return this.e2ee.view(message);
    return message.box === undefined
      ? { ...message, encrypted: false, trust: 'not_encrypted' }
      : { ...message, encrypted: true, trust: 'unknown_key', decryptError: 'unknown_key' };
  }

  /** Opens a box exchanged with the other party (a file offer); undefined when it does not open. */
  openBox(message: { from: string; to: string; id: string; box: Box }): string | undefined {
    return this.e2ee?.view({ type: 'msg', seq: 0, ts: 0, ...message }).text;
  }

  /** A roster or presence report of `user`'s key: pins a key seen for the first time, emits `keyChanged` for one that differs from its pin. */
  observe(user: UserInfo, previousKey: string | null | undefined): void {
    const change = user.name === this.parts.me ? undefined : this.book.report(user.name, user.publicKey, previousKey);
    if (change) this.parts.emit('keyChanged', user.name, change);
  }

  /** The state of `name`'s key: 'no_key' for a plain-text user (never pinned), 'key_changed' for a pinned one reported keyless. */
  keyTrust(name: string): KeyTrust | 'no_key' {
    const user = checkRecipient(name);
    const reported = this.parts.roster.get(user)?.publicKey;
    return reported === null && !this.book.get(user) ? 'no_key' : (this.e2ee?.keyTrust(user) ?? this.book.status(user, reported));
  }

  /** The safety number of this user's key and `name`'s current key (the one the server reports; the pin when offline). */
  async safetyNumber(name: string): Promise<string> {
    const [identity, sodium] = await Promise.all([this.identity(), sodiumReady()]);
    return safetyNumber(sodium, identity.publicKey, this.peerKey(checkRecipient(name)));
  }

  /** Marks `name`'s current key verified, accepting it if it had changed; key_changed when it is not the one `comparedNumber` was made from. */
  async verify(name: string, comparedNumber?: string): Promise<void> {
    const user = checkRecipient(name);
    const key = this.peerKey(user);
    if (comparedNumber !== undefined && (await this.safetyNumber(user)) !== comparedNumber) {
      throw new ChatClientError('key_changed', `${user}'s key changed after you compared the safety number; compare the new one`);
    }
    await this.saved(this.book.accept(user, key));
    await this.saved(this.book.verify(user, key));
  }

  /** Pins the key the server now reports for `name` (unverified; no key: the pin is forgotten). */
  async acceptKey(name: string): Promise<void> {
    const user = checkRecipient(name);
    await this.saved(this.book.accept(user, this.parts.roster.get(user)?.publicKey === null ? null : this.peerKey(user)));
  }

  /** Closed: the private keys are wiped; a new connect starts encryption again. */
  dispose(): void {
    this.e2ee?.dispose();
    this.e2ee = undefined;
  }

  private identity(): Promise<Identity> {
    if (!this.identityPromise) {
      this.identityPromise = loadOrCreateIdentity(this.parts.keyStore);
      // A failed load may succeed later (e.g. after chmod): do not cache the failure.
      this.identityPromise.catch(() => (this.identityPromise = undefined));
    }
    return this.identityPromise;
  }

  private async loadPins(): Promise<void> {
    try {
      await this.book.load();
    } catch (error) {
      throw new ChatClientError('trust_store_failed', `could not load the key pins: ${toError(error).message}`);
    }
  }

  private peerKey(name: string): string {
    const current = this.parts.roster.get(name)?.publicKey;
    if (current === null) throw new ClassChatError('no_key', `${name} uses the plain-text mode and has no key`);
    const key = current ?? this.book.get(name)?.publicKey;
    if (key === undefined) throw new ChatClientError('unknown_key', `${name}'s key is not known yet; connect first`);
    return key;
  }

  private async saved<T>(saving: Promise<T>): Promise<T> {
    try {
      return await saving;
    } catch (error) {
      throw new ChatClientError('trust_store_failed', `could not save the key pins: ${toError(error).message}`);
    }
  }
}
