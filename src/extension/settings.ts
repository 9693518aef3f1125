/**
 * The extension's settings, read through a plain getter so they can be checked without vscode.
 * VS Code validates the schema in the Settings editor, but settings.json can hold anything: each
 * value is checked here again, and a bad one is reported with the setting's name.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { parseFingerprint } from '../protocol/cert-fingerprint';
import { checkName } from '../protocol/names';
import { NOTIFICATION_LEVELS, NotificationLevel } from './notification-rules';
import { parseServerList, type ServerAddress } from '../client/server-list';

export const SETTINGS_SECTION = 'classchat';

export interface ConnectionSettings {
  host: string;
  port: number;
  /** Other nodes of the same server (classchat.servers), tried in turn after a lost connection. */
  servers: ServerAddress[];
  /** Normalised user name, or undefined when none is set (Connect then asks). */
  userName: string | undefined;
  joinCode: string | undefined;
  autoConnect: boolean;
  /** TLS when classchat.tls.enabled: the pin (canonical) and/or an absolute CA file path. */
  tls: TlsSettings | undefined;
}

export interface TlsSettings {
  fingerprint?: string;
  caFile?: string;
}

export interface LocalServerSettings {
  host: '127.0.0.1' | '0.0.0.0';
  port: number;
  /** Undefined: the extension's global storage. */
  dataDir: string | undefined;
}

/** A setting whose value cannot be used, in words for the user. */
export class SettingsError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** `get('port')` returns the value of `classchat.port` (or undefined when unset). */
export type SettingGetter = (key: string) => unknown;

export function readConnectionSettings(get: SettingGetter): ConnectionSettings {
  const host = stringSetting(get, 'host', '127.0.0.1').trim();
  if (host === '' || /\s/.test(host)) throw new SettingsError('classchat.host', 'The server address (classchat.host) must be a host name or IP address without spaces.');
  const settings: ConnectionSettings = {
    host,
    port: portSetting(get, 'port', 5050, 1),
    servers: [],
    userName: userNameSetting(get),
    joinCode: stringSetting(get, 'joinCode', '').trim() || undefined,
    autoConnect: booleanSetting(get, 'autoConnect', false),
    tls: tlsSettings(get),
  };
  settings.servers = serverListSetting(get, 'servers', settings.port);
  return settings;
}

/** At most this many other nodes (a school runs a handful). */
export const MAX_SERVERS = 16;

/** `["host:port", …]`; a bare host takes classchat.port. */
function serverListSetting(get: SettingGetter, key: string, defaultPort: number): ServerAddress[] {
  const value = get(key);
  if (value === undefined || value === null) return [];
  const example = 'such as ["chat2.school.example:5050", "chat3.school.example:5050"]';
  if (!Array.isArray(value) || value.length > MAX_SERVERS || !value.every((entry) => typeof entry === 'string')) {
    throw new SettingsError(`classchat.${key}`, `classchat.${key} must be a list of at most ${MAX_SERVERS} addresses (host:port), ${example}; not ${JSON.stringify(value).slice(0, 80)}.`);
  }
  const servers: ServerAddress[] = [];
  for (const entry of value as string[]) {
    const problem = `classchat.${key} has "${entry.slice(0, 80)}", which is not host or host:port (port 1-65535), ${example}.`;
    let address: ServerAddress;
    try {
      [address] = parseServerList(entry, defaultPort);
    } catch {
      throw new SettingsError(`classchat.${key}`, problem);
    }
    if (entry.includes(',') || address.port < 1 || address.port > 65535) throw new SettingsError(`classchat.${key}`, problem);
    servers.push(address);
  }
  return servers;
}

/** Read only when classchat.tls.enabled is on; `home` expands a leading "~/" in the CA file path. */
function tlsSettings(get: SettingGetter, home = homedir()): TlsSettings | undefined {
  const enabled = booleanSetting(get, 'tls.enabled', false);
  const rawFingerprint = stringSetting(get, 'tls.fingerprint', '').trim();
  const rawCaFile = stringSetting(get, 'tls.caFile', '').trim();
  if (!enabled) return undefined;
  const settings: TlsSettings = {};
  if (rawFingerprint !== '') {
    const fingerprint = parseFingerprint(rawFingerprint);
    if (fingerprint === undefined) {
      throw new SettingsError('classchat.tls.fingerprint', `The server certificate fingerprint (classchat.tls.fingerprint) must be 64 hex digits (SHA-256, colons optional), as whoever runs the server gave it; not "${rawFingerprint}".`);
    }
    settings.fingerprint = fingerprint;
  }
  if (rawCaFile !== '') {
    const caFile = rawCaFile.startsWith('~/') ? join(home, rawCaFile.slice(2)) : rawCaFile;
    if (!isAbsolute(caFile)) throw new SettingsError('classchat.tls.caFile', `The CA file (classchat.tls.caFile) must be a full path, such as /home/you/classchat/cert.pem, not "${rawCaFile}".`);
    settings.caFile = caFile;
  }
  return settings;
}

/**
 * Which messages notify (classchat.notifications): 'mentionsAndPrivate' (the default), 'all' or
 * 'none'. The setting used to be true/false: true reads as the default, false as 'none'.
 */
export function readNotificationLevel(get: SettingGetter): NotificationLevel {
  const value = get('notifications');
  if (typeof value === 'boolean') return value ? 'mentionsAndPrivate' : 'none';
  return choiceSetting(get, 'notifications', NOTIFICATION_LEVELS, 'mentionsAndPrivate');
}

export function readLocalServerSettings(get: SettingGetter): LocalServerSettings {
  const host = stringSetting(get, 'localServer.host', '127.0.0.1');
  if (host !== '127.0.0.1' && host !== '0.0.0.0') {
    throw new SettingsError('classchat.localServer.host', 'classchat.localServer.host must be "127.0.0.1" (this computer only) or "0.0.0.0" (your network).');
  }
  return {
    host,
    port: portSetting(get, 'localServer.port', 5050, 0),
    dataDir: stringSetting(get, 'localServer.dataDir', '').trim() || undefined,
  };
}

/**
 * The folder the Save dialog opens in (classchat.downloadFolder): the setting, "~/" expanded;
 * empty means the Downloads folder in `home` when there is one, else `home` itself.
 */
export function readDownloadFolder(get: SettingGetter, home: string, isDirectory: (path: string) => boolean): string {
  const raw = stringSetting(get, 'downloadFolder', '').trim();
  if (raw === '') {
    const downloads = join(home, 'Downloads');
    return isDirectory(downloads) ? downloads : home;
  }
  const folder = raw === '~' ? home : raw.startsWith('~/') ? join(home, raw.slice(2)) : raw;
  if (!isAbsolute(folder)) {
    throw new SettingsError('classchat.downloadFolder', `The download folder (classchat.downloadFolder) must be a full path, such as ${join(home, 'Downloads')}, not "${raw}".`);
  }
  return folder;
}

/** Why `raw` cannot be a user name, or undefined when it can (used by the input box too). */
export function userNameProblem(raw: string): string | undefined {
  if (raw.trim() === '') return 'Type a name.';
  const checked = checkName(raw);
  if (checked.ok) return undefined;
  if (checked.code === 'name_reserved') return `"${raw.trim()}" is reserved; choose another name.`;
  return 'Use 1-32 characters: a-z, 0-9, "_", "." and "-".';
}

/** A name to suggest from the OS user name: lower-cased, other characters dropped; undefined if nothing usable is left. */
export function suggestUserName(osUserName: string): string | undefined {
  const cleaned = osUserName.toLowerCase().replace(/[^a-z0-9_.-]/g, '').slice(0, 32);
  const checked = checkName(cleaned);
  return checked.ok ? checked.name : undefined;
}

function userNameSetting(get: SettingGetter): string | undefined {
  const raw = stringSetting(get, 'userName', '');
  if (raw.trim() === '') return undefined;
  const problem = userNameProblem(raw);
  if (problem) throw new SettingsError('classchat.userName', `Your user name (classchat.userName) "${raw}" cannot be used: ${problem}`);
  const checked = checkName(raw);
  return checked.ok ? checked.name : undefined;
}

function stringSetting(get: SettingGetter, key: string, fallback: string): string {
  const value = get(key);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw new SettingsError(`classchat.${key}`, `classchat.${key} must be text, not ${JSON.stringify(value)}.`);
  return value;
}

function choiceSetting<T extends string>(get: SettingGetter, key: string, choices: readonly T[], fallback: T): T {
  const value = get(key);
  if (value === undefined || value === null) return fallback;
  const chosen = choices.find((choice) => choice === value);
  if (chosen === undefined) throw new SettingsError(`classchat.${key}`, `classchat.${key} must be one of ${choices.map((c) => `"${c}"`).join(', ')}, not ${JSON.stringify(value)}.`);
  return chosen;
}

function booleanSetting(get: SettingGetter, key: string, fallback: boolean): boolean {
  const value = get(key);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new SettingsError(`classchat.${key}`, `classchat.${key} must be true or false, not ${JSON.stringify(value)}.`);
  return value;
}

function portSetting(get: SettingGetter, key: string, fallback: number, min: 0 | 1): number {
  const value = get(key);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 65535) {
    throw new SettingsError(`classchat.${key}`, `classchat.${key} must be a whole number from ${min} to 65535, not ${JSON.stringify(value)}.`);
  }
  return value;
}
