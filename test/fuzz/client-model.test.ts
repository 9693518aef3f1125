/**
 * Model-based fuzzing with the real ChatClient library (issue 7, item 2): end-to-end encrypted
 * private messages and messages to everyone, connections cut anywhere (the client reconnects and
 * resends its outbox), clients stopped and started again with the same keys. Every acknowledged
 * message is shown exactly once, decrypted, in order, only to its recipients; presence converges.
 */
import fc from 'fast-check';
import { MemoryKeyStore } from '../../src/client/key-store';
import { MemoryTrustStore } from '../../src/client/trust-store';
import { ClientHarness, ClientUserStores } from './client-harness';
import { clientCommands, initialClientModel } from './client-commands';
import { assertFuzz, fuzzSettings } from './fuzz-options';

const NAMES = ['ann', 'ben', 'cat'];

describe('fuzz: the ChatClient library against a delivery model (E2E private messages)', function () {
  const settings = fuzzSettings('client', 60);
  this.timeout(settings.timeoutMs);

  it('shows every acknowledged message exactly once, decrypted, in order, only to its recipients, and presence converges', async () => {
    // One machine per user: keys and pins survive across runs (each run is a fresh server).
    const stores = new Map<string, ClientUserStores>(NAMES.map((name) => [name, { keys: new MemoryKeyStore(), trust: new MemoryTrustStore() }]));
    const totals = { runs: 0, commands: 0, acknowledged: 0, shown: 0 };
    const property = fc.asyncProperty(clientCommands(NAMES, 40, settings.replayPath), async (commands) => {
      const harness = await ClientHarness.start(stores);
      try {
        await fc.asyncModelRun(() => ({ model: initialClientModel(NAMES), real: harness }), commands);
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
