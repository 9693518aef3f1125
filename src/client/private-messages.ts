/**
 * The client's end-to-end encryption: which key a private message is sealed to (refusing unknown
 * and changed keys), and how a received message is shown (decrypted, checked, marked with trust).
 */
import { InvalidPeerKeyError, PrivateBoxes } from '../crypto/e2ee';
import type { Box, ChatMessage } from '../protocol/frames';
import type { EnvelopeContent } from '../protocol/references';
import { OpenedMessage, openedView, sealedId } from './references/opened-content';
import { ChatClientError } from './errors';
import type { KeyTrust, TrustBook } from './trust-book';
import type { DecryptError, RosterEntry } from './types';

export class PrivateMessages {
  constructor(
    private readonly me: string,
    private readonly myPublicKey: string,
    private readonly boxes: PrivateBoxes,
    private readonly trust: TrustBook,
    private readonly roster: ReadonlyMap<string, RosterEntry>,
  ) {}

  /** Seals `text` for `to` under message id `id`. Throws unknown_key / key_changed when the key cannot be trusted. */
  seal(to: string, id: string, text: string): Box {
    return this.sealed(to, () => this.boxes.seal(this.sendKey(to), { from: this.me, to, id, text }));
  }

  /** Seals content (a room key) for `to` like `seal`, as a version-2 envelope when it is more than text. */
  sealContent(to: string, id: string, content: EnvelopeContent): Box {
    return this.sealed(to, () => this.boxes.sealContent(this.sendKey(to), { from: this.me, to, id, content }));
  }

  /**
   * Opens a private box's content (either envelope version) with the pinned key only, the way a
   * room key must be checked (20.3): undefined unless it opens with `from`'s pin and addresses this user.
   */
  openPinned(message: ChatMessage): { content: EnvelopeContent; trust: KeyTrust } | undefined {
    const pin = this.trust.get(message.from);
    if (!message.box || !pin || message.to !== this.me || this.keyTrust(message.from) === 'key_changed') return undefined;
    const opened = this.boxes.openContent(pin.publicKey, message.box, { from: message.from, to: message.to, id: message.id });
    return opened.ok ? { content: opened.content, trust: pin.verified ? 'verified' : 'pinned' } : undefined;
  }

  private sealed(to: string, seal: () => Box): Box {
    try {
      return seal();
    } catch (error) {
      if (error instanceof InvalidPeerKeyError) throw new ChatClientError('unknown_key', `the key the server reports for ${to} is not a valid key, so nothing can be encrypted to it`);
      throw error;
    }
  }

  /** The key to seal to: the pinned one, and only while the server still reports it. */
  private sendKey(to: string): string {
    if (to === this.me) return this.myPublicKey;
    const current = this.roster.get(to)?.publicKey;
    const status = current === undefined ? 'unknown_key' : this.trust.observe(to, current);
    if (status === 'key_changed') {
      const change = current === null ? `${to} had a key, but the server now reports none (as for a plain-text client)` : `${to}'s key has changed since you first saw it`;
      throw new ChatClientError(
        'key_changed',
        `${change}, so nothing is sent to ${to} until you accept it. Compare safety numbers with ${to} (in person or by phone), then verify or accept the new key`,
      );
    }
    if (!current) throw new ChatClientError('unknown_key', `${to}'s key is not known yet, so a private message to ${to} cannot be encrypted (connect first; ${to} must have logged in once with a ClassChat app)`);
    return current;
  }

  /** What the user is shown for a message from the mailbox or from history. */
  view(message: ChatMessage): OpenedMessage {
    const box = message.box;
    if (box === undefined) return { ...message, encrypted: false, trust: 'not_encrypted' };
    const peer = message.from === this.me ? message.to : message.from;
    const candidates = this.candidateKeys(peer);
    const expect = { from: message.from, to: message.to, id: sealedId(message) };
    let error: DecryptError = candidates.length === 0 ? 'unknown_key' : 'could_not_decrypt';
    for (const [key, trust] of candidates) {
      const opened = this.boxes.openContent(key, box, expect);
      if (opened.ok) return openedView(message, opened.content, trust);
      if (opened.error === 'misaddressed') error = 'misaddressed';
    }
    return { ...message, text: undefined, encrypted: true, trust: this.keyTrust(peer), decryptError: error };
  }

  /** The state of `name`'s key as the server reports it now. */
  keyTrust(name: string): KeyTrust {
    if (name === this.me) return 'verified';
    return this.trust.status(name, this.roster.get(name)?.publicKey);
  }

  /** Keys that may open a box exchanged with `peer`, best first, with the trust each one earns. */
  private candidateKeys(peer: string): Array<[key: string, trust: KeyTrust]> {
    if (peer === this.me) return [[this.myPublicKey, 'verified']];
    const pin = this.trust.get(peer);
    const current = this.roster.get(peer)?.publicKey ?? undefined;
    const keys: Array<[string, KeyTrust]> = [];
    if (pin) keys.push([pin.publicKey, pin.verified ? 'verified' : 'pinned']);
    if (current !== undefined && current !== pin?.publicKey) keys.push([current, pin ? 'key_changed' : 'unknown_key']);
    return keys;
  }

  dispose(): void {
    this.boxes.dispose();
  }
}
