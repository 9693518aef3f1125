/**
 * Linked devices in the terminal client (PROTOCOL.md 22): /devices lists them, /devices approve
 * CODE links the computer that shows CODE, /devices remove ID logs one out for good. Link
 * requests, the recovery code and device lists that do not verify are printed as they come.
 */
import type { ChatClient } from '../client/chat-client';
import type { DeviceView } from '../client/devices/device-types';
import { describeError, printable } from './classchat-format';

export type DevicesCommand = { kind: 'list' } | { kind: 'approve'; code: string } | { kind: 'refuse' } | { kind: 'remove'; id: string };

export type ParsedDevicesCommand = { kind: 'devices'; command: DevicesCommand } | { kind: 'invalid'; message: string };

export const DEVICES_HELP = `Linked devices (start with classchat --devices; link a computer with classchat link):
  /devices         your devices: label, when linked, last seen, id
  /devices approve 123456   link the new computer that shows this code (on the primary)
  /devices refuse  refuse the waiting link request
  /devices remove ID        log a device out for good (on the primary)`;

/** The devices command `/name args`, or undefined when `name` is not one. */
export function parseDevicesCommand(name: string, args: string[]): ParsedDevicesCommand | undefined {
  if (name !== 'devices') return undefined;
  const [sub, ...rest] = args;
  if (sub === undefined) return { kind: 'devices', command: { kind: 'list' } };
  switch (sub.toLowerCase()) {
    case 'approve': {
      const code = rest.join('');
      return /^\d{6}$/.test(code) ? { kind: 'devices', command: { kind: 'approve', code } } : { kind: 'invalid', message: 'usage: /devices approve CODE (the 6 digits the new computer shows)' };
    }
    case 'refuse':
      return rest.length === 0 ? { kind: 'devices', command: { kind: 'refuse' } } : { kind: 'invalid', message: '/devices refuse takes no arguments' };
    case 'remove':
      return rest.length === 1 && /^[A-Za-z0-9_-]{1,32}$/.test(rest[0]) ? { kind: 'devices', command: { kind: 'remove', id: rest[0] } } : { kind: 'invalid', message: 'usage: /devices remove ID (the id /devices shows)' };
    default:
      return { kind: 'invalid', message: 'usage: /devices, /devices approve CODE, /devices refuse, /devices remove ID' };
  }
}

export class DeviceDesk {
  constructor(
    private readonly client: ChatClient,
    private readonly print: (line: string) => void,
  ) {
    client.on('recoveryCode', (code) => {
      this.print(`!! Your recovery code: ${code}`);
      this.print('!! Write it down now and keep it safe: it is shown only once, and it brings your name back if you lose every device.');
    });
    client.on('linkRequest', (request) => {
      this.print(`* a new computer "${printable(request.label)}" asks to be linked as you. If it is yours, type /devices approve CODE with the code it shows; else /devices refuse`);
    });
    client.on('deviceWarning', (warning) => this.print(`!! ${warning.text}`));
  }

  run(command: DevicesCommand): void {
    const devices = this.client.devices;
    if (!devices) {
      this.print('! linked devices are off: start classchat with --devices');
      return;
    }
    switch (command.kind) {
      case 'list':
        for (const row of formatDevices(devices.list())) this.print(row);
        return;
      case 'approve': {
        const pending = devices.pendingLinks().at(-1);
        if (!pending) return this.print('! no link request is waiting: run classchat link on the new computer first');
        devices.approve(pending.link, command.code).then(
          () => this.print(`* linked "${printable(pending.label)}": it is logged in as you now`),
          (error: unknown) => this.print(`! /devices approve: ${describeError(error)}`),
        );
        return;
      }
      case 'refuse': {
        const pending = devices.pendingLinks().at(-1);
        if (!pending) return this.print('! no link request is waiting');
        devices.refuse(pending.link);
        this.print(`* refused "${printable(pending.label)}"`);
        return;
      }
      case 'remove':
        devices.remove(command.id).then(
          () => this.print(`* removed device ${command.id}: it is logged out and gets nothing new`),
          (error: unknown) => this.print(`! /devices remove: ${describeError(error)}`),
        );
        return;
    }
  }
}

export function formatDevices(devices: DeviceView[]): string[] {
  if (devices.length === 0) return ['* no device list yet (connect with --devices)'];
  return devices.map((device) => {
    const marks = [device.primary ? 'primary' : '', device.thisDevice ? 'this computer' : ''].filter(Boolean).join(', ');
    const seen = device.thisDevice ? 'now' : device.lastSeen !== undefined ? new Date(device.lastSeen).toISOString().slice(0, 16).replace('T', ' ') : 'not seen here';
    return `* ${printable(device.label)}${marks ? ` (${marks})` : ''}: linked ${new Date(device.added).toISOString().slice(0, 10)}, last seen ${seen}, id ${device.id}`;
  });
}
