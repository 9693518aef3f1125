/** Serialises stored messages and server frames; each fan-out message is serialised once. */
import type { ServerFrame } from '../protocol/frames';
import { EVERYONE } from '../protocol/names';
import type { StoredMessage } from './store/store';

const jsonLines = new WeakMap<StoredMessage, string>();

export function frameLine(frame: ServerFrame): string {
  return JSON.stringify(frame) + '\n';
}

/** The `msg` frame line for a stored message, cached per message object. */
export function messageLine(message: StoredMessage): string {
  let line = jsonLines.get(message);
  if (line === undefined) {
    line = frameLine({
      type: 'msg',
      seq: message.seq,
      id: message.id,
      from: message.from,
      to: message.to,
      ts: message.ts,
      ...(message.text !== undefined ? { text: message.text } : {}),
      ...(message.box !== undefined ? { box: message.box } : {}),
      ...(message.plain ? { plain: true as const } : {}),
    });
    jsonLines.set(message, line);
  }
  return line;
}

/** The seed's line format: `[sender] text`, `[sender] ToAll: text`, missed ones prefixed. */
export function plainMessageLine(message: StoredMessage, missed: boolean): string {
  const body = message.text ?? '(an end-to-end encrypted message that plain-text mode cannot show)';
  const toAll = message.to === EVERYONE ? 'ToAll: ' : '';
  const prefix = missed ? '[server] You Missed: ' : '';
  return `${prefix}[${message.from}] ${toAll}${oneLine(body)}\n`;
}

/** Plain-text peers read line by line: keep a message on one line. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ⏎ ');
}
