/**
 * Model-based fuzzing of the server over the raw protocol v3 (issues 7 and 15): random sequences
 * of connect, log in, send (private, to everyone, to oneself, bursts), ack, resend unacknowledged
 * ids, pause reading, and disconnect (bye, abruptly, mid-frame), interleaved with rooms (create,
 * join, leave, add, remove, send), a teacher's moderation (mute, unmute, exam mode) and references
 * (replies, edits, deletes, reactions: ref-commands.ts), against a real server. Checked after every command and at quiescence: see DeliveryLedger, RoomLog,
 * ref-checks.ts and RawHarness.
 */
import { generateIdentity, Identity } from '../../src/crypto/identity';
import { fuzzModel, fuzzSettings } from './fuzz-options';
import { initialModel, rawCommands } from './raw-commands';
import { RawHarness } from './raw-harness';
import { oneNode, twoNodes } from './fuzz-nodes';
import { TestPostgres } from '../helpers/postgres';

const TEACHER = 'tess';
const NAMES = ['ann', 'ben', 'cat', TEACHER];

describe('fuzz: the server against a delivery model (raw protocol)', function () {
  const settings = fuzzSettings('server', 80);
  this.timeout(settings.timeoutMs);
  const identities = new Map<string, Identity>();

  before(async () => {
    for (const name of NAMES) identities.set(name, await generateIdentity());
  });

  it('delivers every acknowledged message exactly once, in order, only to its recipients (a room\'s members at its seq), refuses what moderation, membership and references forbid, every view and history show the final state of each message (edits, deletes), and presence converges', async () => {
    await fuzzModel(rawCommands(NAMES, TEACHER, 100, settings.replayPath), async () => RawHarness.start(identities, await oneNode(TEACHER)), () => initialModel(NAMES, TEACHER), settings);
  });

  describe('on two nodes sharing one PostgreSQL, clients moving between them as they reconnect', function () {
    const clusterSettings = fuzzSettings('cluster', 15);
    this.timeout(clusterSettings.timeoutMs);
    let pg: TestPostgres;
    before(async () => {
      pg = await TestPostgres.start();
    });
    after(async () => {
      await pg?.stop();
    });

    it('keeps the same guarantees as one node', async () => {
      await fuzzModel(rawCommands(NAMES, TEACHER, 100, clusterSettings.replayPath), async () => RawHarness.start(identities, await twoNodes(TEACHER, pg)), () => initialModel(NAMES, TEACHER), clusterSettings);
    });
  });
});
