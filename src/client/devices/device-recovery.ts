/**
 * Recovering a name with its recovery code (PROTOCOL.md 22.8) when every device is lost: the
 * code is checked for typos before anything is sent, the server's box is opened here (the server
 * never sees the code), and a new list with only this device, one version up, drops the old ones.
 */
import { signDeviceList } from '../../crypto/device-list';
import type { Identity } from '../../crypto/identity';
import type { DeviceListWire } from '../../protocol/device-frames';
import { openRecovery, parseRecoveryCode } from '../../crypto/recovery-code';
import { sodiumReady } from '../../crypto/sodium';
import { DeviceKeys, DeviceSession, generateDeviceKeys, openConnection } from './device-session';

export class RecoveryError extends Error {
  constructor(
    /** `mistyped`: the check symbols do not match; `wrong_code`: not this name's code. */
    readonly problem: 'mistyped' | 'wrong_code',
    message: string,
  ) {
    super(message);
    this.name = 'RecoveryError';
  }
}

/**
 * The identity behind `name`'s recovery box, and a new primary device with its list (version + 1,
 * only this device), on a connection still open. A mistyped code is refused before connecting, a
 * wrong one once the box does not open; the connection is closed on either.
 */
export async function recoverKeys(options: { host: string; port: number; name: string; code: string; label: string }): Promise<{ opened: Awaited<ReturnType<typeof openConnection>>; identity: Identity; device: DeviceKeys; deviceList: DeviceListWire }> {
  const sodium = await sodiumReady();
  const parsed = parseRecoveryCode(sodium, options.code);
  if (!parsed.ok) throw new RecoveryError('mistyped', `that recovery code is mistyped (${parsed.problem}): check it and type it again`);
  const opened = await openConnection(options.host, options.port);
  try {
    const rid = 'recovery';
    opened.connection.write({ type: 'recovery_get', rid, name: options.name });
    const reply = await opened.waiter.next('recovery', (frame) => frame.rid === rid, (error) => error.rid === rid);
    const result = openRecovery(sodium, parsed.symbols, options.name, reply.box);
    if (!result.ok) throw new RecoveryError('wrong_code', `this is not ${options.name}'s recovery code`);
    const device = generateDeviceKeys(sodium, options.label);
    const deviceList = signDeviceList(sodium, result.identity, { user: options.name, version: reply.version + 1, primary: device.id, devices: [{ id: device.id, publicKey: device.publicKey, label: device.label, added: Date.now() }] });
    return { opened, identity: result.identity, device, deviceList };
  } catch (error) {
    opened.connection.destroy();
    throw error;
  }
}

export async function recoverName(options: { host: string; port: number; name: string; code: string; label: string }): Promise<{ session: DeviceSession; recoveryCode: string }> {
  const { opened, identity, device, deviceList } = await recoverKeys(options);
  try {
    const session = await DeviceSession.login({ host: options.host, port: options.port, name: options.name, identityKey: identity.publicKey, device, identity, deviceList, connection: opened });
    return { session, recoveryCode: await session.makeRecoveryCode() };
  } catch (error) {
    opened.connection.destroy();
    throw error;
  }
}
