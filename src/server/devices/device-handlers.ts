/**
 * The v4 device frames (PROTOCOL.md 22.11) in the JSON dispatch table: whether each needs a login
 * (linking and recovery come before it: 22.3, 22.8) and the Devices method that handles it.
 */
import { DEVICE_FRAMES_BEFORE_LOGIN, DeviceClientFrameType } from '../../protocol/device-frames';
import type { ClientFrameOf } from '../../protocol/frames';
import type { Connection } from '../connection';
import type { HandlerServices } from '../server-services';

interface DeviceRoute<T extends DeviceClientFrameType> {
  loggedIn: boolean;
  handle: (server: HandlerServices, connection: Connection, frame: ClientFrameOf<T>) => void | Promise<void>;
}

const route = <T extends DeviceClientFrameType>(type: T, handle: DeviceRoute<T>['handle']): DeviceRoute<T> => ({ loggedIn: !DEVICE_FRAMES_BEFORE_LOGIN.has(type), handle });

export const DEVICE_ROUTES: { [T in DeviceClientFrameType]: DeviceRoute<T> } = {
  link_request: route('link_request', (server, connection, frame) => server.devices.links.request(connection, frame)),
  link_nonce: route('link_nonce', (server, connection, frame) => server.devices.links.nonce(connection, frame)),
  link_reveal: route('link_reveal', (server, connection, frame) => server.devices.links.reveal(connection, frame)),
  link_approve: route('link_approve', (server, connection, frame) => server.devices.links.approve(connection, frame)),
  link_cancel: route('link_cancel', (server, connection, frame) => server.devices.links.cancel(connection, frame)),
  device_list_set: route('device_list_set', (server, connection, frame) => server.devices.setList(connection, frame)),
  device_leave: route('device_leave', (server, connection, frame) => server.devices.leave(connection, frame)),
  recovery_set: route('recovery_set', (server, connection, frame) => server.devices.setRecovery(connection, frame)),
  recovery_get: route('recovery_get', (server, connection, frame) => server.devices.getRecovery(connection, frame)),
};
