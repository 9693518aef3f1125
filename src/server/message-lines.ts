/** Serialises stored messages and server frames; each fan-out message is serialised once. */
import type { ChatMessage, ServerFrame } from '../protocol/frames';
import { EVERYONE } from '../protocol/names';
import { plainLine } from './plain-lines';
import { describeEvent, isErasedEdit, referenceText } from './legacy-lines';
import { roomOf } from './rooms/room-book';
import type { StoredMessage } from './store/store';

const encodedLines = new WeakMap<StoredMessage, Buffer>();

export function frameLine(frame: ServerFrame): string {
  return JSON.stringify(frame) + '\n';
}

/**
 * The `msg` frame line for a stored message as UTF-8 bytes, cached per message object: a
 * message to everyone is serialised and encoded once, and every recipient's write shares it.
 */
export function messageBytes(message: StoredMessage): Buffer {
  let bytes = encodedLines.get(message);
  if (bytes === undefined) {
    bytes = encodeMessage(message);
    // Only fan-out lines (everyone, rooms) are kept: a private message is written to one or two
    // sessions, and a WeakMap entry per stored message made every garbage collection slower.
    if (message.to === EVERYONE || message.to.startsWith('#')) encodedLines.set(message, bytes);
  }
  return bytes;
}

function encodeMessage(message: StoredMessage): Buffer {
  return Buffer.from(frameLine(messageFrame(message)), 'utf8');
}

/** The `msg` frame of a stored message, without v4's per-device fields (devices/device-lines.ts adds them). */
export function messageFrame(message: StoredMessage): ChatMessage {
  return {
      type: 'msg',
      seq: message.seq,
      id: message.id,
      from: message.from,
      to: message.to,
      ts: message.ts,
      ...(message.text !== undefined ? { text: message.text } : {}),
      ...(message.box !== undefined ? { box: message.box } : {}),
      ...(message.plain ? { plain: true as const } : {}),
      ...(message.file !== undefined ? { file: message.file } : {}),
      ...(message.event !== undefined ? { event: message.event } : {}),
      ...(message.hidden ? { hidden: true as const } : {}),
      ...(message.ref !== undefined ? { ref: { seq: message.ref.seq, rel: message.ref.rel } } : {}),
      ...(message.edited !== undefined ? { edited: message.edited } : {}),
      ...(message.deleted !== undefined ? { deleted: message.deleted } : {}),
  };
}

/**
 * The seed's line format: `[sender] text`, `[sender] ToAll: text`, `[sender] #room: text`, missed
 * ones prefixed; a room event is a `[server]` line; a room key is not shown.
 */
export function plainMessageLine(message: StoredMessage, missed: boolean): string | undefined {
  if (message.hidden || isErasedEdit(message)) return undefined;
  const prefix = missed ? '[server] You Missed: ' : '';
  if (message.event) return plainLine(`${prefix}[server] ${oneLine(describeEvent(message))}`);
  const body =
    referenceText(message, 'plain') ??
    (message.file
      ? '(sent you a file, end-to-end encrypted: receive it with a ClassChat app)'
      : '(an end-to-end encrypted message that plain-text mode cannot show)');
  const room = roomOf(message.to);
  const toAll = message.to === EVERYONE ? 'ToAll: ' : room !== undefined ? `#${room}: ` : '';
  return plainLine(`${prefix}[${message.from}] ${toAll}${oneLine(body)}`);
}

/** Plain-text peers read line by line: keep a message on one line (other controls: plainLine). */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ⏎ ');
}
