/** The status bar item's text and tooltip for a connection state (codicons in `$(...)`). */
import type { ConnectionView } from '../../webview/protocol';

export interface StatusText {
  text: string;
  tooltip: string;
}

export function statusText(connection: ConnectionView, unread: number): StatusText {
  const where = connection.server ? ` to ${connection.server}` : '';
  const badge = unread > 0 ? ` · ${unread} unread` : '';
  switch (connection.status) {
    case 'connected':
      return {
        text: `$(comment-discussion) ${connection.me ?? ''} · ${connection.online} online${badge}`,
        tooltip: `ClassChat: connected as ${connection.me ?? '?'}${where}. Click to open the chat.`,
      };
    case 'connecting':
      return { text: '$(sync~spin) ClassChat: connecting…', tooltip: `ClassChat: connecting${where}…` };
    case 'reconnecting':
      return {
        text: `$(sync~spin) ClassChat: reconnecting…${badge}`,
        tooltip: `ClassChat: connection lost${where}${connection.detail ? ` (${connection.detail})` : ''}; reconnecting by itself. Messages you send now go out once connected.`,
      };
    case 'disconnected':
      return {
        text: '$(debug-disconnect) ClassChat',
        tooltip: `ClassChat: disconnected${connection.detail ? ` (${connection.detail})` : ''}. Click to open the chat.`,
      };
  }
}
