/**
 * Making a ChatClient device before its first login (PROTOCOL.md 22.3, 22.8): linking this
 * computer to a name another device of the person approves, or recovering the name with its
 * recovery code. Each runs on a connection of its own that never logs in, saves the device
 * record (and, on recovery, the identity), and closes; `new ChatClient({ devices })` logs in.
 */
import type { BundlePin } from '../../protocol/device-frames';
import type { KeyStore } from '../key-store';
import type { TrustStore } from '../trust-store';
import { provisionNewDevice } from './device-link';
import type { DeviceKeyStore } from './device-key-store';
import { recoverKeys } from './device-recovery';
import { openConnection } from './device-session';

export interface LinkDeviceOptions {
  host: string;
  port: number;
  name: string;
  label: string;
  /** Shown the 6-digit code ("123 456"): resolve true once the primary shows the same one. */
  confirm: (code: string) => Promise<boolean>;
  store: DeviceKeyStore;
  /** Gets the primary's pins (with its verified marks), so this computer trusts whom the primary trusts. */
  trustStore?: TrustStore;
}

/** Links this computer as a new device of `name`; resolves once the primary approved it and the record is saved. */
export async function linkDevice(options: LinkDeviceOptions): Promise<{ identityKey: string; pins: BundlePin[] }> {
  const opened = await openConnection(options.host, options.port);
  try {
    const { device, identityKey, bundle } = await provisionNewDevice(options, opened);
    if (options.trustStore) await importPins(options.trustStore, bundle.pins);
    await options.store.save({ device, identityKey, role: 'linked', list: bundle.list });
    return { identityKey, pins: bundle.pins };
  } finally {
    opened.connection.destroy();
  }
}

/** Adds the bundle's pins to the store; a pin already there (this computer's own decision) is kept. */
async function importPins(store: TrustStore, pins: readonly BundlePin[]): Promise<void> {
  const stored = await store.load();
  for (const pin of pins) if (!stored.has(pin.name)) stored.set(pin.name, { publicKey: pin.key, verified: pin.verified, pinnedAt: Date.now() });
  await store.save(stored);
}

export interface RecoverDeviceOptions {
  host: string;
  port: number;
  name: string;
  /** The recovery code written down at the first connect (any case, with or without dashes). */
  code: string;
  label: string;
  store: DeviceKeyStore;
  /** Gets the recovered identity: this computer becomes the primary. */
  keyStore: KeyStore;
}

/**
 * Recovers `name` when every device is lost: a mistyped or wrong code is refused (RecoveryError)
 * before anything is stored. The next connect publishes a list with only this computer (every old
 * device is dropped) and makes a new recovery code.
 */
export async function recoverDevice(options: RecoverDeviceOptions): Promise<void> {
  const { opened, identity, device, deviceList } = await recoverKeys(options);
  try {
    await options.keyStore.save(identity);
    await options.store.save({ device, identityKey: identity.publicKey, role: 'primary', publish: deviceList, needsRecoveryCode: true });
  } finally {
    opened.connection.destroy();
  }
}
