/**
 * The in-editor suite (test/vscode-suite) inside the VS Code that code-server ships. code-server's
 * CLI rejects --extensionDevelopmentPath/--extensionTestsPath, so this starts that VS Code's own
 * server (lib/vscode/out/server-main.js) with --enable-smoke-test-driver, which lets the web
 * workbench take both from the URL payload (as VS Code's own browser integration tests do). The
 * extension host runs the suite and reports its exit code through window.codeAutomationExit.
 */
import { strict as assert } from 'node:assert';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';
import { NODE24, VSCODE_SERVER_MAIN, waitForOutput } from './code-server';

const ROOT = join(__dirname, '..', '..', '..');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH ?? ''].find((path) => path !== '' && existsSync(path));
/** The extension under test: this checkout, built by `npm run package` (CLASSCHAT_DEV_PATH for another). */
const EXTENSION = process.env.CLASSCHAT_DEV_PATH ?? ROOT;
const SUITE = join(ROOT, 'out', 'test', 'vscode-suite', 'index.js');
const SUITE_MS = 150_000;

describe('the in-editor suite in code-server\'s VS Code', function () {
  this.timeout(SUITE_MS + 60_000);
  let work: string;
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('passes every test of test/vscode-suite in a real extension host', async () => {
    if (!CHROMIUM) throw new Error('chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)');
    assert.ok(existsSync(SUITE), `${SUITE} is missing: run "npm run build"`);
    work = await mkdtemp(join(tmpdir(), 'classchat-editor-suite-'));
    await mkdir(join(work, 'workspace'));
    const dirs = ['user-data-dir', 'server-data-dir', 'extensions-dir'].flatMap((name) => [`--${name}`, join(work, name)]);
    server = spawn(
      NODE24,
      [VSCODE_SERVER_MAIN, '--host', '127.0.0.1', '--port', '0', '--without-connection-token', '--accept-server-license-terms', '--enable-smoke-test-driver', '--disable-telemetry', '--disable-workspace-trust', ...dirs],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const port = (await waitForOutput(server, /Server bound to 127\.0\.0\.1:(\d+)/, 'the VS Code server'))[1]!;
    server.stdout?.resume(); // keep draining its output, or the server blocks on a full pipe
    server.stderr?.resume();

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const page = await browser.newPage();
    const output: string[] = [];
    // The extension host's console (mocha's reporter) reaches the page as printf-style arguments.
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
      const [format, ...rest] = args.map(String);
      output.push(rest.reduce((line, arg) => line.replace(/%[sdo]/, arg), format ?? ''));
    });
    const exitCode = new Promise<number>((resolve) => void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code)));
    const remote = `vscode-remote://127.0.0.1:${port}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', `${remote}${EXTENSION}`],
      ['extensionTestsPath', `${remote}${SUITE}`],
    ]);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(join(work, 'workspace'))}&payload=${encodeURIComponent(payload)}`);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exitCode, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('timeout'), SUITE_MS)))]);
    clearTimeout(timer);
    const report = output.filter((line) => /✔|passing|failing|^\s+\d+\)|Error|ClassChat/.test(line)).join('\n');
    console.log(report.replace(/^/gm, '      | '));
    assert.equal(code, 0, `the in-editor suite did not pass (exit ${code}):\n${report}`);
    assert.match(report, /[1-9]\d* passing/, 'the suite ran no tests');
  });
});
