/** The ChatClient the terminal client uses, built from its command-line settings. */
import { existsSync } from 'node:fs';
import { ChatClient } from '../client/chat-client';
import { FileDeviceKeyStore } from '../client/devices/device-key-store';
import { deviceLabel, devicePathFor } from './classchat-devices-link';
import { FileKeyStore } from '../client/key-store';
import { FileRoomKeyStore, roomKeysPathFor } from '../client/room-key-store';
import { FileSeenStore, seenPathFor } from '../client/seen-store';
import { FileTrustStore, trustPathFor } from '../client/trust-store';
import type { ConnectionSettings } from './classchat-options';
import { readPemFile } from './tls-files';

const CLIENT_NAME = 'classchat-cli/0.1.0';

/** `autoAck: false` for one-shot commands, so their login does not hide mail meant for the chat. */
export function makeClient(settings: ConnectionSettings, autoAck: boolean): ChatClient {
  return new ChatClient({
    host: settings.host,
    port: settings.port,
    ...(settings.servers ? { servers: settings.servers } : {}),
    name: settings.name,
    joinCode: settings.joinCode,
    keyStore: new FileKeyStore(settings.keyFile),
    // Pins live next to the key: one trust file per server and name, like the key itself.
    trustStore: new FileTrustStore(trustPathFor(settings.keyFile)),
    clientName: CLIENT_NAME,
    autoAck,
    // Only the chat shows messages; a one-shot command must not mark them seen. Only the chat
    // is in rooms, so only it keeps their sender keys (beside the key file, 0600).
    ...(autoAck ? { seenStore: new FileSeenStore(seenPathFor(settings.keyFile)), roomKeyStore: new FileRoomKeyStore(roomKeysPathFor(settings.keyFile)) } : {}),
    ...(settings.devices || existsSync(devicePathFor(settings.keyFile)) ? { devices: { label: settings.devices?.label ?? deviceLabel(undefined), store: new FileDeviceKeyStore(devicePathFor(settings.keyFile)) } } : {}),
    ...(settings.tls ? { tls: { fingerprint: settings.tls.fingerprint, ...(settings.tls.caFile ? { ca: readPemFile(settings.tls.caFile, 'certificate', '--tls-ca') } : {}) } } : {}),
  });
}
