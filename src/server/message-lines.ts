/** Serialises stored messages and server frames; each fan-out message is serialised once. */
import type { ServerFrame } from '../protocol/frames';
import { EVERYONE } from '../protocol/names';
import { plainLine } from './plain-lines';
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
    // Only fan-out lines are kept: a private message is written to one or two sessions, and a
    // WeakMap entry per stored message made every garbage collection slower (ephemerons).
    if (message.to === EVERYONE) encodedLines.set(message, bytes);
  }
  return bytes;
}

function encodeMessage(message: StoredMessage): Buffer {
  return Buffer.from(
    frameLine({
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
    }),
    'utf8',
  );
}

/** The seed's line format: `[sender] text`, `[sender] ToAll: text`, missed ones prefixed. */
export function plainMessageLine(message: StoredMessage, missed: boolean): string {
  const body =
    message.text ??
    (message.file
      ? '(sent you a file, end-to-end encrypted: receive it with a ClassChat app)'
      : '(an end-to-end encrypted message that plain-text mode cannot show)');
  const toAll = message.to === EVERYONE ? 'ToAll: ' : '';
  const prefix = missed ? '[server] You Missed: ' : '';
  return plainLine(`${prefix}[${message.from}] ${toAll}${oneLine(body)}`);
}

/** Plain-text peers read line by line: keep a message on one line (other controls: plainLine). */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ⏎ ');
}
