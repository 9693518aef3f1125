/**
 * What VS Code makes clickable in a notification, mirrored as a test oracle: the message is cut
 * to 1000 characters, its newlines become spaces, then `parseLinkedText`
 * (vs/base/common/linkedText.ts, also used for input box prompts) finds `[label](href)` with
 * href starting `http://`, `https://`, `command:` or `file:`, case insensitive, and an optional
 * quoted title. It knows no backslash escapes.
 */
const VSCODE_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
const MAX_MESSAGE_LENGTH = 1000;

export interface RenderedLink {
  label: string;
  href: string;
}

/** The links VS Code would render in a notification showing `message`. */
export function notificationLinks(message: string): RenderedLink[] {
  let text = message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}...` : message;
  text = text.replace(/(\r\n|\n|\r)/g, ' ').trim();
  return [...text.matchAll(VSCODE_LINK)].map((match) => ({ label: match[1], href: match[2] }));
}

/** `text` as a person reads it: the invisible characters inserted to break links removed. */
export function asRead(text: string): string {
  return text.replaceAll('\u2060', '');
}
