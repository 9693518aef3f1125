/** Small decisions the client makes about names, versions and server errors. */
import { ClassChatError, ErrorCode, isErrorCode } from '../protocol/errors';
import type { ServerFrameOf } from '../protocol/frames';
import { CLIENT_PROTOCOL_VERSIONS } from '../protocol/limits';
import { checkName, EVERYONE } from '../protocol/names';

/**
 * Failures that retrying cannot fix: the client stops instead of reconnecting. Everything else
 * (lost connection, timeouts, server_shutdown, storage_failed, too_many_connections, ...) is retried.
 */
const PERMANENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'unsupported_version',
  'invalid_name',
  'name_reserved',
  'name_taken',
  'bad_signature',
  'join_code_required',
  'bad_join_code',
  'too_many_attempts',
  'registration_limited',
  'server_full',
  'replaced',
  'tls_required',
  'unknown_device',
  'device_removed',
  'bad_device_list',
]);

export function isPermanent(code: ErrorCode): boolean {
  return PERMANENT.has(code);
}

/** The highest version both sides speak, or undefined. */
export function pickVersion(offered: readonly number[], ours: readonly number[] = CLIENT_PROTOCOL_VERSIONS): number | undefined {
  const common = offered.filter((v) => ours.includes(v));
  return common.length > 0 ? Math.max(...common) : undefined;
}

/** The normalised user name, or a ClassChatError saying what is wrong with it. */
export function checkClientName(raw: string): string {
  const checked = checkName(raw);
  if (checked.ok) return checked.name;
  if (checked.code === 'name_reserved') throw new ClassChatError('name_reserved', `"${raw.trim()}" is reserved; choose another name`);
  throw new ClassChatError('invalid_name', `"${raw}" is not a valid name: use 1-32 of a-z, 0-9, "_", "." and "-"`);
}

/** "*" (everyone) or a normalised user name. */
export function checkRecipient(raw: string): string {
  if (raw === EVERYONE) return EVERYONE;
  const checked = checkName(raw);
  if (checked.ok) return checked.name;
  if (checked.code === 'name_reserved') throw new ClassChatError('unknown_user', `there is no user "${raw.trim()}" (use "*" for everyone)`);
  throw new ClassChatError('invalid_name', `"${raw}" is not a valid user name`);
}

export function serverError(frame: ServerFrameOf<'error'>): ClassChatError {
  const code: ErrorCode = isErrorCode(frame.code) ? frame.code : 'internal';
  return new ClassChatError(code, frame.message || undefined);
}

export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
