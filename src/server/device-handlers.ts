/**
 * Protocol v4's device frames (PROTOCOL.md section 22) on a server that does not serve v4 yet:
 * each is answered as a frame type this server does not know, so a v4 client learns to stop
 * using it. Linking and recovery come before login (22.3, 22.8), so those need none.
 */
import { DEVICE_CLIENT_FRAME_SCHEMAS, DEVICE_FRAMES_BEFORE_LOGIN, DeviceClientFrameType } from '../protocol/device-frames';
import type { Connection } from './connection';

interface NotServedRoute {
  loggedIn: boolean;
  handle: (server: unknown, connection: Connection, frame: { type: string; rid?: string; link?: string }) => void;
}

function notServed(_server: unknown, connection: Connection, frame: { type: string; rid?: string; link?: string }): void {
  connection.sendError('unknown_type', {
    detail: `${frame.type} needs protocol v4, which this server does not serve yet`,
    ...(frame.rid ? { rid: frame.rid } : {}),
    ...(frame.link ? { id: frame.link } : {}),
  });
}

export const DEVICE_ROUTES = Object.fromEntries(
  (Object.keys(DEVICE_CLIENT_FRAME_SCHEMAS) as DeviceClientFrameType[]).map((type) => [type, { loggedIn: !DEVICE_FRAMES_BEFORE_LOGIN.has(type), handle: notServed }]),
) as { [T in DeviceClientFrameType]: NotServedRoute };
