/** Why a room request failed, in words a student can act on. Decided by error code, never by message text. */
import { ChatClientError } from '../client/errors';
import { ClassChatError } from '../protocol/errors';

/** `action` completes "Could not …", e.g. "create #lab-3". */
export function describeRoomError(error: unknown, action: string): string {
  const reason = roomErrorReason(error);
  return `Could not ${action}: ${reason}`;
}

function roomErrorReason(error: unknown): string {
  if (error instanceof ClassChatError || error instanceof ChatClientError) {
    switch (error.code) {
      case 'unknown_room':
        return 'there is no such room, or it is a group room you are not in.';
      case 'not_member':
        return 'you are not in that room.';
      case 'forbidden':
        return `your role does not allow it (${error.message}).`;
      case 'name_taken':
        return 'that name is already taken by a classmate or another room. Choose another name.';
      case 'invalid_room_name':
      case 'name_reserved':
        return `${error.message}.`;
      case 'unknown_user':
        return `${error.message}.`;
      case 'room_full':
        return `a room limit was reached (${error.message}).`;
      case 'muted':
        return `you are muted (${error.message}).`;
      case 'unsupported_version':
        return 'this server has no rooms (it is older than this extension).';
      case 'not_connected':
      case 'connection_lost':
      case 'closed':
        return 'not connected to the server. Connect and try again.';
      case 'timeout':
        return 'the server did not answer in time. Try again.';
      default:
        return `${error.message}.`;
    }
  }
  return `${error instanceof Error ? error.message : String(error)}.`;
}
