/**
 * Private text in device mode (PROTOCOL.md 22.6): while logged in over v4, a message to a person
 * with a verified list is sealed once and keyed to each of their devices and this user's other
 * devices; a received one with a `key` is opened with this device's key. Everything else (rooms,
 * references, file offers, users without lists) goes to the identity-key boxes of trust.ts.
 */
import type { Sodium } from '../../crypto/sodium';
import { sodiumReady } from '../../crypto/sodium';
import type { Box, ChatMessage } from '../../protocol/frames';
import type { EnvelopeContent } from '../../protocol/references';
import type { MessageKeys, SealedText } from '../client-services';
import { ChatClientError } from '../errors';
import { OpenedMessage, openedView } from '../references/opened-content';
import type { Trust } from '../trust';
import type { ChatDevices } from './chat-devices';
import { openFromDevice, sealForDevices } from './device-boxes';

export class DeviceMessageKeys implements MessageKeys {
  private sodium: Sodium | undefined;

  constructor(
    private readonly me: string,
    private readonly trust: Trust,
    private readonly devices: ChatDevices,
  ) {
    void sodiumReady().then((sodium) => (this.sodium = sodium));
  }

  get canSeal(): boolean {
    return this.trust.canSeal;
  }

  isPinned(name: string): boolean {
    return this.trust.isPinned(name);
  }

  seal(to: string, id: string, text: string): Box {
    return this.trust.seal(to, id, text);
  }

  sealContent(to: string, id: string, content: EnvelopeContent): Box {
    return this.trust.sealContent(to, id, content);
  }

  /** Sealed per device when both lists verify; refused while `to`'s last reported list did not. */
  sealText(to: string, id: string, text: string): SealedText {
    const lists = this.devices.lists;
    const device = this.devices.deviceKeys;
    if (!this.devices.active || !lists || !device || !this.sodium) return { box: this.trust.seal(to, id, text) };
    if (lists.isDistrusted(to)) throw new ChatClientError('key_changed', `the server reported devices for ${to} that ${to} did not sign, so nothing is sent to ${to} until a list ${to} signed arrives`);
    const own = lists.trusted(this.me);
    const recipient = to === this.me ? own : lists.trusted(to);
    if (!recipient || !own) {
      if (this.devices.isPrimary) return { box: this.trust.seal(to, id, text) };
      throw new ChatClientError('unknown_key', `${to} uses an older ClassChat (no device list): write to ${to} from your primary device, or ask ${to} to update`);
    }
    if (to !== this.me && this.trust.keyTrust(to) === 'key_changed') this.trust.seal(to, id, text); // throws key_changed, as for any box
    const targets = recipient.devices.map((entry) => ({ user: to, device: entry.id, publicKey: entry.publicKey }));
    if (to !== this.me) targets.push(...own.devices.map((entry) => ({ user: this.me, device: entry.id, publicKey: entry.publicKey })));
    const others = targets.filter((target) => !(target.user === this.me && target.device === device.id));
    const sealed = sealForDevices(this.sodium, device.secretKey, { from: this.me, to, id, text }, others, { recipient: recipient.version, sender: own.version });
    return { box: sealed.box, keys: sealed.keys };
  }

  view(message: ChatMessage): OpenedMessage {
    if (message.device) this.devices.sawDevice(message.from, message.device);
    const peer = message.from === this.me ? message.to : message.from;
    const trust = peer === this.me ? 'verified' : this.trustOf(peer);
    if (message.otherDevices) return { ...message, text: undefined, encrypted: true, trust, decryptError: 'sealed_before_linked' };
    if (!message.box || !message.key || !message.device) return this.trust.view(message);
    const failed = (decryptError: 'could_not_decrypt' | 'misaddressed' | 'unknown_key'): OpenedMessage => ({ ...message, text: undefined, encrypted: true, trust, decryptError });
    const senderKey = this.devices.lists?.trusted(message.from)?.devices.find((entry) => entry.id === message.device)?.publicKey;
    const device = this.devices.deviceKeys;
    if (!senderKey || !device || !this.sodium) return failed('unknown_key');
    const opened = openFromDevice(this.sodium, device.secretKey, senderKey, message.key, message.box);
    if (!opened.ok) return failed('could_not_decrypt');
    const { envelope } = opened;
    if (envelope.from !== message.from || envelope.to !== message.to || envelope.id !== message.id) return failed('misaddressed');
    return openedView(message, envelope.content, trust);
  }

  private trustOf(peer: string): Exclude<ReturnType<Trust['keyTrust']>, 'no_key'> {
    const trust = this.trust.keyTrust(peer);
    return trust === 'no_key' ? 'unknown_key' : trust;
  }
}
