/**
 * Every line plain-text mode writes is built here. Plain-text peers are terminals (nc, telnet):
 * a control character from another user (ESC sequences, a bare CR, bidi overrides) could clear
 * the screen or forge a `[server]` line, so each line's text is made visible before the newline.
 */
import { visibleControls } from '../protocol/visible-text';

/** One line for a plain-text peer: its text with controls made visible, then the newline. */
export function plainLine(text: string): string {
  return visibleControls(text) + '\n';
}

/** A server notice line in the seed's style. */
export function plainNotice(text: string): string {
  return plainLine(`[server] ${text}`);
}
