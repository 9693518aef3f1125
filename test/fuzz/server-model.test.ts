/**
 * Model-based fuzzing of the server over the raw protocol (issue 7, item 2): random sequences of
 * connect, log in, send (private, to everyone, to oneself, bursts), ack, resend unacknowledged
 * ids, pause reading, and disconnect (bye, abruptly, mid-frame), against a real server. Checked
 * after every command and at quiescence: see DeliveryLedger and RawHarness.
 */
import fc from 'fast-check';
import { generateIdentity, Identity } from '../../src/crypto/identity';
import { assertFuzz, fuzzSettings } from './fuzz-options';
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
    const totals = { runs: 0, commands: 0, acknowledged: 0, shown: 0 };
    const property = fc.asyncProperty(rawCommands(NAMES, 60, settings.replayPath), async (commands) => {
      const harness = await RawHarness.start(identities);
      try {
        await fc.asyncModelRun(() => ({ model: initialModel(NAMES), real: harness }), commands);
        await harness.quiesce();
        totals.runs++;
        totals.commands += [...commands].length;
        totals.acknowledged += harness.ledger.acknowledgedCount;
        totals.shown += harness.ledger.shownCount;
      } finally {
        await harness.close();
      }
    });
    await assertFuzz(property, settings);
    console.log(`      ${totals.runs} runs, ${totals.commands} commands, ${totals.acknowledged} messages acknowledged, ${totals.shown} deliveries checked`);
    if (totals.runs === 0) throw new Error('no run completed');
  });
});
