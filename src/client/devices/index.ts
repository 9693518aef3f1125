/** Linked devices for clients (PROTOCOL.md 22): a v4 device session, linking, recovery. */
export { DeviceSession, generateDeviceKeys } from './device-session';
export type { DeviceKeys, DeviceLogin, ReceivedMessage } from './device-session';
export { approveLink, createPrimary, linkNewDevice, LinkError } from './device-link';
export { recoverName, RecoveryError } from './device-recovery';
export type { ListWarning } from './device-lists';
