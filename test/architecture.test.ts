import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** The vscode-free core: it runs in plain Node, the CLI and the extension host alike. */
const CORE = ['src/protocol', 'src/crypto', 'src/server', 'src/client', 'src/cli'];

function sourceFiles(dir: string): string[] {
  let files: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return files;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files = files.concat(sourceFiles(path));
    else if (path.endsWith('.ts')) files.push(path);
  }
  return files;
}

describe('architecture', () => {
  it('keeps the core free of vscode imports', () => {
    const files = CORE.flatMap((dir) => sourceFiles(join(ROOT, dir)));
    assert.ok(files.length > 10, 'core sources not found');
    const offenders = files.filter((file) => /(from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\))/.test(readFileSync(file, 'utf8')));
    assert.deepEqual(offenders.map((file) => relative(ROOT, file)), []);
  });
});
