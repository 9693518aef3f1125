/**
 * The in-editor suite: mocha inside a real extension host (VS Code via @vscode/test-electron, or
 * code-server in `npm run test:e2e`). VS Code calls `run` with the extension under development.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false });
  for (const file of readdirSync(__dirname).filter((name) => name.endsWith('.suite.js'))) mocha.addFile(join(__dirname, file));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} in-editor test(s) failed`)) : resolve()));
  });
}
