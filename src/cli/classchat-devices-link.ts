/**
 * `classchat link` and the device settings of the terminal client (PROTOCOL.md 22.3): the device
 * file lives next to the key file; `classchat link` asks a device of the name already logged in
 * to approve this computer, printing the code to type there, and saves the device file.
 */
import { existsSync } from 'node:fs';
import { FileDeviceKeyStore } from '../client/devices/device-key-store';
import { linkDevice, recoverDevice } from '../client/devices/device-setup';
import { FileKeyStore } from '../client/key-store';
import { FileTrustStore, trustPathFor } from '../client/trust-store';
import type { ConnectionSettings } from './classchat-options';
export { deviceLabel } from './device-label';
import { UsageError } from './options';

/** The device file beside the key file: `<name>.device.json`. */
export function devicePathFor(keyFile: string): string {
  return keyFile.replace(/(\.json)?$/i, '.device.json');
}

/**
 * `classchat recover`: the recovery code is read from stdin (not the command line, which shell
 * history keeps); this computer becomes the primary and every old device is dropped at the next
 * login, which prints a new recovery code.
 */
export async function recoverThisComputer(settings: ConnectionSettings, label: string, readCode: () => Promise<string>, print: (line: string) => void): Promise<void> {
  const path = devicePathFor(settings.keyFile);
  if (existsSync(path) || existsSync(settings.keyFile)) throw new UsageError(`this computer already has a key for ${settings.name} (${settings.keyFile}): just run classchat`);
  if (settings.tls) throw new UsageError('classchat recover does not speak TLS yet: recover on a plain connection');
  print(`* type the recovery code of ${settings.name} and press Enter:`);
  const code = await readCode();
  await recoverDevice({ host: settings.host, port: settings.port, name: settings.name, code, label, store: new FileDeviceKeyStore(path), keyStore: new FileKeyStore(settings.keyFile) });
  print(`* recovered ${settings.name}: this computer is your primary now; your other devices were dropped (link them again)`);
}

/** Links this computer to `settings.name`; resolves once the other device approved it. */
export async function linkThisComputer(settings: ConnectionSettings, label: string, print: (line: string) => void): Promise<void> {
  const path = devicePathFor(settings.keyFile);
  if (existsSync(path)) throw new UsageError(`this computer is already a device of ${settings.name} (${path}): just run classchat`);
  if (existsSync(settings.keyFile)) throw new UsageError(`${settings.keyFile} already holds a key for ${settings.name} here: run classchat --devices instead`);
  if (settings.tls) throw new UsageError('classchat link does not speak TLS yet: link on a plain connection');
  print(`* asking to link this computer ("${label}") as ${settings.name}; a device of ${settings.name} must be online…`);
  await linkDevice({
    host: settings.host,
    port: settings.port,
    name: settings.name,
    label,
    store: new FileDeviceKeyStore(path),
    trustStore: new FileTrustStore(trustPathFor(settings.keyFile)),
    confirm: async (code) => {
      print(`* on your primary device, type: /devices approve ${code.replace(' ', '')}   (code ${code})`);
      return true;
    },
  });
  print(`* linked: this computer is now a device of ${settings.name}`);
}
