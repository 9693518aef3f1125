/**
 * The operator's roles: `classchat-server role NAME teacher|ta|student` (or `role` alone to list
 * them) on a stopped server's data directory, and `--roles FILE` (one `name role` per line), the
 * whole list of teachers and TAs, applied at start. Roles are never taken from a client (PROTOCOL.md 20.4).
 */
import { readFile } from 'node:fs/promises';
import { checkName } from '../protocol/names';
import { ROLES, Role } from '../protocol/room-frames';
import type { Store } from '../server/store/store';
import { createStore, StoreChoice } from './server-store';
import { UsageError } from './options';

function parseRole(text: string, where: string): Role {
  const role = text.toLowerCase();
  if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`${where}: the role must be teacher, ta or student, not "${text}"`);
  return role as Role;
}

function parseUser(text: string, where: string): string {
  const name = checkName(text);
  if (!name.ok) throw new UsageError(`${where}: "${text}" is not a valid user name`);
  return name.name;
}

/** Reads a roles file: `name role` per line, `#` comments and blank lines ignored; any bad line refuses the whole file. */
export function parseRolesFile(text: string, file: string): Map<string, Role> {
  const roles = new Map<string, Role>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const where = `${file} line ${index + 1}`;
    const fields = line.split(/\s+/);
    if (fields.length !== 2) throw new UsageError(`${where}: expected "name role", got "${line.slice(0, 80)}"`);
    const name = parseUser(fields[0], where);
    if (roles.has(name)) throw new UsageError(`${where}: ${name} is listed twice`);
    roles.set(name, parseRole(fields[1], where));
  });
  return roles;
}

export async function loadRolesFile(path: string): Promise<Map<string, Role>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--roles: cannot read ${path}: ${(error as Error).message}`);
  }
  return parseRolesFile(text, path);
}

/** Makes the file the whole list of teachers and TAs: a name it does not list is a student. */
export async function applyRoles(store: Store, roles: Map<string, Role>): Promise<void> {
  const current = await store.listRoles();
  for (const [name, role] of roles) if ((current.get(name) ?? 'student') !== role) await store.setRole(name, role);
  for (const name of current.keys()) if (!roles.has(name)) await store.setRole(name, 'student');
}

/** `classchat-server role [NAME ROLE]`: lists the roles, or sets one. */
export async function roleCommand(choice: StoreChoice, args: string[]): Promise<number> {
  if (args.length !== 0 && args.length !== 2) throw new UsageError('role takes NAME and ROLE (teacher, ta or student), or nothing to list the roles');
  const store = await createStore(choice);
  await store.open();
  try {
    if (args.length === 0) {
      const roles = [...(await store.listRoles())].sort(([a], [b]) => a.localeCompare(b));
      process.stdout.write(roles.length === 0 ? 'Everyone is a student: no teachers or TAs yet.\n' : roles.map(([name, role]) => `${name} ${role}\n`).join(''));
      return 0;
    }
    const name = parseUser(args[0], 'role');
    const role = parseRole(args[1], 'role');
    await store.setRole(name, role);
    process.stdout.write(`${name} is now ${role === 'ta' ? 'a TA' : `a ${role}`}${(await store.listUsers()).some((user) => user.name === name) ? '' : ' (from their first login)'}.\n`);
    return 0;
  } finally {
    await store.close();
  }
}
