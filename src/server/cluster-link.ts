/**
 * Applies what other nodes sharing the store do (Store.cluster) to this node: their messages
 * reach this node's sessions in seq order with its own (delivery-order.ts), and users online
 * there are online here, registered ones put in the roster. This node's presence changes are
 * announced to them.
 */
import type { Role } from '../protocol/room-frames';
import type { RosterEntry } from './chat-server-options';
import { DeliveryOrder } from './delivery-order';
import type { ClusterSync } from './cluster-sync';
import type { Blocks } from './blocks/blocks';
import type { Logger } from './logger';
import type { Mailboxes } from './mailboxes';
import type { PresenceBatcher } from './presence-batcher';
import type { Roster } from './roster';
import type { SessionRegistry } from './session-registry';
import type { ClusterFeed, PresenceChange, Store } from './store/store';

export interface ClusterLinkParts {
  feed: ClusterFeed;
  /** Told of `order`, through which it knows what this node has applied. */
  sync: ClusterSync;
  store: Store;
  sessions: SessionRegistry;
  roster: Roster;
  mail: Mailboxes;
  presence: Pick<PresenceBatcher, 'changedUser'>;
  blocks: Pick<Blocks, 'changedElsewhere' | 'reload'>;
  log: Logger;
}

export class ClusterLink {
  /** What logins tell of presence changes here: this node's sessions, and the other nodes. */
  readonly presence: Pick<PresenceBatcher, 'changedUser'>;
  private order: DeliveryOrder | undefined;

  constructor(private readonly parts: ClusterLinkParts) {
    this.presence = {
      changedUser: (user) => {
        parts.presence.changedUser(user);
        parts.feed.announce(this.changeOf(user as RosterEntry));
      },
    };
  }

  async start(): Promise<void> {
    const { mail, sessions, store, feed } = this.parts;
    const order = new DeliveryOrder(store.headSeq(), (message, offer) => mail.deliver(message, offer), () => sessions.forEach((session) => session.schedulePump()));
    this.order = order;
    mail.order = order;
    this.parts.sync.attach(order);
    await feed.start({
      messages: (messages) => {
        for (const message of messages) order.committed(message);
      },
      presence: (node, change) => this.presenceElsewhere(node, change),
      joined: () => this.announceEveryone(),
      resumed: () => this.announceEveryone(),
      role: (name, role) => this.roleChanged(name, role),
      block: (blocker, blocked, on) => this.parts.blocks.changedElsewhere(blocker, blocked, on),
      missedNotes: () => void this.reloadNotes(),
      left: (node) => {
        for (const name of this.parts.sessions.forgetNode(node)) {
          const user = this.parts.roster.get(name);
          if (user) this.presenceChanged(user);
        }
      },
    });
  }

  async stop(): Promise<void> {
    this.order?.stop();
    this.parts.sync.attach(undefined);
    await this.parts.feed.stop();
  }

  private roleChanged(name: string, role: Role): void {
    if (this.parts.roster.roleOf(name) === role) return;
    const user = this.parts.roster.setRole(name, role);
    if (user) this.parts.presence.changedUser(user);
  }

  /** Roles and block lists as the store has them, after the node bus missed their notifications. */
  private async reloadNotes(): Promise<void> {
    const { store, roster, blocks, log } = this.parts;
    try {
      const [roles, blockLists] = await Promise.all([store.listRoles(), store.listBlocks()]);
      for (const [name, role] of roles) this.roleChanged(name, role);
      for (const name of roster.users.keys()) if (!roles.has(name)) this.roleChanged(name, 'student');
      blocks.reload(blockLists);
    } catch (error) {
      log.warn(`could not read roles and block lists again after the node bus reconnected: ${String(error)}`);
    }
  }

  private presenceElsewhere(node: string, change: PresenceChange): void {
    const { roster, sessions } = this.parts;
    let user = roster.get(change.name);
    if (!user) {
      // Registered on that node, with the cursor the store gave it there.
      user = { name: change.name, publicKey: change.publicKey, ackedSeq: change.ackedSeq } satisfies RosterEntry;
      roster.put(user);
    } else {
      if (user.publicKey === null && change.publicKey !== null) user.publicKey = change.publicKey; // a key was bound to the name there
      if (change.ackedSeq > user.ackedSeq) user.ackedSeq = change.ackedSeq; // acknowledged there (the store has it already)
    }
    if (sessions.setOnlineElsewhere(change.name, node, change.online)) this.presenceChanged(user);
    else roster.changed(user);
  }

  /** The welcome roster of later logins, and the sessions here, learn it alike. */
  private presenceChanged(user: RosterEntry): void {
    this.parts.roster.changed(user);
    this.parts.presence.changedUser(user);
  }

  /** A node that just started (or all of them, after this one was counted dead) is told who is online here. */
  private announceEveryone(): void {
    const { roster, sessions, feed } = this.parts;
    for (const user of roster.users.values()) {
      if (sessions.isOnlineHere(user.name)) feed.announce(this.changeOf(user));
    }
  }

  private changeOf(user: RosterEntry): PresenceChange {
    return { name: user.name, publicKey: user.publicKey, online: this.parts.sessions.isOnlineHere(user.name), ackedSeq: user.ackedSeq };
  }
}
