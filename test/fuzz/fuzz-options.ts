/**
 * How many runs the fuzz properties make: a bounded number in `npm test`, many more under
 * `npm run fuzz` (scripts/fuzz.mjs sets CLASSCHAT_FUZZ_RUNS), and a seed (with its path) to
 * replay a failure exactly as fast-check printed it.
 */
import fc from 'fast-check';

export interface FuzzSettings {
  /** The `--only` name of the property in scripts/fuzz.mjs. */
  only: 'server' | 'client' | 'cluster' | 'devices';
  numRuns: number;
  seed?: number;
  path?: string;
  /** fc.commands' replayPath (printed in the counterexample): which commands ran, for a replay. */
  replayPath?: string;
  /** Mocha timeout for one property: generous under `npm run fuzz`. */
  timeoutMs: number;
}

/** `defaultRuns` is what `npm test` can afford (the file stays well under a minute on 2 cores). */
export function fuzzSettings(only: FuzzSettings['only'], defaultRuns: number): FuzzSettings {
  const runs = Number(only === 'cluster' ? process.env.CLASSCHAT_FUZZ_CLUSTER_RUNS : process.env.CLASSCHAT_FUZZ_RUNS);
  const seed = process.env.CLASSCHAT_FUZZ_SEED;
  const numRuns = Number.isInteger(runs) && runs > 0 ? runs : defaultRuns;
  return {
    only,
    numRuns,
    seed: seed !== undefined && seed !== '' ? Number(seed) : undefined,
    path: process.env.CLASSCHAT_FUZZ_PATH || undefined,
    replayPath: process.env.CLASSCHAT_FUZZ_REPLAY_PATH || undefined,
    timeoutMs: 60_000 + numRuns * 20_000,
  };
}

/**
 * fc.assert with the settings; a failure's message carries the seed, the path and the shrunk
 * command list, and how to replay it.
 */
export async function assertFuzz<T>(property: fc.IAsyncProperty<T>, settings: FuzzSettings): Promise<void> {
  const details = await fc.check(property, {
    numRuns: settings.numRuns,
    ...(settings.seed !== undefined ? { seed: settings.seed } : {}),
    ...(settings.path !== undefined ? { path: settings.path } : {}),
  });
  if (!details.failed) return;
  const report = fc.defaultReportMessage(details) ?? 'failed';
  const replayPath = /replayPath="([^"]*)"/.exec(report)?.[1];
  const replay = `npm run fuzz -- --only ${settings.only} --runs ${settings.numRuns} --seed ${details.seed} --path ${details.counterexamplePath}${replayPath ? ` --replay-path '${replayPath}'` : ''}`;
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const message = `${report}\nWhat failed: ${cause}\nReplay with: ${replay}`;
  console.error(message);
  throw new Error(message);
}

/** What both fuzz harnesses offer: a settle step, a ledger of what was checked, and a close. */
export interface FuzzHarness {
  quiesce(): Promise<void>;
  close(): Promise<void>;
  readonly ledger: { readonly acknowledgedCount: number; readonly shownCount: number; readonly roomFigures?: Record<string, number> };
}

/**
 * Runs random command lists against a fresh harness each (checked at quiescence too), asserts
 * with the settings, and prints what was covered; fails if no run completed.
 */
export async function fuzzModel<M extends object, H extends FuzzHarness>(
  commands: fc.Arbitrary<Iterable<fc.AsyncCommand<M, H>>>,
  start: () => Promise<H>,
  initialModel: () => M,
  settings: FuzzSettings,
): Promise<void> {
  const totals = { runs: 0, commands: 0, acknowledged: 0, shown: 0 };
  const extra: Record<string, number> = {};
  const property = fc.asyncProperty(commands, async (list) => {
    const harness = await start();
    try {
      await fc.asyncModelRun(() => ({ model: initialModel(), real: harness }), list);
      await harness.quiesce();
      totals.runs++;
      totals.commands += [...list].length;
      totals.acknowledged += harness.ledger.acknowledgedCount;
      totals.shown += harness.ledger.shownCount;
      for (const [name, count] of Object.entries(harness.ledger.roomFigures ?? {})) extra[name] = (extra[name] ?? 0) + count;
    } finally {
      await harness.close();
    }
  });
  await assertFuzz(property, settings);
  console.log(`      ${totals.runs} runs, ${totals.commands} commands, ${totals.acknowledged} messages acknowledged, ${totals.shown} deliveries checked`);
  if (Object.values(extra).some((count) => count > 0)) console.log(`      ${Object.entries(extra).map(([name, count]) => `${count} ${name}`).join(', ')}`);
  if (totals.runs === 0) throw new Error('no run completed');
}
