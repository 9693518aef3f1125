/** Linked devices for clients (PROTOCOL.md 22): a v4 device session, linking, recovery. */
export { DeviceSession, generateDeviceKeys } from './device-session';
export type { DeviceKeys, DeviceLogin, ReceivedMessage } from './device-session';
export { approveLink, createPrimary, linkNewDevice, LinkError } from './device-link';
export { recoverName, RecoveryError } from './device-recovery';
export type { ListWarning } from './device-lists';
export { ChatDevices } from './chat-devices';
export type { DeviceOptions, DeviceView, LinkRequest } from './chat-devices';
export { defaultDevicePath, FileDeviceKeyStore, MemoryDeviceKeyStore } from './device-key-store';
export type { DeviceKeyStore, DeviceRecord } from './device-key-store';
export { linkDevice, recoverDevice } from './device-setup';
