/**
 * The seed's line protocol, for `nc` and the original ClassChat clients: a user name first,
 * then `name:message` (private), `all:message` (everyone), `{quit}` to leave.
 */
import { checkName, checkRoomName, EVERYONE, ROOM_PREFIX } from '../protocol/names';
import { ERROR_CODES } from '../protocol/errors';
import { randomBytes } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { LIMITS } from '../protocol/limits';
import type { RosterEntry } from './chat-server-options';
import type { HandlerServices } from './server-services';
import type { Connection, LineHandler } from './connection';
import { plainLine, plainNotice } from './plain-lines';

const QUIT = '{quit}';
const FORMAT_HELP = 'Send name:message for a private message, all:message for everyone, {quit} to leave.';

export function plainHandler(server: HandlerServices): LineHandler {
  return {
    line(connection, text) {
      if (text.trim() === QUIT) {
        connection.transport.end(plainNotice('Goodbye.'));
        return;
      }
      switch (connection.plainState.step) {
        case 'name':
          return chooseName(server, connection, text);
        case 'joinCode':
          return checkJoinCode(server, connection, text);
        case 'chat':
          return chat(server, connection, text);
      }
    },
    framingError(connection, code) {
      if (!server.penalties.penalise(connection)) connection.transport.write(plainNotice(ERROR_CODES[code]));
    },
  };
}

async function chooseName(server: HandlerServices, connection: Connection, text: string): Promise<void> {
  const raw = text.trim();
  if (raw === '') {
    connection.transport.write(plainLine('Welcome to ClassChat (plain-text mode).') + plainLine('Please Enter Your Username Now!'));
    return;
  }
  const name = checkName(raw);
  if (!name.ok) {
    connection.transport.write(plainNotice(`${ERROR_CODES[name.code]} Please enter another user name:`));
    return;
  }
  const existing = server.roster.get(name.name);
  if (existing && existing.publicKey !== null) {
    connection.transport.write(plainNotice(`The name ${name.name} belongs to a ClassChat app user. Please enter another user name:`));
    return;
  }
  if (!existing && server.joinCode !== undefined) {
    connection.plainState = { step: 'joinCode', pendingName: name.name };
    connection.transport.write(plainNotice(`This server needs a join code to register ${name.name}. Join code:`));
    return;
  }
  await logIn(server, connection, name.name, undefined);
}

async function checkJoinCode(server: HandlerServices, connection: Connection, text: string): Promise<void> {
  const name = connection.plainState.pendingName!;
  if (text.trim() !== server.joinCode) {
    connection.plainState = { step: 'name' };
    if (!server.penalties.penalise(connection)) connection.transport.write(plainNotice('Wrong join code. Please Enter Your Username Now!'));
    return;
  }
  await logIn(server, connection, name, text.trim());
}

async function logIn(server: HandlerServices, connection: Connection, name: string, joinCode: string | undefined): Promise<void> {
  const auth = await server.logins.authenticate(name, null, joinCode, connection.address);
  if (!connection.isOpen) return;
  if (!auth.ok) {
    connection.plainState = { step: 'name' };
    connection.transport.write(plainNotice(`${ERROR_CODES[auth.code]} Please enter another user name:`));
    return;
  }
  connection.plainState = { step: 'chat' };
  const session = server.logins.startSession(connection, auth.user, 'plain');
  const online = server.roster.list().filter((user) => user.online && user.name !== name).map((user) => user.name);
  connection.transport.write(
    plainLine(`Welcome [${name}]`) +
      plainLine('You have Successfully Connected to ClassChat Server') +
      plainNotice(FORMAT_HELP) +
      plainNotice(onlineLine(online)),
  );
  session.schedulePump();
}

/** Names listed in the plain-text welcome; a big class's list would be one line of megabytes. */
const MAX_ONLINE_LISTED = 50;

function onlineLine(online: string[]): string {
  if (online.length === 0) return 'Nobody else is online right now.';
  const more = online.length - MAX_ONLINE_LISTED;
  return `Online: ${online.slice(0, MAX_ONLINE_LISTED).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

async function chat(server: HandlerServices, connection: Connection, text: string): Promise<void> {
  const session = connection.session!;
  if (text.trim() === '') return;
  const colon = text.indexOf(':');
  if (colon === -1) {
    connection.transport.write(plainNotice(`Message not sent, no recipient! (Format) username:message, all:message or room:message`));
    return;
  }
  const target = text.slice(0, colon).trim().toLowerCase();
  const body = text.slice(colon + 1);
  if (body.trim() === '') {
    connection.transport.write(plainNotice('Message not sent: it is empty.'));
    return;
  }
  if (Buffer.byteLength(body, 'utf8') > LIMITS.maxTextBytes) {
    connection.transport.write(plainNotice(`Message not sent: ${ERROR_CODES.text_too_long}`));
    return;
  }
  // Other nodes' room and moderation changes committed before this line came count here too.
  if (server.sync.shared) await server.sync.current();
  let to: string = EVERYONE;
  let recipient: RosterEntry | undefined;
  if (target !== 'all') {
    // Users and rooms share one namespace, so `lab-3:` is a room, as is `#lab-3:`.
    const name = checkName(target);
    recipient = name.ok ? server.roster.get(name.name) : undefined;
    const room = recipient ? undefined : checkRoomName(target);
    if (room?.ok && server.rooms.visible(room.room, session.name)) {
      to = ROOM_PREFIX + room.room;
    } else if (recipient) {
      to = recipient.name;
    } else if (name.ok) {
      to = name.name; // nobody has registered it yet: the message is held for them
    } else {
      connection.transport.write(plainNotice(`Message not sent: there is no user or room named ${target.slice(0, 33)}.`));
      return;
    }
  }
  const result = await server.mail.submit(session.name, { id: `p${randomBytes(9).toString('base64url')}`, to, text: body, plain: true, hold: true });
  if (!connection.isOpen) return;
  if (!result.ok) {
    if (!server.penalties.penalise(connection, result.code)) connection.transport.write(plainNotice(`Message not sent: ${ERROR_CODES[result.code]}${result.detail ? ` (${result.detail})` : ''}`));
    return;
  }
  if (result.message.held) {
    connection.transport.write(plainNotice(`User ${to} has not joined yet. We will send this message when they first log in (it is kept for 7 days).`));
  } else if (recipient && !server.roster.isOnline(recipient.name)) {
    connection.transport.write(plainNotice(`User ${recipient.name} is not online right now. We will send this message when they come online.`));
  }
}
