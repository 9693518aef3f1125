/** What the device modules use of the rest of the server (passed in: no import circle). */
import type { ErrorCode } from '../../protocol/errors';
import type { DeviceListWire } from '../../protocol/device-frames';
import type { RosterEntry } from '../chat-server-options';
import type { Clock } from '../clock';
import type { Connection } from '../connection';
import type { Logger } from '../logger';
import type { SessionRegistry } from '../session-registry';
import type { DeviceRegistry } from './device-registry';

export interface DeviceParts {
  readonly registry: DeviceRegistry;
  readonly roster: { get(name: string): RosterEntry | undefined };
  readonly sessions: Pick<SessionRegistry, 'forUser' | 'forEach'>;
  readonly clock: Clock;
  readonly log: Logger;
  /** Sends a non-fatal error (counted against the connection, as every refusal is). */
  refuse(connection: Connection, code: ErrorCode, extra?: { rid?: string; id?: string; detail?: string }): void;
  /** Stores a checked list as current, ends the sessions of devices it drops, tells every v4 session. */
  acceptList(name: string, list: DeviceListWire): Promise<void>;
}
