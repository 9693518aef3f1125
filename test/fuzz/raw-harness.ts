/**
 * The system under test of the raw-protocol fuzz: real ChatServer nodes (fuzz-nodes.ts) and
 * one RawUser per name, all registered before the commands run. `quiesce` brings the run to rest
 * and checks the model: presence converged, every acknowledged message shown exactly once.
 */
import type { Identity } from '../../src/crypto/identity';
import { DeliveryLedger } from './delivery-ledger';
import type { FuzzNodes } from './fuzz-nodes';
import { checkErased, checkHistory, checkViews } from './ref-checks';
import { CLASS_ROOM, GROUP_ROOMS } from './room-commands';
import { RawUser, WAIT_MS } from './raw-user';

export class RawHarness {
  readonly ledger: DeliveryLedger;
  readonly users: RawUser[];
  /** Per user, a second session (another device) that only reads. */
  readonly devices: RawUser[];

  private constructor(
    readonly nodes: FuzzNodes,
    identities: ReadonlyMap<string, Identity>,
  ) {
    const names = [...identities.keys()];
    this.ledger = new DeliveryLedger(names, { everySendAnswered: true });
    // Each session's connections go round the nodes, each starting at another one.
    const roundRobin = (start: number) => {
      let opened = start;
      return () => nodes.ports[opened++ % nodes.ports.length];
    };
    this.users = names.map((name, at) => new RawUser(name, identities.get(name)!, roundRobin(at), this.ledger));
    this.devices = names.map((name, at) => new RawUser(name, identities.get(name)!, roundRobin(at + 1), this.ledger, true));
  }

  /** `nodes` already has the teacher's role in its store (see fuzz-nodes.ts). */
  static async start(identities: ReadonlyMap<string, Identity>, nodes: FuzzNodes): Promise<RawHarness> {
    const harness = new RawHarness(nodes, identities);
    // Everyone registered and online first: a message to everyone reaches those registered before it.
    for (const user of harness.users) {
      await user.open();
      await user.login(true);
    }
    // A user addresses classmates once they are listed; on several nodes that takes a notification.
    await harness.checkPresence();
    harness.ledger.assertClean();
    return harness;
  }

  user(name: string): RawUser {
    return this.users.find((user) => user.name === name)!;
  }

  device(name: string): RawUser {
    return this.devices.find((device) => device.name === name)!;
  }

  async quiesce(): Promise<void> {
    for (const user of this.users) if (user.paused) user.resume();
    await this.checkPresence();
    for (const user of this.users) {
      if (!user.conn) await user.open();
      if (!user.loggedIn) await user.login(true);
    }
    for (const user of this.users) await user.drainOutbox();
    // Every event reaches at least its actor (or the user it names): wait until all are in.
    const rooms = this.ledger.rooms;
    for (let waited = 0; rooms.seenCount < rooms.expectedCount && waited < WAIT_MS; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
    for (const user of this.users) {
      await user.waitFor(() => (this.ledger.missing(user.name).length === 0 && this.ledger.missingEvents(user.name).length === 0 ? true : undefined), 'every acknowledged message addressed to them').catch(() => undefined);
    }
    // Anything still on its way (a stray or a duplicate) arrives before a second ping's pong.
    for (const user of this.users) await user.ping();
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const user of this.users) await user.ping();
    this.ledger.finalCheck();
    // References (PROTOCOL.md 20.5): views, history and the data directory agree with the model.
    checkViews(this.ledger);
    await checkHistory(this.ledger, this.users, [CLASS_ROOM], GROUP_ROOMS);
    await this.nodes.settled();
    await checkErased(this.ledger, () => this.nodes.storedContents());
    await this.checkPresence();
    this.ledger.assertClean();
  }

  /**
   * After quiescence every logged-in session's roster shows exactly the users with at least one
   * logged-in session online.
   */
  private async checkPresence(): Promise<void> {
    const sessions = [...this.users, ...this.devices].filter((session) => session.loggedIn);
    const online = [...new Set(sessions.map((session) => session.name))].sort();
    const want = online.join(',');
    for (const session of sessions) {
      try {
        await session.waitFor(() => (session.onlineView().join(',') === want ? true : undefined), 'presence', WAIT_MS);
      } catch {
        this.ledger.violation(`presence did not converge: ${session.label} sees [${session.onlineView()}] online, logged in: [${online}]`);
      }
    }
  }

  async close(): Promise<void> {
    for (const user of [...this.users, ...this.devices]) {
      if (user.conn) {
        user.conn.closing = true;
        user.conn.socket.destroy();
      }
    }
    await this.nodes.close();
  }
}
