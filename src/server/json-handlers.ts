/**
 * The JSON protocol: one dispatch table. Each entry says whether login is required; frames are
 * validated by the codec before any handler runs.
 */
import { BINARY_CHUNKS_FEATURE, parseClientFrame } from '../protocol/codec';
import type { ClientFrame, ClientFrameOf, ClientFrameType } from '../protocol/frames';
import { DEVICES_VERSION, PROTOCOL_VERSIONS, ROOMS_VERSION } from '../protocol/limits';
import { DEVICE_ROUTES } from './devices/device-handlers';
import { deviceMessageBytes, legacyCanShow } from './devices/device-lines';
import { legacyMessage } from './legacy-lines';
import { checkName, conversationKey, parseConversation } from '../protocol/names';
import { ROOM_HANDLERS } from './rooms/room-handlers';
import { verifyLogin } from '../crypto/identity';
import type { SubmitResult } from './chat-server-options';
import type { FileDesk, HandlerServices } from './server-services';
import type { Connection, LineHandler } from './connection';
import { frameLine, messageBytes } from './message-lines';
import { rosterFits, welcomeStream } from './welcome-lines';

/**
 * Room for the messages of a history page (the rest is the frame around them): 256 KiB, well
 * within a connection's 1 MiB bound; a page fills a server line no more (issue 14 item 6).
 */
const HISTORY_PAGE_BUDGET = 256 * 1024 - 1024;

type Handler<T extends ClientFrameType> = (server: HandlerServices, connection: Connection, frame: ClientFrameOf<T>) => void | Promise<void>;

interface Route<T extends ClientFrameType> {
  loggedIn: boolean;
  handle: Handler<T>;
}

const ROUTES: { [T in ClientFrameType]: Route<T> } = {
  login: { loggedIn: false, handle: login },
  send: { loggedIn: true, handle: send },
  ack: { loggedIn: true, handle: (server, connection, frame) => server.mail.acknowledge(connection.session!, frame.seq) },
  history: { loggedIn: true, handle: history },
  file_chunk: { loggedIn: true, handle: (server, connection, frame) => withFiles(server, connection, frame, (files) => files.chunk(connection, frame)) },
  file_ack: { loggedIn: true, handle: (server, connection, frame) => withFiles(server, connection, frame, (files) => files.ack(connection, frame)) },
  file_get: { loggedIn: true, handle: (server, connection, frame) => withFiles(server, connection, frame, (files) => files.get(connection, frame)) },
  file_done: { loggedIn: true, handle: (server, connection, frame) => withFiles(server, connection, frame, (files) => files.done(connection, frame)) },
  file_cancel: { loggedIn: true, handle: (server, connection, frame) => withFiles(server, connection, frame, (files) => files.cancel(connection, frame)) },
  file_status: { loggedIn: true, handle: (server, connection, frame) => withFiles(server, connection, frame, (files) => files.status(connection, frame)) },
  ping: { loggedIn: false, handle: (_server, connection, frame) => connection.transport.write(frameLine({ type: 'pong', ...(frame.rid ? { rid: frame.rid } : {}) })) },
  bye: { loggedIn: false, handle: (_server, connection) => connection.transport.end() },
  room_create: { loggedIn: true, handle: ROOM_HANDLERS.room_create },
  room_join: { loggedIn: true, handle: ROOM_HANDLERS.room_join },
  room_leave: { loggedIn: true, handle: ROOM_HANDLERS.room_leave },
  room_add: { loggedIn: true, handle: ROOM_HANDLERS.room_add },
  room_remove: { loggedIn: true, handle: ROOM_HANDLERS.room_remove },
  room_list: { loggedIn: true, handle: ROOM_HANDLERS.room_list },
  room_members: { loggedIn: true, handle: ROOM_HANDLERS.room_members },
  moderate: { loggedIn: true, handle: (server, connection, frame) => server.moderation.handle(server, connection, frame) },
  block: { loggedIn: true, handle: (server, connection, frame) => server.blocks.handle(server.penalties, connection, frame) },
  unblock: { loggedIn: true, handle: (server, connection, frame) => server.blocks.handle(server.penalties, connection, frame) },
  block_list: { loggedIn: true, handle: (server, connection, frame) => server.blocks.handle(server.penalties, connection, frame) },
  ...DEVICE_ROUTES,
};

export function jsonHandler(server: HandlerServices): LineHandler {
  return {
    line(connection, text) {
      const parsed = parseClientFrame(text);
      if (!parsed.ok) {
        if (parsed.code === 'bad_binary_frame') return connection.sendError(parsed.code, { detail: parsed.detail, fatal: true });
        if (!server.penalties.penalise(connection)) connection.sendError(parsed.code, { detail: parsed.detail, id: parsed.id, rid: parsed.rid });
        return;
      }
      return dispatch(server, connection, parsed.frame);
    },
    fileChunk(connection, frame) {
      return dispatch(server, connection, frame);
    },
    framingError(connection, code, detail) {
      // Where the next frame starts is unknown after a bad binary frame: nothing more can be read.
      if (code === 'bad_binary_frame') connection.sendError(code, { detail, fatal: true });
      else if (!server.penalties.penalise(connection)) connection.sendError(code);
    },
  };
}

function dispatch(server: HandlerServices, connection: Connection, frame: ClientFrame): void | Promise<void> {
  const route = ROUTES[frame.type] as Route<typeof frame.type>;
  if (route.loggedIn && !connection.session) {
    if (!server.penalties.penalise(connection)) connection.sendError('not_logged_in');
    return;
  }
  return (route.handle as Handler<typeof frame.type>)(server, connection, frame);
}

async function login(server: HandlerServices, connection: Connection, frame: ClientFrameOf<'login'>): Promise<void> {
  if (connection.session) {
    connection.sendError('already_logged_in');
    return;
  }
  if (!(PROTOCOL_VERSIONS as readonly number[]).includes(frame.v)) {
    connection.sendError('unsupported_version', { detail: `this server speaks ${PROTOCOL_VERSIONS.join(', ')}`, fatal: true });
    return;
  }
  const name = checkName(frame.name);
  if (!name.ok) {
    connection.sendError(name.code, { fatal: true });
    return;
  }
  // v4: the device key signs (PROTOCOL.md 22.5); v1-v3 and the legacy device: the identity key.
  if (frame.v >= DEVICES_VERSION) return server.devices.login(server, connection, frame, name.name);
  if (frame.device !== undefined || frame.deviceList !== undefined) {
    connection.sendError('invalid_frame', { detail: 'device and deviceList need protocol v4', fatal: true });
    return;
  }
  const valid = await verifyLogin(frame.publicKey, frame.signature, connection.challenge, name.name);
  if (!connection.isOpen) return;
  if (!valid) {
    server.log.warn(`bad login signature for ${name.name} from ${connection.address}`);
    connection.sendError('bad_signature', { fatal: true });
    return;
  }
  if (!rosterFits(frame.v, server.roster.pages())) {
    connection.sendError('unsupported_version', { detail: 'this class is too large for protocol version 1: update ClassChat', fatal: true });
    return;
  }
  const auth = await server.logins.authenticate(name.name, frame.publicKey, frame.joinCode, connection.address);
  if (!connection.isOpen) return;
  if (!auth.ok) {
    connection.sendError(auth.code, { fatal: true });
    return;
  }
  // The roster goes in as the JSON the server keeps up to date (roster-json.ts), not re-serialised.
  const session = server.logins.startSession(connection, auth.user, 'json', frame.ackedSeq, frame.v);
  session.binaryChunks = frame.features?.includes(BINARY_CHUNKS_FEATURE) ?? false;
  const head = { type: 'welcome' as const, v: frame.v, name: name.name, registered: auth.registered, ackedSeq: session.ackedSeq };
  // Written as the socket drains, the backlog behind it: a big roster costs a slow reader little.
  connection.transport.writeStream(welcomeStream(head, () => server.roster.pages(), () => server.roster.pageSources()));
  server.blocks.greet(connection, session);
  session.schedulePump();
}

/**
 * On a store other nodes share, a message is judged once this node knows every room and
 * moderation change committed before it arrived, whichever node made it; the connection's next
 * frame waits for that, as on one node (a ping after a send is answered after its check).
 */
function send(server: HandlerServices, connection: Connection, frame: ClientFrameOf<'send'>): void | Promise<void> {
  if (!server.sync.shared) return sendNow(server, connection, frame);
  return server.sync.current().then(() => (connection.isOpen ? sendNow(server, connection, frame) : undefined));
}

function sendNow(server: HandlerServices, connection: Connection, frame: ClientFrameOf<'send'>): void | Promise<void> {
  const session = connection.session!;
  const parsed = parseConversation(frame.to);
  if (!parsed.ok) {
    const code = parsed.code === 'invalid_room_name' ? 'unknown_room' : 'unknown_user';
    if (!server.penalties.penalise(connection)) connection.sendError(code, { id: frame.id, detail: frame.to.slice(0, 33) });
    return;
  }
  const to = conversationKey(parsed.conversation);
  const reply = (result: SubmitResult & { file?: string }) => {
    if (result.ok) {
      const file = result.file !== undefined ? { file: result.file } : {};
      const held = result.message.held ? { held: true as const } : {};
      connection.transport.write(frameLine({ type: 'sent', id: frame.id, seq: result.message.seq, ts: result.message.ts, duplicate: result.duplicate, ...file, ...held }));
    } else if (!server.penalties.penalise(connection, result.code)) {
      connection.sendError(result.code, { id: frame.id, detail: result.detail });
    }
  };
  // Key boxes per device (PROTOCOL.md 22.6) would be stored without reaching any device.
  if (frame.keys && session.version < DEVICES_VERSION) return reply({ ok: false, code: 'invalid_frame', detail: 'keys need protocol v4' });
  if (frame.keys) {
    if (parsed.conversation.kind !== 'user' || frame.file !== undefined) return reply({ ok: false, code: 'invalid_frame', detail: 'keys go with a private message (file offers to devices are not served yet)' });
    const refused = server.devices.checkKeys(session, to, frame.keys);
    if (refused) return reply({ ok: false, ...refused });
  }
  if (frame.file !== undefined) {
    if (parsed.conversation.kind !== 'user') reply({ ok: false, code: 'invalid_frame', detail: 'files go to one classmate' });
    else if (!server.files) reply({ ok: false, code: 'files_disabled' });
    else void server.files.offer(connection, frame, to).then(reply);
    return;
  }
  if (frame.ref && session.version < ROOMS_VERSION) return reply({ ok: false, code: 'invalid_frame', detail: 'a ref needs protocol v3' });
  if (frame.hidden && parsed.conversation.kind !== 'user') return reply({ ok: false, code: 'invalid_frame', detail: 'a room key travels in a private message' });
  const outcome = server.mail.submit(session.name, {
    id: frame.id,
    to,
    text: frame.text,
    box: frame.box,
    ...(frame.hidden ? { hidden: true as const } : {}),
    ...(frame.ref ? { ref: frame.ref } : {}),
    // v3 clients know `sent.held`: a message to a name nobody registered yet is kept for it.
    ...(session.version >= ROOMS_VERSION ? { hold: true as const } : {}),
    ...(session.device !== undefined ? { device: session.device } : {}),
    ...(frame.keys ? { keys: frame.keys } : {}),
  });
  if (!(outcome instanceof Promise)) return reply(outcome);
  // A refusal is answered before the frames written after it, as on one node.
  if (server.mail.confirming(outcome)) return outcome.then(reply);
  void outcome.then(reply);
}

/** Runs a file frame's handler, or refuses it on a server that does not relay files. */
function withFiles(server: HandlerServices, connection: Connection, frame: { file?: string; rid?: string }, run: (files: FileDesk) => void | Promise<void>): void | Promise<void> {
  if (server.files) return run(server.files);
  connection.sendError('files_disabled', { ...(frame.rid ? { rid: frame.rid } : {}), ...(frame.file ? { id: frame.file } : {}) });
}

async function history(server: HandlerServices, connection: Connection, frame: ClientFrameOf<'history'>): Promise<void> {
  const session = connection.session!;
  const parsed = parseConversation(frame.with);
  let after: number | undefined;
  if (!parsed.ok || (parsed.conversation.kind === 'user' && !server.roster.has(parsed.conversation.name))) {
    const code = !parsed.ok && parsed.code === 'invalid_room_name' ? 'unknown_room' : 'unknown_user';
    connection.sendError(code, { rid: frame.rid, detail: frame.with.slice(0, 33) });
    return;
  }
  if (parsed.conversation.kind === 'room') {
    const room = parsed.conversation.room;
    let allowed = server.rooms.historyAfter(room, session.name);
    // This node may not know yet that another node made the room or let the viewer in.
    if ('code' in allowed && server.sync.shared) {
      await server.sync.caughtUp();
      allowed = server.rooms.historyAfter(room, session.name);
    }
    if ('code' in allowed) {
      connection.sendError(allowed.code, { rid: frame.rid, detail: allowed.detail });
      return;
    }
    after = allowed.after;
  }
  const withWhom = conversationKey(parsed.conversation);
  const page = await server.history.readHistory({ viewer: session.name, with: withWhom, before: frame.before, after, limit: frame.limit ?? 50 });
  // Built from each message's cached bytes (without their newline), keeping the newest messages
  // that fit in one server line and reporting the rest as `more`.
  const parts: Buffer[] = [];
  let bytes = 0;
  const visible = session.device !== undefined ? page.messages : page.messages.filter(legacyCanShow);
  const shown = session.version >= ROOMS_VERSION ? visible : visible.flatMap((message) => legacyMessage(message, session.name) ?? []);
  const encode = (message: (typeof shown)[number]) => (session.device !== undefined ? deviceMessageBytes(message, session.name, session.device, false)! : messageBytes(message));
  for (let index = shown.length - 1; index >= 0; index--) {
    const encoded = encode(shown[index]);
    bytes += encoded.length;
    if (bytes > HISTORY_PAGE_BUDGET) break;
    parts.unshift(encoded.subarray(0, encoded.length - 1));
  }
  const more = page.more || parts.length < shown.length;
  const head = `{"type":"history_page","rid":${JSON.stringify(frame.rid)},"with":${JSON.stringify(withWhom)},"messages":[`;
  const pieces: Buffer[] = [Buffer.from(head, 'utf8')];
  parts.forEach((part, index) => pieces.push(...(index === 0 ? [part] : [COMMA, part])));
  pieces.push(Buffer.from(`],"more":${more}}\n`, 'utf8'));
  connection.transport.write(Buffer.concat(pieces));
}

const COMMA = Buffer.from(',');
