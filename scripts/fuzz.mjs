#!/usr/bin/env node
/**
 * `npm run fuzz`: the model-based fuzz properties of test/fuzz with many more runs than
 * `npm test` makes, or one failure replayed from the seed and path fast-check printed.
 *   npm run fuzz                                  500 runs per property
 *   npm run fuzz -- --runs 2000
 *   npm run fuzz -- --only client --runs 60 --seed S --path P --replay-path R
 *                                   replay a failure: the line the failing test printed
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '500' },
    seed: { type: 'string' },
    path: { type: 'string' },
    'replay-path': { type: 'string' },
    only: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('npm run fuzz -- [--runs N] [--only server|client] [--seed S [--path P] [--replay-path R]]');
  process.exit(0);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs must be a positive integer, not ${values.runs}`);
  process.exit(2);
}
if (values.seed !== undefined && !/^-?\d+$/.test(values.seed)) {
  console.error(`--seed must be an integer, not ${values.seed}`);
  process.exit(2);
}
const files = { server: 'out/test/fuzz/server-model.test.js', client: 'out/test/fuzz/client-model.test.js' };
if (values.only !== undefined && !(values.only in files)) {
  console.error(`--only must be server or client, not ${values.only}`);
  process.exit(2);
}
const specs = values.only ? [files[values.only]] : Object.values(files);
const env = {
  ...process.env,
  CLASSCHAT_FUZZ_RUNS: String(runs),
  ...(values.seed !== undefined ? { CLASSCHAT_FUZZ_SEED: values.seed } : {}),
  ...(values.path !== undefined ? { CLASSCHAT_FUZZ_PATH: values.path } : {}),
  ...(values['replay-path'] !== undefined ? { CLASSCHAT_FUZZ_REPLAY_PATH: values['replay-path'] } : {}),
};
const result = spawnSync(process.execPath, ['node_modules/mocha/bin/mocha.js', '--no-config', '--enable-source-maps', '--timeout', '0', ...specs], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
