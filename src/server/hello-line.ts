/** The `hello` line a server greets every connection with (PROTOCOL.md section 3): versions, features, limits. */
import { BINARY_CHUNKS_FEATURE } from '../protocol/binary-chunk';
import { BLOCKS_FEATURE } from '../protocol/block-frames';
import { DEVICES_FEATURE } from '../protocol/device-frames';
import { LIMITS, PROTOCOL_VERSIONS } from '../protocol/limits';
import { frameLine } from './message-lines';

export const SERVER_SOFTWARE = 'classchat-server/0.1.0';

export interface HelloSettings {
  files: { spool: { limits: { maxFileBytes: number } } } | undefined;
  plainText: boolean;
  tls: boolean;
  joinCode: string | undefined;
}

export function helloLine(challenge: string, settings: HelloSettings): string {
  const { files, plainText, tls } = settings;
  return frameLine({
    type: 'hello',
    protocol: 'classchat',
    versions: [...PROTOCOL_VERSIONS],
    server: SERVER_SOFTWARE,
    challenge,
    features: ['history', 'e2ee-box', 'rooms', 'roles', 'refs', BLOCKS_FEATURE, DEVICES_FEATURE, ...(files ? ['files', BINARY_CHUNKS_FEATURE] : []), ...(plainText ? ['plain-text'] : []), ...(tls ? ['tls'] : [])],
    joinCodeRequired: settings.joinCode !== undefined,
    limits: {
      maxLineBytes: LIMITS.maxLineBytes,
      maxTextBytes: LIMITS.maxTextBytes,
      ...(files ? { maxFileBytes: files.spool.limits.maxFileBytes } : {}),
    },
    ...(plainText ? { info: 'ClassChat server. Plain-text users: type your user name and press Enter.' } : {}),
  });
}
