/** `classchat` command line: parsing and validation into a typed command. */
import { parseArgs } from 'node:util';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { defaultKeyPath } from '../client/key-store';
import { parseFingerprint } from '../protocol/cert-fingerprint';
import { checkName, EVERYONE } from '../protocol/names';
import { parsePort, UsageError } from './options';
import { deviceLabel } from './device-label';
import { parseServerList, type ServerAddress } from '../client/server-list';

export const USAGE = `Usage:
  classchat [options]                       chat interactively
  classchat send --to NAME [options] TEXT   send one message and exit (--to all for everyone)
  classchat --devices [--label NAME] [options]
                                            chat with linked devices: the first time, this
                                            computer becomes your primary and a recovery code
                                            is printed once, to write down
  classchat link [--label NAME] [options]   link this computer to your name: prints a code to
                                            type on your primary (/devices approve CODE), then chats
  classchat recover [--label NAME] [options]
                                            every device lost: type your recovery code (read
                                            from stdin); this computer becomes your primary
  classchat send-file --to NAME [options] PATH [PATH...]
                                            send files (end-to-end encrypted) and exit once
                                            the server holds them; NAME gets them even when offline

Options:
  --host HOST        server address (default 127.0.0.1)
  --port PORT        server port (default 5050)
  --server HOST:PORT,HOST:PORT  the nodes of one server (sharing a database): connects to the
                     first, and after a lost connection to the next (instead of --host/--port)
  --name NAME        your user name (default: your OS user name)
  --join-code CODE   the class join code, needed the first time a name registers
  --tls              connect with TLS, trusting the system's certificate authorities
  --tls-fingerprint FP  connect with TLS to the server whose certificate has this SHA-256
                     fingerprint (from whoever runs the server; self-signed is fine)
  --tls-ca FILE      connect with TLS, trusting the certificate(s) in this PEM file
  --key-file PATH    your identity key (default ~/.classchat/keys/<host>-<port>/<name>.json;
                     $CLASSCHAT_HOME replaces ~/.classchat)
  --to NAME          send, send-file: the recipient ("all" / "*" for everyone: send only)
  --timeout SECONDS  send, send-file: give up when the server has not taken the message or
                     the file's offer after this long (default 30)
  --download-dir DIR chat: where /accept saves files (default: the current directory)
  --unencrypted      send: allow a private message to a plain-text user, who has no key
                     (the server can read it; private messages to others are always encrypted)
  --devices          chat with linked devices (on by itself once this computer is one)
  --label NAME       this computer's name in your device list, seen by classmates
                     (default: the host name; keep it neutral, e.g. "Laptop")
  -h, --help         show this help

In the chat: type to send to everyone, "@bob hi" to send to bob only (end-to-end
encrypted), "#lab-3 hi" to send to a room, /rooms, /create, /join, /leave, /add,
/remove, /members, /send bob PATH, /accept N [DIR], /decline N, /cancel N, /files, /who,
/history [name|all|#room] [n], /verify bob, /accept-key bob, /devices, /help, /quit.
Keys of classmates are pinned the first time they are seen, in <key file>.trust.json.

Exit status: 0 ok, 1 failed (cannot connect, refused, timed out), 2 wrong usage.`;

export interface ConnectionSettings {
  host: string;
  port: number;
  /** The other nodes from --server, tried in turn after a lost connection. */
  servers?: ServerAddress[];
  name: string;
  joinCode?: string;
  keyFile: string;
  /** TLS when set: verified by the system CAs, a CA file, or a pinned fingerprint. */
  tls?: { caFile?: string; fingerprint?: string };
  /** Linked devices (--devices, classchat link): this computer's label. */
  devices?: { label: string };
}

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'chat'; settings: ConnectionSettings; downloadDir: string; link?: 'link' | 'recover' }
  | { kind: 'send-file'; settings: ConnectionSettings; to: string; paths: string[]; timeoutMs: number }
  | { kind: 'send'; settings: ConnectionSettings; to: string; text: string; timeoutMs: number; unencrypted: boolean };

/** Parses argv (without node and script); throws UsageError with a message a person can act on. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env, osUser: () => string = osUserName): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '5050' },
        server: { type: 'string' },
        name: { type: 'string' },
        'join-code': { type: 'string' },
        'key-file': { type: 'string' },
        tls: { type: 'boolean', default: false },
        'tls-ca': { type: 'string' },
        'tls-fingerprint': { type: 'string' },
        to: { type: 'string' },
        timeout: { type: 'string' },
        unencrypted: { type: 'boolean', default: false },
        'download-dir': { type: 'string' },
        devices: { type: 'boolean', default: false },
        label: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };

  let host = values.host.trim();
  if (host === '' || /\s/.test(host)) throw new UsageError(`--host must be a host name or address, not "${values.host}"`);
  let port = parsePort(values.port, '--port');
  let servers: ServerAddress[] = [];
  if (values.server !== undefined) {
    try {
      [{ host, port }, ...servers] = parseServerList(values.server, port);
      for (const server of [{ host, port }, ...servers]) parsePort(String(server.port), '--server');
    } catch (error) {
      throw new UsageError(`--server must be HOST:PORT,HOST:PORT...: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const name = values.name === undefined ? nameFromOs(osUser) : checkedName(values.name, '--name');
  if (values['join-code'] !== undefined && values['join-code'].trim() === '') throw new UsageError('--join-code must not be empty');
  if (values['key-file'] !== undefined && values['key-file'].trim() === '') throw new UsageError('--key-file must not be empty');
  const keyFile = values['key-file'] !== undefined ? resolve(values['key-file']) : defaultKeyPath(host, port, name, env);
  const settings: ConnectionSettings = { host, port, name, keyFile, ...(values['join-code'] ? { joinCode: values['join-code'].trim() } : {}), ...(servers.length > 0 ? { servers } : {}) };
  const tls = tlsSettings(values.tls, values['tls-ca'], values['tls-fingerprint']);
  if (tls) settings.tls = tls;

  const [command, ...rest] = positionals;
  const setup = command === 'link' || command === 'recover' ? command : undefined;
  if (values.devices || values.label !== undefined || setup) settings.devices = { label: deviceLabel(values.label) };
  if (setup) {
    if (rest.length > 0 || values.to !== undefined) throw new UsageError(`classchat ${setup} takes no text and no --to`);
    return { kind: 'chat', settings, downloadDir: resolve(values['download-dir'] ?? '.'), link: setup };
  }
  if (settings.devices && command !== undefined) throw new UsageError('--devices and --label belong to the chat (classchat), classchat link and classchat recover');
  if (command === undefined) {
    if (values.to !== undefined || values.timeout !== undefined || values.unencrypted) throw new UsageError('--to, --timeout and --unencrypted belong to "classchat send"');
    const rawDir = values['download-dir'];
    if (rawDir !== undefined && rawDir.trim() === '') throw new UsageError('--download-dir must not be empty');
    return { kind: 'chat', settings, downloadDir: resolve(rawDir ?? '.') };
  }
  if (command !== 'send' && command !== 'send-file') throw new UsageError(`unknown command "${command}" (did you mean: classchat send --to NAME "${command}"?)`);
  if (values['download-dir'] !== undefined) throw new UsageError('--download-dir belongs to the interactive chat (classchat without a command)');
  if (values.to === undefined) throw new UsageError(`${command} needs --to NAME${command === 'send' ? ' (or --to all for everyone)' : ''}`);
  const timeoutMs = timeout(values.timeout);
  if (command === 'send-file') {
    if (values.unencrypted) throw new UsageError('files are always end-to-end encrypted: send-file takes no --unencrypted');
    const to = recipient(values.to);
    if (to === EVERYONE) throw new UsageError('send-file sends to one person: --to NAME, not everyone');
    if (rest.length === 0) throw new UsageError('send-file needs at least one file, e.g. classchat send-file --to bob report.pdf');
    if (rest.some((path) => path.trim() === '')) throw new UsageError('send-file: a file path must not be empty');
    return { kind: 'send-file', settings, to, paths: rest, timeoutMs };
  }
  const to = recipient(values.to);
  const text = rest.join(' ');
  if (text.trim() === '') throw new UsageError('send needs the message text, e.g. classchat send --to bob "hello"');
  return { kind: 'send', settings, to, text, timeoutMs, unencrypted: values.unencrypted };
}

function timeout(raw: string | undefined): number {
  const seconds = raw === undefined ? 30 : Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 24 * 3600) throw new UsageError(`--timeout must be a number of seconds above 0, not "${raw}"`);
  return Math.round(seconds * 1000);
}

/** --tls-ca and --tls-fingerprint each imply --tls. */
function tlsSettings(tls: boolean, caFile: string | undefined, fingerprint: string | undefined): ConnectionSettings['tls'] {
  if (!tls && caFile === undefined && fingerprint === undefined) return undefined;
  const settings: NonNullable<ConnectionSettings['tls']> = {};
  if (caFile !== undefined) {
    if (caFile.trim() === '') throw new UsageError('--tls-ca must not be empty');
    settings.caFile = resolve(caFile);
  }
  if (fingerprint !== undefined) {
    const parsed = parseFingerprint(fingerprint);
    if (parsed === undefined) throw new UsageError(`--tls-fingerprint must be a SHA-256 fingerprint: 64 hex digits, colons optional (e.g. from "classchat-server gen-cert"), not "${fingerprint}"`);
    settings.fingerprint = parsed;
  }
  return settings;
}

/** "all", "everyone" and "*" mean everyone; anything else must be a valid user name. */
export function recipient(raw: string): string {
  const value = raw.trim().toLowerCase();
  if (value === EVERYONE || value === 'all' || value === 'everyone') return EVERYONE;
  return checkedName(raw, '--to');
}

function checkedName(raw: string, option: string): string {
  const checked = checkName(raw);
  if (checked.ok) return checked.name;
  if (checked.code === 'name_reserved') throw new UsageError(`${option}: "${raw.trim()}" is a reserved name`);
  throw new UsageError(`${option}: "${raw}" is not a valid user name (1-32 of a-z, 0-9, "_", "." and "-")`);
}

/** The OS account name, normalised to a valid user name ("John Smith" → "john_smith"). */
export function nameFromOs(osUser: () => string): string {
  let raw = '';
  try {
    raw = osUser();
  } catch {
    // Some containers have no passwd entry; fall through to the usage error.
  }
  const candidate = raw.trim().toLowerCase().replace(/[^a-z0-9_.-]+/g, '_').slice(0, 32);
  const checked = checkName(candidate);
  if (!checked.ok) throw new UsageError(`cannot make a user name from your OS account name "${raw}"; pass --name NAME`);
  return checked.name;
}

function osUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? '';
  }
}
