#!/usr/bin/env node
/**
 * `npm run fuzz`: the model-based fuzz properties of test/fuzz with many more runs than
 * `npm test` makes, or one failure replayed from the seed and path fast-check printed.
 *   npm run fuzz                                  500 runs per property (two nodes: 100)
 *   npm run fuzz -- --runs 2000 --cluster-runs 300
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
    'cluster-runs': { type: 'string', default: '100' },
    only: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('npm run fuzz -- [--runs N] [--cluster-runs N] [--only server|client|cluster|devices] [--seed S [--path P] [--replay-path R]]');
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
// The two-node property (PostgreSQL) lives beside the one-node one; mocha's grep picks either.
const properties = {
  server: { spec: 'out/test/fuzz/server-model.test.js', grep: ['--grep', 'two nodes', '--invert'] },
  client: { spec: 'out/test/fuzz/client-model.test.js', grep: [] },
  cluster: { spec: 'out/test/fuzz/server-model.test.js', grep: ['--grep', 'two nodes'] },
  devices: { spec: 'out/test/fuzz/device-model.test.js', grep: [] },
};
if (values.only !== undefined && !(values.only in properties)) {
  console.error(`--only must be server, client, cluster or devices, not ${values.only}`);
  process.exit(2);
}
const clusterRuns = Number(values['cluster-runs']);
if (!Number.isInteger(clusterRuns) || clusterRuns < 1) {
  console.error(`--cluster-runs must be a positive integer, not ${values['cluster-runs']}`);
  process.exit(2);
}
const env = {
  ...process.env,
  CLASSCHAT_FUZZ_RUNS: String(runs),
  CLASSCHAT_FUZZ_CLUSTER_RUNS: String(values.only === 'cluster' ? runs : clusterRuns),
  ...(values.seed !== undefined ? { CLASSCHAT_FUZZ_SEED: values.seed } : {}),
  ...(values.path !== undefined ? { CLASSCHAT_FUZZ_PATH: values.path } : {}),
  ...(values['replay-path'] !== undefined ? { CLASSCHAT_FUZZ_REPLAY_PATH: values['replay-path'] } : {}),
};
let status = 0;
for (const name of values.only ? [values.only] : Object.keys(properties)) {
  const { spec, grep } = properties[name];
