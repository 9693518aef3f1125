/** User names: case-insensitive, stored lower-case, 1-32 of [a-z0-9_.-]. */
const NAME_PATTERN = /^[a-z0-9_.-]{1,32}$/;

/** Names with a meaning in the seed's plain-text protocol (`all:`) or in server notices. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['all', 'everyone', 'server', 'classchat']);

/** The recipient value meaning "everyone". */
export const EVERYONE = '*';

export type NameCheck = { ok: true; name: string } | { ok: false; code: 'invalid_name' | 'name_reserved' };

/** Normalises a user name (trim, lower-case) and checks it. */
export function checkName(raw: string): NameCheck {
  const name = raw.trim().toLowerCase();
  if (!NAME_PATTERN.test(name)) return { ok: false, code: 'invalid_name' };
  if (RESERVED_NAMES.has(name)) return { ok: false, code: 'name_reserved' };
  return { ok: true, name };
}
