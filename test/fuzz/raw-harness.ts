/**
 * The system under test of the raw-protocol fuzz: a real ChatServer (LogStore in a temp dir) and
 * one RawUser per name, all registered before the commands run. `quiesce` brings the run to rest
 * and checks the model: presence converged, every acknowledged message shown exactly once.
 */
import type { Identity } from '../../src/crypto/identity';
import { LogStore } from '../../src/server/store/log-store';
import { makeDataDir, startTestServer, TestServer } from '../helpers/test-server';
import { DeliveryLedger } from './delivery-ledger';
import { checkErased, checkHistory, checkViews } from './ref-checks';
import { CLASS_ROOM, GROUP_ROOMS } from './room-commands';
import { RawUser, WAIT_MS } from './raw-user';

export class RawHarness {
  readonly ledger: DeliveryLedger;
  readonly users: RawUser[];
  /** Per user, a second session (another device) that only reads. */
  readonly devices: RawUser[];

  private constructor(
    readonly server: TestServer,
    identities: ReadonlyMap<string, Identity>,
  ) {
    const names = [...identities.keys()];
    this.ledger = new DeliveryLedger(names, { everySendAnswered: true });
    this.users = names.map((name) => new RawUser(name, identities.get(name)!, () => server.port, this.ledger));
    this.devices = names.map((name) => new RawUser(name, identities.get(name)!, () => server.port, this.ledger, true));
  }

  /**
   * Rate limit off (the fuzz sends bursts on purpose); a small soft queue so a paused reader
   * really congests the server's side and delivery goes through the drain path.
   */
  static async start(identities: ReadonlyMap<string, Identity>, teacher: string): Promise<RawHarness> {
    // Roles are the operator's: in the store before the server starts.
    const dataDir = await makeDataDir();
    const store = new LogStore({ dataDir });
    await store.open();
    await store.setRole(teacher, 'teacher');
    await store.close();
    const server = await startTestServer({ dataDir, rateLimit: false, softQueueBytes: 4096, fileLimits: false });
    const harness = new RawHarness(server, identities);
    // Everyone registered and online first: a message to everyone reaches those registered before it.
    for (const user of harness.users) {
      await user.open();
      await user.login(true);
    }
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
    await this.server.store.settled();
    await checkErased(this.ledger, this.server.dataDir);
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
    await this.server.close();
  }
}
