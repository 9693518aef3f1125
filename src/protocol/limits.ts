/**
 * Protocol versions the server speaks, negotiated in `hello` / `login`. Version 2 pages the roster
 * (`welcome.more`, then `roster` frames); version 3 adds rooms, roles and message references
 * (PROTOCOL.md section 20); version 4 linked devices (section 22).
 */
export const PROTOCOL_VERSIONS = [1, 2, 3, 4] as const;
/** Versions the client library speaks (it picks the highest the server offers). */
export const CLIENT_PROTOCOL_VERSIONS = [1, 2, 3] as const;
/** The first version whose roster comes in pages. */
export const ROSTER_PAGES_VERSION = 2;
/** The first version with rooms, roles and message references (PROTOCOL.md section 20). */
export const ROOMS_VERSION = 3;
/**
 * The first version with linked devices (PROTOCOL.md section 22). The server serves it; the
 * ChatClient still speaks v3, v4 clients use src/client/devices/.
 */
export const DEVICES_VERSION = 4;
export const PROTOCOL_NAME = 'classchat';

/** Hard limits shared by server and client; also announced in `hello.limits`. */
export const LIMITS = {
  /** Longest accepted line in bytes, newline excluded. */
  maxLineBytes: 128 * 1024,
  /** Longest message text in UTF-8 bytes. */
  maxTextBytes: 16 * 1024,
  /** Longest base64 ciphertext in a private-message box. */
  maxBoxBase64: 24 * 1024,
  /** Client message ids: 1..64 of [A-Za-z0-9_-]. */
  maxClientIdLength: 64,
  /** Messages per history page. */
  maxHistoryPage: 200,
  /** Longest line a server sends; history pages are trimmed (oldest first) to fit. */
  maxServerLineBytes: 2 * 1024 * 1024,
  /** Largest file chunk in bytes (a 64 KiB plaintext chunk plus its stream-cipher tag fits). */
  maxFileChunkBytes: 64 * 1024 + 64,
  /** Largest file size any server accepts (each server sets its own lower limit, default 100 MiB). */
  maxFileBytes: Number.MAX_SAFE_INTEGER,
  /** Chunks a server sends ahead of the receiver's file_ack (the download window). */
  fileWindowChunks: 64,
  /** Chunks a sender may have unacknowledged (acks come once chunks are fsynced, in batches). */
  fileUploadWindowChunks: 64,
  /** Users in one roster page (`welcome.users` and each `roster` frame, protocol v2). */
  maxRosterPage: 256,
  /** Files listed in one file_status reply. */
  maxFileList: 200,
  // v3 (PROTOCOL.md section 20)
  /** Members of one room. */
  maxRoomMembers: 1000,
  /** Rooms one user is a member of. */
  maxRoomsPerMember: 200,
  /** Class-wide rooms on a server. */
  maxClassRooms: 200,
  /** Rooms on a server. */
  maxRooms: 1000,
  /** Rooms in one room_list reply: a member's rooms plus every class room. */
  maxRoomList: 400,
  /** A reaction: one emoji or a short word, in UTF-8 bytes. */
  maxReactionBytes: 32,
  /** The JSON content of a version-2 envelope, in UTF-8 bytes. */
  maxEnvelopeContentBytes: 18_000,
  /** The longest mute: one week. */
  maxMuteMinutes: 7 * 24 * 60,
  /** Names one user may block (PROTOCOL.md 20.9). */
  maxBlocked: 1000,
  // v4 (PROTOCOL.md section 22)
  /** Devices in one user's list. */
  maxDevices: 5,
  /** A device id: 1-32 of [A-Za-z0-9_-]. */
  maxDeviceIdLength: 32,
  /** A device label in UTF-8 bytes. */
  maxDeviceLabelBytes: 64,
  /** A sealed provisioning bundle, in base64 characters (fits a client line with its frame). */
  maxBundleBase64: 120_000,
  /** Pins inside a provisioning bundle; more follow as sync messages. */
  maxBundlePins: 1000,
  /** Key boxes in one `send.keys`: the recipient's 5 devices and the sender's 4 others. */
  maxSendKeys: 9,
  /** One key box's ciphertext: 80 bytes sealed (96) in base64. */
  maxDeviceKeyBoxBase64: 128,
  /** Pins in one sync message. */
  maxSyncPins: 150,
  /** Read positions in one sync message. */
  maxSyncReads: 100,
} as const;

export type Limits = typeof LIMITS;
