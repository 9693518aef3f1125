/**
 * Errors that arise in the client itself (no server error code): a closed client, a lost
 * connection, a timeout, a full outbox. Errors the server reports are `ClassChatError`.
 */
export type ClientErrorCode =
  | 'closed'
  | 'connect_failed'
  | 'connection_lost'
  | 'not_connected'
  | 'timeout'
  | 'outbox_full'
  | 'busy';

export class ChatClientError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ChatClientError';
  }
}
