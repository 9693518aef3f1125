import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

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

/** Relative imports of each source file (type-only ones too: they tie modules as closely). */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets: string[] = [];
    for (const match of readFileSync(file, 'utf8').matchAll(/(?:import|export)\s[^'";]*?from\s+['"](\.[^'"]+)['"]/g)) {
      const base = resolve(dirname(file), match[1]);
      const target = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
      if (target) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Every import circle, each as the files on it (depth-first search, colouring files in progress). */
function importCircles(graph: Map<string, string[]>): string[][] {
  const circles: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): void => {
    if (done.has(file)) return;
    const at = path.indexOf(file);
    if (at !== -1) {
      circles.push(path.slice(at));
      return;
    }
    path.push(file);
    for (const target of graph.get(file) ?? []) visit(target);
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return circles;
}

describe('architecture', () => {
  it('has no import circle under src/', () => {
    const files = sourceFiles(join(ROOT, 'src'));
    assert.ok(files.length > 50, 'sources not found');
    const circles = importCircles(importGraph(files)).map((circle) => circle.map((file) => relative(ROOT, file)).join(' -> '));
    assert.deepEqual(circles, []);
  });

  it('finds an import circle when there is one', () => {
    const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    assert.deepEqual(importCircles(graph), [['a', 'b', 'c']]);
  });

  it('keeps the core free of vscode imports', () => {
    const files = CORE.flatMap((dir) => sourceFiles(join(ROOT, dir)));
    assert.ok(files.length > 10, 'core sources not found');
    const offenders = files.filter((file) => /(from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\))/.test(readFileSync(file, 'utf8')));
    assert.deepEqual(offenders.map((file) => relative(ROOT, file)), []);
  });
});
