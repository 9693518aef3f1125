/**
 * Every message, pick, input box, dialog and progress indicator goes through
 * src/extension/notices.ts, which neutralises links (issue 14, item 1). This scan keeps it so.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './helpers/fake-vscode';

/** The vscode.window functions that show text VS Code may render links in. */
const SHOWING = /\b(show[A-Za-z]*(Message|QuickPick|InputBox|Dialog)|withProgress|setStatusBarMessage|createQuickPick|createInputBox)\b/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('notices are the only way to show text in VS Code', () => {
  it('no module of the extension but notices.ts calls vscode.window to show text', () => {
    const files = sources(join(REPO_ROOT, 'src', 'extension'));
    assert.ok(files.some((file) => file.endsWith('notices.ts')), 'notices.ts not found');
    const offenders = files
      .filter((file) => !file.endsWith(`${join('src', 'extension', 'notices.ts')}`))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, index) => ({ line, at: `${relative(REPO_ROOT, file)}:${index + 1}` }))
          .filter(({ line }) => SHOWING.test(line))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      );
    assert.deepEqual(offenders, []);
  });

  it('the scan catches a direct call (it is not vacuous)', () => {
    assert.ok(SHOWING.test('void vscode.window.showInformationMessage(`hi ${name}`);'));
    assert.ok(SHOWING.test('await window.showQuickPick(items)'));
    assert.ok(SHOWING.test('vscode.window.withProgress({ title }, task)'));
  });
});
