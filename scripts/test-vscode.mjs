// `npm run test:vscode`: the in-editor suite (test/vscode-suite) in a desktop VS Code downloaded by
// @vscode/test-electron. Where VS Code cannot be downloaded it says so in one line and fails:
// never a silent pass.
import { downloadAndUnzipVSCode, runTests, SilentReporter } from '@vscode/test-electron';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

let vscodeExecutablePath;
try {
  vscodeExecutablePath = await downloadAndUnzipVSCode({ version: 'stable', reporter: new SilentReporter(), timeout: 20_000 });
} catch (error) {
  console.error(`test:vscode: cannot download VS Code on this machine (${String(error?.message ?? error).split('\n')[0]}); the real-editor test here is npm run test:e2e`);
  process.exit(1);
}
const code = await runTests({
  vscodeExecutablePath,
  extensionDevelopmentPath: ROOT,
  extensionTestsPath: join(ROOT, 'out', 'test', 'vscode-suite', 'index.js'),
  launchArgs: [mkdtempSync(join(tmpdir(), 'classchat-vscode-')), '--disable-extensions', '--disable-workspace-trust'],
});
process.exit(code);
