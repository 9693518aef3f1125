/**
 * Error codes carried by `error` frames and by `ClassChatError` on the client.
 * Shared by server, client and UI so each can act on the code, not the text.
 */
export const ERROR_CODES = {
  bad_utf8: 'The line is not valid UTF-8.',
  bad_json: 'The line is not a JSON object.',
  line_too_long: 'The line is longer than the maximum line length.',
  invalid_frame: 'A field of the frame is missing or has the wrong type.',
  unknown_type: 'The frame type is not known to this server.',
  unsupported_version: 'The server does not speak that protocol version.',
  not_logged_in: 'Log in before sending this frame.',
  already_logged_in: 'This connection is already logged in.',
  login_timeout: 'No login arrived in time.',
  invalid_name: 'User names are 1-32 characters of a-z, 0-9, "_", "." and "-".',
  name_reserved: 'That name is reserved.',
  name_taken: 'That name belongs to another key.',
  bad_signature: 'The login signature does not match the challenge and key.',
  join_code_required: 'A join code is needed to register a new name on this server.',
  bad_join_code: 'The join code is wrong.',
  too_many_attempts: 'Too many wrong join codes were tried; wait ten minutes and try again.',
  registration_limited: 'Too many new names were registered from your address or on this server lately; try again in an hour or ask your teacher.',
  server_full: 'This server has as many users as its operator allows; ask your teacher.',
  unknown_user: 'There is no user with that name.',
  no_key: 'That user has no key, so an encrypted message cannot be sent to them.',
  text_too_long: 'The message is longer than the maximum text length.',
  rate_limited: 'Too many messages; slow down and send again.',
  too_many_connections: 'Too many connections from this address.',
  slow_consumer: 'The connection read too slowly and was closed; missed messages stay queued.',
  replaced: 'The same user logged in from another connection.',
  abuse: 'Too many errors on this connection.',
  files_disabled: 'This server does not relay files.',
  file_too_large: 'The file is larger than this server accepts.',
  quota_exceeded: "Storage for files on this server is full: the recipient's, the sender's or the whole server's (the message says which).",
  unknown_file: 'There is no such file transfer, or it is not yours.',
  file_closed: 'The file transfer has ended (delivered, declined, cancelled or expired).',
  bad_chunk: 'A file chunk has the wrong index or length.',
  bad_binary_frame: 'A binary file chunk is malformed, so the connection cannot be read further.',
  storage_failed: 'The server could not store the message; send it again later.',
  server_shutdown: 'The server is shutting down.',
  tls_required: 'This server accepts only TLS connections: connect with TLS.',
  // v3 (PROTOCOL.md section 20.8)
  invalid_room_name: 'Room names are 1-32 characters of a-z, 0-9, "_", "." and "-".',
  unknown_room: 'There is no such room, or it is not one you can see.',
  not_member: 'You are not a member of that room.',
  forbidden: 'Your role does not allow that.',
  read_only: 'Only teachers and TAs can write here right now.',
  muted: 'You are muted for a while.',
  banned: 'This name is banned from the server.',
  room_full: 'Too many members or rooms.',
  bad_ref: 'That message does not exist in this conversation, or you may not change it.',
  too_many_blocks: 'You have blocked as many names as allowed; unblock someone first.',
  // v4 (PROTOCOL.md section 22.11)
  bad_device_list: 'The device list is not signed by the identity key, not newer than the current one, or malformed.',
  unknown_device: 'That device is not in the current device list of this name.',
  device_removed: 'This device was removed from the account.',
  device_list_changed: "The recipient's or your own devices changed: encrypt to the current lists and send again.",
  too_many_devices: 'This name already has as many devices as allowed.',
  no_device_online: 'None of the devices of that name is online to approve the link.',
  unknown_link: 'There is no such device link, or it has ended.',
  link_limited: 'Too many device links were tried lately; wait an hour.',
  no_recovery: 'No recovery code was set up for that name.',
  internal: 'Internal server error.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/** An error with a protocol error code; what the client library rejects and emits. */
export class ClassChatError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CODES[code],
  ) {
    super(message);
    this.name = 'ClassChatError';
  }
}
