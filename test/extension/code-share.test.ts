/**
 * Code in the conversation, through the real bundle (dist/extension.js) with a stand-in vscode
 * and a real server on 127.0.0.1: alice shares editor lines (Share Selection to Chat, Ask
 * ClassChat about this) and bob, on the client library, receives them; the chat view's code
 * requests (cards, links) open files only inside alice's workspace.
 */
import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../src/client/chat-client';
import { MemoryKeyStore } from '../../src/client/key-store';
import type { ReceivedMessage } from '../../src/client/types';
import { parseSnippetMessage } from '../../src/protocol/code-snippets';
import { startTestServer, TestServer } from '../helpers/test-server';
import { until } from '../client/helpers/wait';
import { activateBundle, createFakeVscode, ExtensionModule, FakeTextDocument, FakeVscode, FakeWebviewView, openChatView, Range, Selection, Uri } from './helpers/fake-vscode';

const APP = ['export function add(a: number, b: number) {', '  return a + b;', '}', '', 'export const total = add(1, 2);', ''].join('\n');

describe('code in the conversation (bundle, stand-in vscode, real server)', function () {
  this.timeout(30_000);
  let server: TestServer;
  let fake: FakeVscode;
  let extension: ExtensionModule;
  let work: string;
  let workspace: string;
  let view: FakeWebviewView;
  let bob: ChatClient;
  const bobGot: ReceivedMessage[] = [];
  const subscriptions: Array<{ dispose(): unknown }> = [];

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false });
    work = await mkdtemp(join(tmpdir(), 'classchat-ext-code-'));
    workspace = join(work, 'project');
    await mkdir(join(workspace, 'src'), { recursive: true });
    await writeFile(join(workspace, 'src', 'app.ts'), APP);
    await writeFile(join(work, 'secret.txt'), 'outside the workspace');
    fake = createFakeVscode({ 'classchat.host': '127.0.0.1', 'classchat.port': server.port, 'classchat.userName': 'alice' });
    fake.workspaceFolders.push({ uri: Uri.file(workspace), name: 'project', index: 0 });
    extension = activateBundle(fake, subscriptions, join(work, 'storage'));
    view = openChatView(fake);
    bobGot.length = 0;
    bob = new ChatClient({ host: '127.0.0.1', port: server.port, name: 'bob', keyStore: new MemoryKeyStore() });
    bob.on('message', (m) => bobGot.push(m));
    await bob.connect();
  });

  afterEach(async () => {
    await bob.close();
    await extension.deactivate();
    for (const s of subscriptions.splice(0)) s.dispose();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  async function connectAlice(): Promise<void> {
    await fake.api.commands.executeCommand('classchat.connect');
    assert.equal(fake.context.get('classchat.state'), 'connected', JSON.stringify(fake.shown));
    await until(() => fake.quickPicks.length === 0 && bob.roster.has('alice'), 'bob to see alice');
  }

  function editAppTs(selection: Selection): FakeTextDocument {
    const document = new FakeTextDocument(Uri.file(join(workspace, 'src', 'app.ts')), 'typescript', APP);
    fake.editor.active = { document, selection };
    return document;
  }

  it('shares the selected lines with their workspace path, lines and language, end-to-end encrypted to bob', async () => {
    await connectAlice();
    // Lines 1-3 selected down to the start of line 4: line 4 is not part of it.
    editAppTs(new Selection(0, 4, 3, 0));
    fake.pickAnswers.push('bob');
    fake.inputAnswers.push('Why does this return NaN?');
    await fake.api.commands.executeCommand('classchat.shareSelection');
    assert.deepEqual(fake.quickPicks[0].items.map((item) => item.label), ['Everyone', 'bob']);
    await until(() => bobGot.some((m) => m.from === 'alice'), 'bob to get the snippet');
    const got = bobGot.find((m) => m.from === 'alice')!;
    assert.equal(got.encrypted, true);
    assert.equal(got.text, 'Why does this return NaN?\n```typescript src/app.ts:1-3\nexport function add(a: number, b: number) {\n  return a + b;\n}\n```');
    assert.deepEqual(parseSnippetMessage(got.text!)?.snippet, { language: 'typescript', path: 'src/app.ts', startLine: 1, endLine: 3, code: APP.split('\n').slice(0, 3).join('\n') });
  });

  it('refuses a selection of more than 400 lines, saying so, and sends nothing', async () => {
    await connectAlice();
    const long = Array.from({ length: 450 }, (_, i) => `line ${i}`).join('\n');
    fake.editor.active = { document: new FakeTextDocument(Uri.file(join(workspace, 'long.txt')), 'plaintext', long), selection: new Selection(0, 0, 420, 3) };
    await fake.api.commands.executeCommand('classchat.shareSelection');
    assert.match(fake.shown.at(-1)?.text ?? '', /at most 400 lines at once, and this is 421/);
    assert.equal(fake.quickPicks.length, 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(bobGot.filter((m) => m.from === 'alice').length, 0);
  });

  it('asks about an error from the lightbulb: the question names the problem, the snippet holds the lines around it', async () => {
    await connectAlice();
    const document = editAppTs(new Selection(4, 0, 4, 0));
    const diagnostic = { range: new Range(4, 13, 4, 16), message: "Type 'number' is not assignable\n to type 'string'.", severity: 0, source: 'ts', code: 2322 };
    const [provider] = fake.codeActionProviders;
    const actions = provider.provider.provideCodeActions(document, diagnostic.range, { diagnostics: [diagnostic, { ...diagnostic, severity: 3 }] }) as Array<{ title: string; command: { command: string; arguments: unknown[] } }>;
    assert.deepEqual(actions.map((a) => a.title), ['Ask ClassChat about this']);
    fake.pickAnswers.push('bob');
    fake.inputAnswers.push(undefined);
    await fake.api.commands.executeCommand(actions[0].command.command, ...actions[0].command.arguments);
    assert.equal(fake.inputBoxes.at(-1)?.value, "Why do I get this error on line 5: Type 'number' is not assignable to type 'string'. (ts 2322)?");
    // Dismissed: nothing sent. Asked again with the question kept, from the Problems view's marker.
    fake.pickAnswers.push('bob');
    fake.inputAnswers.push("Why do I get this error on line 5: Type 'number' is not assignable to type 'string'. (ts 2322)?");
    await fake.api.commands.executeCommand('classchat.askAboutProblem', { marker: { resource: document.uri, message: 'Cannot find name x.', startLineNumber: 5, endLineNumber: 5, severity: 8, source: 'ts', code: '2304' } });
    assert.equal(fake.inputBoxes.at(-1)?.value, 'Why do I get this error on line 5: Cannot find name x. (ts 2304)?');
    await until(() => bobGot.some((m) => m.from === 'alice'), 'bob to get the question');
    const got = bobGot.filter((m) => m.from === 'alice');
    assert.equal(got.length, 1);
    const parsed = parseSnippetMessage(got[0].text!);
    assert.equal(parsed?.question, "Why do I get this error on line 5: Type 'number' is not assignable to type 'string'. (ts 2322)?");
    assert.deepEqual([parsed?.snippet.path, parsed?.snippet.startLine, parsed?.snippet.endLine], ['src/app.ts', 2, 6]);
  });

  it('offers no lightbulb entry while disconnected', () => {
    const document = editAppTs(new Selection(0, 0, 0, 0));
    const diagnostic = { range: new Range(0, 0, 0, 1), message: 'x', severity: 0 };
    assert.deepEqual(fake.codeActionProviders[0].provider.provideCodeActions(document, diagnostic.range, { diagnostics: [diagnostic] }), []);
  });

  describe('requests from the chat view', () => {
    const ask = async (message: unknown) => {
      view.webview.received.fire(message);
      await new Promise((resolve) => setTimeout(resolve, 50));
    };

    it('opens a workspace file at the line and column of a link or Go to My Copy', async () => {
      await ask({ type: 'openFileAt', path: 'src/app.ts', line: 5, column: 14 });
      assert.equal(fake.shownDocuments.length, 1);
      assert.equal(fake.shownDocuments[0].document.uri.fsPath, join(workspace, 'src', 'app.ts'));
      const start = fake.shownDocuments[0].selection?.start;
      assert.deepEqual([start?.line, start?.character], [4, 13]);
    });

    it('refuses paths that leave the workspace or are absolute, and says when a file is not there', async () => {
      for (const path of ['../../etc/passwd', '../secret.txt', '/etc/passwd', 'C:/Windows/win.ini', 'src/../../secret.txt', 'src\\app.ts']) {
        await ask({ type: 'openFileAt', path, line: 1 });
        await ask({ type: 'compareWithMine', path, startLine: 1, endLine: 1, language: 'text', code: 'x' });
      }
      assert.deepEqual(fake.shownDocuments, []);
      assert.deepEqual(fake.executed.filter((e) => e.id === 'vscode.diff'), []);
      assert.equal(fake.shown.filter((s) => s.level === 'error').length, 12);
      assert.match(fake.shown[0].text, /leaves the workspace/);
      await ask({ type: 'openFileAt', path: 'src/missing.ts', line: 3 });
      assert.equal(fake.shown.at(-1)?.level, 'warning');
      assert.equal(fake.shown.at(-1)?.text, 'There is no src/missing.ts in your workspace (project).');
      assert.deepEqual(fake.shownDocuments, []);
    });

    it('compares with my copy: the shared lines put in place of mine, against my file', async () => {
      await ask({ type: 'compareWithMine', path: 'src/app.ts', startLine: 2, endLine: 2, language: 'typescript', code: '  return a - b;' });
      const diff = fake.executed.find((e) => e.id === 'vscode.diff');
      assert.ok(diff, JSON.stringify(fake.shown));
      const [left, right, title] = diff.args as [Uri, Uri, string];
      assert.equal(right.fsPath, join(workspace, 'src', 'app.ts'));
      assert.equal(left.scheme, 'untitled');
      assert.equal(title, 'src/app.ts:2 shared ↔ yours');
      const theirs = fake.untitledDocuments.find((d) => d.uri === left);
      assert.equal(theirs?.getText(), APP.replace('a + b', 'a - b'));
      assert.equal(theirs?.languageId, 'typescript');
    });

    it('copies code and opens it as untitled in its language; a language that is no id becomes plain text', async () => {
      await ask({ type: 'copyCode', code: 'const x = 1;' });
      assert.deepEqual(fake.clipboard, ['const x = 1;']);
      await ask({ type: 'openUntitled', language: 'python', code: 'print(1)' });
      await ask({ type: 'openUntitled', language: '<img src=x onerror=alert(1)>', code: 'x' });
      assert.deepEqual(fake.shownDocuments.map((s) => [s.document.uri.scheme, s.document.languageId, s.document.getText()]), [
        ['untitled', 'python', 'print(1)'],
        ['untitled', 'plaintext', 'x'],
      ]);
      await ask({ type: 'copyCode', code: 'x'.repeat(1024 * 1024) });
      assert.deepEqual(fake.clipboard, ['const x = 1;'], 'a 1 MB copy request is refused');
      assert.match(fake.shown.at(-1)?.text ?? '', /too long/);
    });
  });
});
