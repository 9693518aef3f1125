/**
 * Errors from the client, the server or the settings, in words a student can act on, with the
 * actions the notification offers. Decided by error code, never by parsing message text.
 */
import { ChatClientError } from '../client/errors';
import { ClassChatError } from '../protocol/errors';
import { SettingsError } from './settings';

export type ErrorAction = 'retry' | 'openSettings';

export interface ErrorText {
  message: string;
  actions: ErrorAction[];
  /** The setting to open with "Open Settings". */
  setting?: string;
}

/** Node socket error codes that mean "nobody answered at that address". */
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET']);

export function describeConnectError(error: unknown, server: string, name: string): ErrorText {
  if (error instanceof SettingsError) return { message: error.message, actions: ['openSettings'], setting: error.setting };
  if (error instanceof ClassChatError) {
    switch (error.code) {
      case 'name_taken':
        return {
          message: `The name "${name}" on ${server} belongs to someone else (another key). Choose another name, or, if it is yours from another computer, ask whoever runs the server to free it.`,
          actions: ['openSettings'],
          setting: 'classchat.userName',
        };
      case 'invalid_name':
      case 'name_reserved':
        return { message: `The server does not accept the name "${name}": ${error.message}`, actions: ['openSettings'], setting: 'classchat.userName' };
      case 'join_code_required':
        return { message: `${server} needs a join code to register a new name. Ask your teacher for it and put it in the ClassChat join code setting.`, actions: ['openSettings'], setting: 'classchat.joinCode' };
      case 'bad_join_code':
        return { message: `The join code for ${server} is wrong. Check it with your teacher.`, actions: ['openSettings'], setting: 'classchat.joinCode' };
      case 'unsupported_version':
        return { message: `${server} speaks a different ClassChat version than this extension. Update the extension or the server.`, actions: [] };
      case 'bad_signature':
        return { message: `${server} did not accept your identity key's signature. Try again; if it keeps failing, the server may be misbehaving.`, actions: ['retry'] };
      case 'too_many_connections':
        return { message: `${server} refused the connection: too many connections from your address. Try again in a moment.`, actions: ['retry'] };
      case 'server_shutdown':
        return { message: `${server} is shutting down. Try again when it is back.`, actions: ['retry'] };
      case 'replaced':
        return { message: `You connected as "${name}" somewhere else, so this connection was closed.`, actions: ['retry'] };
      case 'tls_required':
        return {
          message: `${server} accepts only encrypted (TLS) connections. Turn on classchat.tls.enabled and put the certificate fingerprint your teacher gives you in classchat.tls.fingerprint.`,
          actions: ['openSettings'],
          setting: 'classchat.tls',
        };
      default:
        return { message: `${server} refused the connection: ${error.message}`, actions: ['retry', 'openSettings'], setting: 'classchat.host' };
    }
  }
  if (error instanceof ChatClientError) {
    if (error.code === 'timeout') {
      return { message: `${server} did not answer in time. Check the server address and port, and that the server is running.`, actions: ['retry', 'openSettings'], setting: 'classchat.host' };
    }
    if (error.code === 'connect_failed') {
      return {
        message: `Cannot reach a ClassChat server at ${server} (${error.message}). Check the address and port in the settings, and that the server is running (or use "ClassChat: Start Local Server").`,
        actions: ['retry', 'openSettings'],
        setting: 'classchat.host',
      };
    }
    if (error.code === 'tls_failed') {
      return { message: `Could not connect securely: ${error.message}`, actions: ['retry', 'openSettings'], setting: 'classchat.tls' };
    }
    if (error.code === 'trust_store_failed') return { message: `Could not read or save your classmates' keys: ${error.message}`, actions: ['retry'] };
    return { message: `Could not connect to ${server}: ${error.message}`, actions: ['retry', 'openSettings'], setting: 'classchat.host' };
  }
  const code = error instanceof Error && 'code' in error ? String(error.code) : undefined;
  if (code !== undefined && UNREACHABLE.has(code)) {
    return {
      message: `Cannot reach a ClassChat server at ${server}. Check the address and port in the settings, and that the server is running (or use "ClassChat: Start Local Server").`,
      actions: ['retry', 'openSettings'],
      setting: 'classchat.host',
    };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { message: `Could not connect to ${server}: ${detail}`, actions: ['retry', 'openSettings'], setting: 'classchat.host' };
}

/** Why a send failed, for the line under the message. */
export function describeSendError(error: unknown): string {
  if (error instanceof ClassChatError || error instanceof ChatClientError) {
    switch (error.code) {
      case 'unknown_user':
        return 'There is no such user on this server.';
      case 'key_changed':
        return 'Not sent: this classmate’s key changed. Check it with them before sending again.';
      case 'no_key':
        return 'Not sent: this classmate uses a plain-text client, so the message cannot be encrypted.';
      case 'unknown_key':
        return 'Not sent: this classmate’s key is not known yet. Try again once connected.';
      case 'text_too_long':
        return 'Not sent: the message is too long.';
      case 'closed':
        return 'Not sent: you disconnected before the server stored it.';
      case 'outbox_full':
        return 'Not sent: too many messages are waiting for the server.';
      case 'unknown_room':
        return 'Not sent: there is no such room (or you cannot see it).';
      case 'not_member':
        return 'Not sent: you are not in this room.';
      case 'read_only':
        return 'Not sent: only teachers and TAs can post here right now.';
      default:
        return `Not sent: ${error.message}`;
    }
  }
  return `Not sent: ${error instanceof Error ? error.message : String(error)}`;
}
