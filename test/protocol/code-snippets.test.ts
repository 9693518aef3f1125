import { strict as assert } from 'node:assert';
import { CodeSnippet, formatSnippetMessage, MAX_SNIPPET_LINES, parseSnippetMessage, pathProblem } from '../../src/protocol/code-snippets';
import { findFileLinks } from '../../src/protocol/file-links';

const snippet = (overrides: Partial<CodeSnippet> = {}): CodeSnippet => ({
  language: 'typescript',
  path: 'src/app.ts',
  startLine: 12,
  endLine: 14,
  code: 'function add(a: number, b: number) {\n  return a + b;\n}',
  ...overrides,
});

describe('code snippets in messages (PROTOCOL.md 23)', () => {
  it('writes a readable fenced block with the language, path and lines, and reads it back exactly', () => {
    const text = formatSnippetMessage('Why does this return NaN?', snippet());
    assert.equal(text, 'Why does this return NaN?\n```typescript src/app.ts:12-14\nfunction add(a: number, b: number) {\n  return a + b;\n}\n```');
    assert.deepEqual(parseSnippetMessage(text), { question: 'Why does this return NaN?', snippet: snippet() });
    assert.equal(formatSnippetMessage('', snippet({ startLine: 3, endLine: 3, code: 'x' })), '```typescript src/app.ts:3\nx\n```');
  });

  it('keeps code that holds backticks, blank lines and a path with spaces intact', () => {
    const tricky = snippet({ language: 'markdown', path: 'docs/my notes 100%.md', code: 'Use ```js fences```\n\n````\nnested\n````' });
    const text = formatSnippetMessage('', tricky);
    assert.ok(text.startsWith('`````markdown docs/my%20notes%20100%25.md:12-14\n'), text);
    assert.deepEqual(parseSnippetMessage(text)?.snippet, tricky);
  });

  it('refuses to write a snippet outside the workspace, with markup for a language, or too long', () => {
    assert.throws(() => formatSnippetMessage('', snippet({ path: '../../etc/passwd' })), /leaves the workspace/);
    assert.throws(() => formatSnippetMessage('', snippet({ path: '/etc/passwd' })), /absolute/);
    assert.throws(() => formatSnippetMessage('', snippet({ path: 'C:/Windows/win.ini' })), /absolute/);
    assert.throws(() => formatSnippetMessage('', snippet({ language: '<img src=x onerror=alert(1)>' })), /not a language id/);
    assert.throws(() => formatSnippetMessage('', snippet({ startLine: 5, endLine: 4 })), /lines/);
    assert.throws(() => formatSnippetMessage('', snippet({ code: 'x\n'.repeat(MAX_SNIPPET_LINES + 1) })), /at most 400 lines/);
  });

  it('reads a hostile or malformed block as ordinary text, never as a card', () => {
    for (const text of [
      '```typescript ../../etc/passwd:1\nroot:x:0:0\n```',
      '```typescript /etc/passwd:1\nroot\n```',
      '```typescript src/a\u202eb.ts:1\nx\n```',
      '```<script> src/app.ts:1\nx\n```',
      '```typescript src/app.ts:9-2\nx\n```',
      '```typescript src/app.ts\nno lines\n```',
      '```typescript src/app.ts:1\nnot closed',
      '```typescript src/a%zz.ts:1\nx\n```',
      'a snippet ```typescript src/app.ts:1\nx\n``` with text after it\nmore',
    ]) {
      assert.equal(parseSnippetMessage(text), undefined, JSON.stringify(text));
    }
  });

  it('names what is wrong with a path', () => {
    assert.equal(pathProblem('src/app.ts'), undefined);
    assert.match(pathProblem('src/../../x') ?? '', /leaves/);
    assert.match(pathProblem('src\\app.ts') ?? '', /backslash/);
    assert.match(pathProblem('src//app.ts') ?? '', /empty/);
    assert.match(pathProblem('x'.repeat(300)) ?? '', /1-256/);
  });
});

describe('file:line links in messages (PROTOCOL.md 23)', () => {
  it('finds path:line and path:line:col, relative paths with an extension only', () => {
    const text = 'see src/app.ts:42 and lib/util.py:7:3, also README.md:1.';
    assert.deepEqual(findFileLinks(text).map(({ path, line, column }) => [path, line, column]), [['src/app.ts', 42, undefined], ['lib/util.py', 7, 3], ['README.md', 1, undefined]]);
    const [first] = findFileLinks(text);
    assert.equal(text.slice(first.start, first.end), 'src/app.ts:42');
  });

  it('leaves alone what only looks like one: absolute paths, .., URLs, times, versions, hosts', () => {
    for (const text of ['/etc/passwd.txt:1', '../secret.txt:3', 'src/../../x.ts:1', 'https://example.com/a.html:80', 'meet at 12:30', 'version 1.2:3', 'localhost:8080', 'C:\\x.ts:1', 'a.ts:0']) {
      assert.deepEqual(findFileLinks(text), [], text);
    }
  });

  it('finds at most 50 links in one message', () => {
    assert.equal(findFileLinks('a.ts:1 '.repeat(200)).length, 50);
  });
});
