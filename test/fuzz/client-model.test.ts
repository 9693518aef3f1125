/**
 * Model-based fuzzing with the real ChatClient library (issue 7, item 2): end-to-end encrypted
 * private messages and messages to everyone, connections cut anywhere (the client reconnects and
 * resends its outbox), clients stopped and started again with the same keys, and replies, edits,
 * deletes and reactions (client-refs.ts). Every acknowledged
 * message is shown exactly once, decrypted, in order, only to its recipients; presence converges.
 */
import { MemoryKeyStore } from '../../src/client/key-store';
import { MemoryTrustStore } from '../../src/client/trust-store';
import { ClientHarness, ClientUserStores } from './client-harness';
import { clientCommands, initialClientModel } from './client-commands';
import { fuzzModel, fuzzSettings } from './fuzz-options';

const NAMES = ['ann', 'ben', 'cat'];

describe('fuzz: the ChatClient library against a delivery model (E2E private messages)', function () {
  const settings = fuzzSettings('client', 60);
  this.timeout(settings.timeoutMs);

  it('shows every acknowledged message exactly once, decrypted, in order, only to its recipients, every view and history() show the final state of each message, and presence converges', async () => {
    // One machine per user: keys and pins survive across runs (each run is a fresh server).
    const stores = new Map<string, ClientUserStores>(NAMES.map((name) => [name, { keys: new MemoryKeyStore(), trust: new MemoryTrustStore() }]));
    await fuzzModel(clientCommands(NAMES, 40, settings.replayPath), () => ClientHarness.start(stores), () => initialClientModel(NAMES), settings);
  });
});
