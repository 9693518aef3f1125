/**
 * How a v4 private message is shown to each session (PROTOCOL.md 22.6): a device gets the box
 * with its own key box as `key` and the sending `device`; a message sealed before it was linked
 * comes without its box (`otherDevices`); a device does not get back what it sent itself. Older
 * (v1-v3) sessions never see `keys` messages: they could not open them.
 */
import { frameLine, messageFrame } from '../message-lines';
import { copiesToSender } from '../store/device-copies';
import type { StoredMessage } from '../store/store';

/** The message's line for `viewer`'s device `device`; undefined to skip it. `live`: from the mailbox, not history. */
export function deviceMessageBytes(message: StoredMessage, viewer: string, device: string, live: boolean): Buffer | undefined {
  const own = message.from === viewer;
  if (live && own && (message.device === device || !copiesToSender(message))) return undefined;
  const frame = messageFrame(message);
  if (message.device !== undefined) frame.device = message.device;
  if (message.keys !== undefined) {
    const mine = message.keys.find((key) => key.user === viewer && key.device === device);
    if (mine) frame.key = { nonce: mine.nonce, ciphertext: mine.ciphertext };
    else if (!(own && message.device === device)) {
      delete frame.box;
      frame.otherDevices = true;
    }
  }
  return Buffer.from(frameLine(frame), 'utf8');
}

/** False for what a v1-v3 session must not be given: a message sealed per device (that includes the sender's own copies). */
export function legacyCanShow(message: StoredMessage): boolean {
  return message.keys === undefined;
}
