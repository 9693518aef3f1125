/**
 * A file pasted or dropped onto the composer (issue 17): the webview posts its name, size and
 * bytes (base64), the host checks every field here before anything is written, then sends it
 * through Send File to Classmate. Files go to one classmate: never to Everyone or a room.
 * No DOM and no Node: compiled by the extension's tsconfig and the webview's.
 */
import { formatBytes } from './file-format';

export interface DroppedFileMessage {
  type: 'sendDroppedFile';
  /** The classmate's conversation it was dropped on. */
  conversation: string;
  /** As the browser named it; '' for a pasted image that has none (the host makes one). */
  name: string;
  size: number;
  /** The bytes, base64. */
  data: string;
}

/** Pasted and dropped files travel through the webview's message channel: bounded. */
export const MAX_DROPPED_FILE_BYTES = 25 * 1024 * 1024;
/** Longer than any file system allows: no real file has such a name. */
export const MAX_DROPPED_NAME_CHARS = 1024;

const CLASSMATE_ID = /^[a-z0-9_.-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function isDroppedFileMessage(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'sendDroppedFile';
}

/** What the composer and the host say of a file over the limit. */
export function tooLargeText(name: string, size: number): string {
  const what = name === '' ? 'That file' : `"${name}"`;
  return `${what} is ${formatBytes(size)}: pasted and dropped files can be at most 25 MB. Use Send File to Classmate… for larger files.`;
}

/** What the composer and the host say when a file is pasted or dropped outside a classmate's conversation. */
export const FILES_TO_CLASSMATES =
  'Files go to one classmate: open their conversation and paste or drop the file there, or use Send File to Classmate…';

/** The bytes base64 `data` stands for, or undefined when it is not padded base64. */
export function base64Length(data: string): number | undefined {
  if (data.length % 4 !== 0 || !BASE64.test(data)) return undefined;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return (data.length / 4) * 3 - padding;
}

export type DroppedFileCheck = { ok: true; message: DroppedFileMessage } | { ok: false; problem: string };

/** Checks a dropped-file message field by field; a bad one gets the reason, to show and to log. */
export function checkDroppedFile(value: unknown): DroppedFileCheck {
  if (!isDroppedFileMessage(value)) return { ok: false, problem: 'not a dropped file' };
  const m = value as Record<string, unknown>;
  if (typeof m.conversation !== 'string') return { ok: false, problem: 'the file has no conversation to go to' };
  if (!CLASSMATE_ID.test(m.conversation)) return { ok: false, problem: FILES_TO_CLASSMATES };
  if (typeof m.name !== 'string' || m.name.length > MAX_DROPPED_NAME_CHARS) return { ok: false, problem: 'the file name is missing or too long' };
  if (typeof m.size !== 'number' || !Number.isSafeInteger(m.size) || m.size < 0) return { ok: false, problem: 'the file size is not valid' };
  if (m.size > MAX_DROPPED_FILE_BYTES) return { ok: false, problem: tooLargeText(m.name, m.size) };
  if (typeof m.data !== 'string' || m.data.length > Math.ceil(MAX_DROPPED_FILE_BYTES / 3) * 4) return { ok: false, problem: 'the file bytes are missing or too many' };
  const length = base64Length(m.data);
  if (length === undefined) return { ok: false, problem: 'the file bytes are not base64' };
  if (length !== m.size) return { ok: false, problem: `the file bytes (${length}) do not match its size (${m.size})` };
  return { ok: true, message: { type: 'sendDroppedFile', conversation: m.conversation, name: m.name, size: m.size, data: m.data } };
}
