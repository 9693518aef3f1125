/** The public types of ChatClient's linked devices (chat-devices.ts), apart so types.ts imports no device code. */
import type { ServerFrame } from '../../protocol/frames';
import type { DeviceKeyStore } from './device-key-store';

export interface DeviceOptions {
  /** This computer's name in the list, seen by classmates: keep it neutral ("Laptop", "Lab PC 12"). */
  label: string;
  store: DeviceKeyStore;
}

/** One of this user's devices, as the verified list says. */
export interface DeviceView {
  id: string;
  label: string;
  /** When it was linked (ms since the epoch). */
  added: number;
  /** When this client last saw it act (a message from it; now for this device); undefined: not seen. */
  lastSeen?: number;
  primary: boolean;
  thisDevice: boolean;
}

/** Someone asks to link a new device to this name (22.3): approve it on the primary with the code it shows. */
export type LinkRequest = Extract<ServerFrame, { type: 'link_request'; link: string }>;

