/**
 * Model-based fuzzing of the server over the raw protocol (issue 7, item 2): random sequences of
 * connect, log in, send (private, to everyone, to oneself, bursts), ack, resend unacknowledged
 * ids, pause reading, and disconnect (bye, abruptly, mid-frame), against a real server. Checked
 * after every command and at quiescence: see DeliveryLedger and RawHarness.
 */
import { generateIdentity, Identity } from '../../src/crypto/identity';
import { fuzzModel, fuzzSettings } from './fuzz-options';
import { initialModel, rawCommands } from './raw-commands';
import { RawHarness } from './raw-harness';

const NAMES = ['ann', 'ben', 'cat'];

describe('fuzz: the server against a delivery model (raw protocol)', function () {
  const settings = fuzzSettings('server', 80);
  this.timeout(settings.timeoutMs);
  const identities = new Map<string, Identity>();

  before(async () => {
    for (const name of NAMES) identities.set(name, await generateIdentity());
  });

  it('delivers every acknowledged message exactly once, in order, only to its recipients, and presence converges', async () => {
    await fuzzModel(rawCommands(NAMES, 60, settings.replayPath), () => RawHarness.start(identities), () => initialModel(NAMES), settings);
  });
});
