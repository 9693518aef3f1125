/**
 * Errors that arise in the client itself (no server error code): a closed client, a lost
 * connection, a timeout, a full outbox, a key the client cannot trust. Errors the server reports are `ClassChatError`.
 */
export type ClientErrorCode =
  | 'closed'
  | 'connect_failed'
  | 'connection_lost'
  | 'not_connected'
  | 'timeout'
  | 'outbox_full'
  | 'busy'
  /** A private message to someone whose key this client has never seen. */
  | 'unknown_key'
  /** A private message to someone whose key changed and was not accepted yet. */
  | 'key_changed'
  /** The trust store could not load or save the pins. */
  | 'trust_store_failed'
  /** The room key store could not load or save the room sender keys. */
  | 'room_keys_failed'
  /** The device file could not be saved, or the recovery code not stored (devices/chat-devices.ts). */
  | 'devices_failed'
  /** The seen store (what an earlier client showed) could not load or save: a message may show twice. */
  | 'seen_store_failed'
  /** File transfers: the server broke the protocol, a party ended the transfer, or a local file failed. */
  | 'protocol'
  | 'declined'
  | 'cancelled'
  | 'expired'
  | 'file_closed'
  | 'transfer_failed'
  | 'file_read_failed'
  | 'file_write_failed'
  /** The received file failed verification (tampered, truncated or reordered): nothing was kept. */
  | 'file_corrupt'
  | 'bad_file'
  /** TLS could not be set up or the server's certificate is not the trusted or pinned one. */
  | 'tls_failed';

export class ChatClientError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ChatClientError';
  }
}
