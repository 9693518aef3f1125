import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, CONTEXT_KEYS, VIEWS } from '../../src/extension/command-ids';

const ROOT = join(__dirname, '..', '..', '..');
const manifest: unknown = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** Reads a nested field of the manifest without trusting its shape. */
function field(path: string[]): unknown {
  let value: unknown = manifest;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !(key in value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function objects(value: unknown): Record<string, unknown>[] {
  assert.ok(Array.isArray(value), 'expected an array');
  return value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null);
}

const declared = objects(field(['contributes', 'commands']));

describe('package.json contributions', () => {
  it('declares exactly the commands the extension registers', () => {
    const ids = declared.map((command) => command.command).sort();
    assert.deepEqual(ids, Object.values(COMMANDS).sort());
  });

  it('puts every command in the ClassChat category with a title', () => {
    for (const command of declared) {
      assert.equal(command.category, 'ClassChat', String(command.command));
      assert.ok(typeof command.title === 'string' && command.title.length > 0, String(command.command));
    }
  });

  it('registers commands only through the COMMANDS table in extension.ts', () => {
    const dir = join(ROOT, 'src', 'extension');
    const registering = readdirSync(dir).filter((file) => file.endsWith('.ts') && readFileSync(join(dir, file), 'utf8').includes('registerCommand('));
    assert.deepEqual(registering, ['extension.ts']);
    const source = readFileSync(join(dir, 'extension.ts'), 'utf8');
    assert.match(source, /for \(const key of Object\.keys\(COMMANDS\)/);
    assert.match(source, /registerCommand\(COMMANDS\[key\]/);
  });

  it('refers only to declared commands in menus and the welcome view', () => {
    const ids = new Set<string>(Object.values(COMMANDS));
    const menus = field(['contributes', 'menus']);
    assert.ok(typeof menus === 'object' && menus !== null);
    for (const [menu, entries] of Object.entries(menus)) {
      for (const entry of objects(entries)) assert.ok(ids.has(String(entry.command)), `${menu}: ${String(entry.command)}`);
    }
    for (const welcome of objects(field(['contributes', 'viewsWelcome']))) {
      for (const match of String(welcome.contents).matchAll(/command:([\w.]+)/g)) assert.ok(ids.has(match[1]), match[1]);
    }
  });

  it('gives every command palette entry a when clause on known context keys', () => {
    const palette = objects(field(['contributes', 'menus', 'commandPalette']));
    const keys = Object.values(CONTEXT_KEYS);
    for (const entry of palette) {
      const when = String(entry.when);
      assert.ok(when === 'false' || keys.some((key) => when.includes(key)), `${String(entry.command)}: ${when}`);
    }
    const gated = new Set(palette.map((entry) => entry.command));
    for (const id of [COMMANDS.connect, COMMANDS.disconnect, COMMANDS.startLocalServer, COMMANDS.stopLocalServer, COMMANDS.openConversation]) {
      assert.ok(gated.has(id), `${id} has no when clause`);
    }
  });

  it('shows Connect, not Disconnect, before activation sets the context keys', () => {
    // A tiny evaluator for the forms used here: `key`, `!key`, `key == v`, `key =~ /re/`, && and ||.
    const evaluate = (when: string, context: Record<string, string | undefined>): boolean =>
      when.split('||').some((all) =>
        all.split('&&').every((raw) => {
          const term = raw.trim();
          if (term.startsWith('!')) return !context[term.slice(1)];
          if (/^[\w.]+$/.test(term)) return Boolean(context[term]);
          const eq = /^([\w.]+) == ([\w.]+)$/.exec(term);
          if (eq) return context[eq[1]] === eq[2];
          const re = /^([\w.]+) =~ \/(.+)\/$/.exec(term);
          if (re) return new RegExp(re[2]).test(context[re[1]] ?? '');
          throw new Error(`unexpected when term: ${term}`);
        }),
      );
    const palette = objects(field(['contributes', 'menus', 'commandPalette']));
    const whenOf = (id: string) => String(palette.find((entry) => entry.command === id)?.when);
    const before = {};
    assert.equal(evaluate(whenOf(COMMANDS.connect), before), true);
    assert.equal(evaluate(whenOf(COMMANDS.disconnect), before), false);
    assert.equal(evaluate(whenOf(COMMANDS.startLocalServer), before), true);
    assert.equal(evaluate(whenOf(COMMANDS.messageClassmate), before), false);
    const connected = { 'classchat.state': 'connected' };
    assert.equal(evaluate(whenOf(COMMANDS.connect), connected), false);
    assert.equal(evaluate(whenOf(COMMANDS.disconnect), connected), true);
    const titles = objects(field(['contributes', 'menus', 'view/title']));
    const inClassmates = { view: 'classchat.classmates' };
    assert.deepEqual(titles.filter((t) => evaluate(String(t.when), inClassmates)).map((t) => t.command), [COMMANDS.connect, COMMANDS.startLocalServer]);
    assert.deepEqual(titles.filter((t) => evaluate(String(t.when), { view: 'classchat.chat' })).map((t) => t.command), []);
    const welcome = objects(field(['contributes', 'viewsWelcome']))[0];
    assert.equal(evaluate(String(welcome.when), before), true);
  });

  it('declares the view container, the Chat webview view and the Classmates tree', () => {
    const containers = objects(field(['contributes', 'viewsContainers', 'activitybar']));
    assert.deepEqual(containers.map((c) => [c.id, c.icon]), [[VIEWS.container, 'media/classchat.svg']]);
    const views = objects(field(['contributes', 'views', VIEWS.container]));
    assert.deepEqual(views.map((v) => [v.id, v.type ?? 'tree']), [
      [VIEWS.chat, 'webview'],
      [VIEWS.classmates, 'tree'],
    ]);
  });

  it('activates only on its own commands and views (no "*")', () => {
    const events = field(['activationEvents']);
    assert.ok(Array.isArray(events));
    assert.ok(!events.includes('*') && !events.includes('onStartupFinished'));
    assert.equal(field(['main']), './dist/extension.js');
  });

  it('declares every setting the extension reads, and no others', () => {
    const properties = field(['contributes', 'configuration', 'properties']);
    assert.ok(typeof properties === 'object' && properties !== null);
    const source = readFileSync(join(ROOT, 'src', 'extension', 'settings.ts'), 'utf8');
    const read = [...source.matchAll(/(?:string|boolean|port|choice|serverList)Setting\(get, '([\w.]+)'/g)].map((m) => `classchat.${m[1]}`);
    assert.deepEqual(Object.keys(properties).sort(), [...new Set(read)].sort());
  });

  it('pins @types/vscode to the lowest VS Code the manifest accepts', () => {
    const engine = String(field(['engines', 'vscode']));
    const types = String(field(['devDependencies', '@types/vscode']));
    assert.equal(engine, `^${types}`);
  });

  it('offers Send File to Classmate in the explorer (files only), the editor title, the palette and on classmates, only while connected', () => {
    const sendFile = declared.find((command) => command.command === COMMANDS.sendFile);
    assert.equal(sendFile?.title, 'Send File to Classmate…');
    assert.equal(sendFile?.category, 'ClassChat');
    const evaluate = (when: string, context: Record<string, string | boolean | undefined>): boolean =>
      when.split('||').some((all) =>
        all.split('&&').every((raw) => {
          const term = raw.trim();
          if (term.startsWith('!')) return !context[term.slice(1)];
          const eq = /^([\w.]+) == ([\w.]+)$/.exec(term);
          if (eq) return context[eq[1]] === eq[2];
          const re = /^([\w.]+) =~ \/(.+)\/$/.exec(term);
          if (re) return new RegExp(re[2]).test(String(context[re[1]] ?? ''));
          throw new Error(`unexpected when term: ${term}`);
        }),
      );
    const entry = (menu: string) => {
      const found = objects(field(['contributes', 'menus', menu])).filter((e) => e.command === COMMANDS.sendFile);
      assert.ok(found.length > 0, `${menu} has Send File`);
      return found.map((e) => String(e.when));
    };
    const [explorer] = entry('explorer/context');
    const states = ['connected', 'reconnecting', 'connecting', 'disconnected', undefined];
    assert.deepEqual(states.map((state) => evaluate(explorer, { 'classchat.state': state })), [true, true, false, false, false]);
    assert.equal(evaluate(explorer, { 'classchat.state': 'connected', explorerResourceIsFolder: true }), false, 'files only');
    const [editor] = entry('editor/title/context');
    assert.equal(evaluate(editor, { 'classchat.state': 'connected', resourceScheme: 'file' }), true);
    assert.equal(evaluate(editor, { 'classchat.state': 'connected', resourceScheme: 'untitled' }), false);
    assert.equal(evaluate(editor, { 'classchat.state': 'disconnected', resourceScheme: 'file' }), false);
    const [palette] = entry('commandPalette');
    assert.deepEqual(states.map((state) => evaluate(palette, { 'classchat.state': state })), [true, true, false, false, false]);
    const items = objects(field(['contributes', 'menus', 'view/item/context'])).filter((e) => e.command === COMMANDS.sendFile);
    assert.deepEqual(items.map((e) => String(e.group).split('@')[0]).sort(), ['1_chat', 'inline']);
    for (const item of items.map((e) => String(e.when))) {
      const on = (viewItem: string, state = 'connected') => evaluate(item, { view: VIEWS.classmates, viewItem, 'classchat.state': state });
      assert.equal(on('classmate.online.pinned'), true);
      assert.equal(on('classmate.offline.verified'), true, 'offline classmates get files later');
      assert.equal(on('classmate.online.no_key'), false, 'a plain-text user cannot receive files');
      assert.equal(on('classmate.online.pinned', 'disconnected'), false);
    }
  });

  it('declares the download folder setting, empty by default', () => {
    const setting = field(['contributes', 'configuration', 'properties', 'classchat.downloadFolder']);
    assert.ok(typeof setting === 'object' && setting !== null);
    assert.equal((setting as Record<string, unknown>).type, 'string');
    assert.equal((setting as Record<string, unknown>).default, '');
  });
});
