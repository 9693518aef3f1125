/**
 * Where a device keeps what it is (PROTOCOL.md 22.1): its own key pair and id, the person's
 * identity key (public), whether it is the primary (then the identity secret is in the ordinary
 * KeyStore next to it), its newest own list (so a rollback is caught after a restart), and what
 * the next login must still do (publish a list, make a recovery code).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { deviceIdSchema, deviceListSchema, DeviceListWire } from '../../protocol/device-frames';
import { readPrivateFile, writePrivateFile } from '../private-file';
import type { DeviceKeys } from './device-session';

export interface DeviceRecord {
  device: DeviceKeys;
  /** The person's identity key (base64): the key in the roster and in safety numbers. */
  identityKey: string;
  /** The primary holds the identity secret (in the KeyStore); a linked device does not. */
  role: 'primary' | 'linked';
  /** The newest list of this user's devices this device accepted. */
  list?: DeviceListWire;
  /** A list the next login publishes (the first one, or after recovery). */
  publish?: DeviceListWire;
  /** The next login makes a recovery code (first connect, recovery). */
  needsRecoveryCode?: boolean;
}

export interface DeviceKeyStore {
  load(): Promise<DeviceRecord | undefined>;
  save(record: DeviceRecord): Promise<void>;
}

export class MemoryDeviceKeyStore implements DeviceKeyStore {
  constructor(private record?: DeviceRecord) {}

  async load(): Promise<DeviceRecord | undefined> {
    return this.record && structuredClone(this.record);
  }

  async save(record: DeviceRecord): Promise<void> {
    this.record = structuredClone(record);
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const recordSchema = z.object({
  format: z.literal('classchat-device-v1'),
  device: z.object({ id: deviceIdSchema, label: z.string().min(1).max(64), publicKey: z.string().length(44).regex(BASE64), secretKey: z.string().length(88).regex(BASE64) }),
  identityKey: z.string().length(44).regex(BASE64),
  role: z.enum(['primary', 'linked']),
  list: deviceListSchema.optional(),
  publish: deviceListSchema.optional(),
  needsRecoveryCode: z.boolean().optional(),
});

export class DeviceFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'DeviceFileError';
  }
}

/** The record as a JSON file only its owner may read (like the identity key file: private-file.ts). */
export class FileDeviceKeyStore implements DeviceKeyStore {
  constructor(readonly path: string) {}

  async load(): Promise<DeviceRecord | undefined> {
    const text = await readPrivateFile(this.path, 'device key file', (message) => new DeviceFileError(this.path, message));
    if (text === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new DeviceFileError(this.path, `device key file ${this.path} is not valid JSON`);
    }
    const parsed = recordSchema.safeParse(value);
    if (!parsed.success) throw new DeviceFileError(this.path, `${this.path} is not a ClassChat device key file`);
    const { format: _format, ...record } = parsed.data;
    return record;
  }

  async save(record: DeviceRecord): Promise<void> {
    await writePrivateFile(this.path, JSON.stringify({ format: 'classchat-device-v1', ...record }, null, 2) + '\n');
  }
}

/** The CLI's device file: next to the key file (key-store.ts), `<name>.device.json`. */
export function defaultDevicePath(host: string, port: number, name: string, env: NodeJS.ProcessEnv = process.env): string {
  const home = env.CLASSCHAT_HOME || join(homedir(), '.classchat');
  const server = `${host.replace(/[^A-Za-z0-9.-]/g, '_')}-${port}`;
  return join(home, 'keys', server, `${name}.device.json`);
}
