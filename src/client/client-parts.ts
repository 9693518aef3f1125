/**
 * The parts behind ChatClient, built and wired once: roster, trust, conversations, file
 * transfers, rooms with their keys, references and moderation. It takes each server frame to the
 * part it concerns and tells every part about the connection's life (logged in, lost, shut down),
 * so ChatClient itself is only the public facade.
 */
import type { Identity } from '../crypto/identity';
import { ClassChatError } from '../protocol/errors';
import type { FileOffer, HelloFrame, ServerFrame, ServerFrameOf, WelcomeFrame } from '../protocol/frames';
import { ROOMS_VERSION } from '../protocol/limits';
import { REFS_FEATURE } from '../protocol/references';
import type { ConnectionLink } from './client-link';
import type { Emit } from './client-services';
import type { Connection } from './connection';
import { Conversations } from './conversations';
import { FileTransfers } from './file-transfers';
import { Moderation } from './moderation';
import { Blocks } from './blocks';
import type { SentInfo } from './outbox';
import { ReceivedReferences } from './references/received-references';
import { ReferenceSends } from './references/reference-sends';
import { MemoryRoomKeyStore } from './room-key-store';
import type { RoomKeyring } from './room-keys';
import { RoomConversations } from './room-traffic';
import type { Rooms } from './rooms';
import { Roster } from './roster';
import { isPermanent, serverError } from './rules';
import { Trust } from './trust';
import { ChatDevices } from './devices/chat-devices';
import { DeviceMessageKeys } from './devices/device-message-keys';
import type { KeyStore } from './key-store';
import { MemoryTrustStore } from './trust-store';
import type { ChatClientEvents, ChatClientOptions } from './types';

/** What only the connecting client can do about a frame. */
export interface ConnectionControl {
  drop(reason: Error): void;
  noteFatal(error: Error): void;
}

export class ClientParts {
  readonly users: Roster;
  readonly trust: Trust;
  readonly files: FileTransfers;
  readonly conversations: Conversations;
  readonly rooms: Rooms;
  readonly roomKeys: RoomKeyring;
  readonly references: ReferenceSends;
  readonly moderation: Moderation;
  readonly blocks: Blocks;
  /** Linked devices (ChatClientOptions.devices), else undefined. */
  readonly devices: ChatDevices | undefined;
  private refsListed = false;
  private roomKeysClosed: Promise<void> = Promise.resolve();

  private readonly keyStore: KeyStore;

  constructor(options: ChatClientOptions, link: ConnectionLink, private readonly emit: Emit<keyof ChatClientEvents>, private readonly control: ConnectionControl) {
    const { me, clock } = link;
    this.keyStore = options.keyStore;
    this.users = new Roster({ observe: (user, previousKey) => this.trust.observe(user, previousKey), emit });
    const roster = this.users.entries;
    this.devices = options.devices && new ChatDevices(me, options.devices, (name) => this.trust.pinnedKey(name), () => this.trust.bundlePins(), (frame) => link.send(frame), emit);
    const keyStore = this.devices ? this.devices.identityStore(options.keyStore) : options.keyStore;
    this.trust = new Trust({ me, keyStore, trustStore: options.trustStore ?? new MemoryTrustStore(), roster, now: () => clock.now(), emit });
    const queueOffer = (to: string, text: string, offer: FileOffer): Promise<SentInfo> => this.conversations.queueOffer(to, text, offer);
    this.files = new FileTransfers({ link, queueOffer, openBox: (message) => this.trust.openBox(message), emit });
    const rooms = new RoomConversations({ link, emit, store: options.roomKeyStore ?? new MemoryRoomKeyStore(), trust: this.trust, conversations: () => this.conversations });
    [this.rooms, this.roomKeys] = [rooms.rooms, rooms.keyring];
    const received = new ReceivedReferences(me);
    this.blocks = new Blocks(link, emit);
    const blocked = (name: string) => this.blocks.has(name);
    const keys = this.devices ? new DeviceMessageKeys(me, this.trust, this.devices) : this.trust;
    this.conversations = new Conversations(options, { link, keys, attachments: this.files, rooms, roster, references: received, blocked, emit });
    this.references = new ReferenceSends({
      link,
      received,
      emit,
      sealPrivate: (to, id, content) => this.trust.sealContent(to, id, content),
      sealRoom: (room, id, content) => rooms.sealContent(room, id, content),
      queueText: (to, text, sendOptions) => this.conversations.queueText(to, text, sendOptions),
      queue: (to, payload, id) => this.conversations.enqueue(to, payload, id),
    });
    this.moderation = new Moderation(link);
  }

  // ---- the connection's life ----

  async prepare(): Promise<Identity> {
    const [identity] = await Promise.all([this.trust.load(), this.conversations.loadSeen(), this.roomKeys.load()]);
    await this.devices?.prepare(this.keyStore);
    this.trust.startEncryption(identity);
    return identity;
  }

  onHello(hello: HelloFrame): void {
    this.files.onHello(hello);
    this.moderation.onHello(hello);
    this.blocks.onHello(hello);
    this.refsListed = hello.features.includes(REFS_FEATURE);
  }

  afterLogin(conn: Connection, welcome: WelcomeFrame, resolveConnect: () => void): void {
    // First: the device lists and the block list the server sends next concern the backlog behind them.
    this.devices?.loggedIn(welcome);
    this.blocks.loggedIn(welcome.v);
    this.users.announce();
    resolveConnect();
    this.conversations.loggedIn(conn, welcome);
    this.rooms.loggedIn(welcome);
    this.moderation.loggedIn(welcome.v);
    this.references.setServed(this.refsListed && welcome.v >= ROOMS_VERSION);
    this.files.resume();
  }

  drained(): void {
    this.conversations.drained();
    this.files.drained();
  }

  connectionLost(): void {
    this.devices?.connectionLost();
    this.files.paused();
    this.conversations.connectionLost();
    this.rooms.connectionLost();
    this.moderation.connectionLost();
    this.blocks.connectionLost();
  }

  shutdown(reason: Error): void {
    this.devices?.shutdown();
    this.conversations.shutdown(reason);
    this.rooms.shutdown(reason);
    this.moderation.shutdown(reason);
    this.blocks.shutdown(reason);
    this.roomKeysClosed = this.roomKeys.close();
    this.files.dispose();
    this.trust.dispose();
    void this.conversations.flushShown();
  }

  /** Resolves once what was shown last and the room keys are saved. */
  async closed(): Promise<void> {
    await Promise.all([this.conversations.flushShown(), this.roomKeysClosed]);
  }

  // ---- logged in: each frame to the part it concerns ----

  route(frame: ServerFrame): void {
    if (this.devices?.onFrame(frame)) return;
    switch (frame.type) {
      case 'msg':
      case 'sent':
      case 'history_page':
        this.conversations.onFrame(frame);
        return;
      case 'synced':
        this.emit('synced', frame.seq);
        return;
      case 'presence':
        this.users.onPresence(frame.user);
        this.devices?.pinned(frame.user.name);
        this.conversations.rosterChanged();
        return;
      case 'error':
        return this.onServerError(frame);
      case 'bye':
        this.control.drop(new ClassChatError(frame.reason, frame.reason === 'replaced' ? 'you logged in from another connection, so this one was closed' : undefined));
        return;
      case 'file_chunk':
      case 'file_ack':
      case 'file_state':
      case 'file_status':
        this.files.onFrame(frame);
        return;
      case 'room':
      case 'room_list':
      case 'room_members':
        this.rooms.onFrame(frame);
        return;
      case 'done':
        this.moderation.onDone(frame.rid);
        return;
      case 'blocked':
        this.blocks.onFrame(frame);
        return;
      case 'pong':
        return;
      case 'hello':
      case 'welcome':
      case 'roster':
        this.emit('error', new ClassChatError('invalid_frame', `the server sent "${frame.type}" after login`));
    }
  }

  /** An error goes to the send, transfer or request it answers; otherwise it is the application's. */
  private onServerError(frame: ServerFrameOf<'error'>): void {
    const error = serverError(frame);
    if (frame.fatal) this.control.noteFatal(error);
    if (this.conversations.claimSendError(frame.id, error)) return;
    if (this.files.onError(frame.id, frame.rid, error)) return;
    if (this.conversations.claimRequestError(frame.rid, error)) return;
    if (this.rooms.claimRequestError(frame.rid, error)) return;
    if (this.moderation.claimRequestError(frame.rid, error)) return;
    if (this.blocks.claimRequestError(frame.rid, error)) return;
    if (!frame.fatal || !isPermanent(error.code)) this.emit('error', error);
  }
}
