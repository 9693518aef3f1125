import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Block, Inline, isSafeHref, parseInline, parseMarkdown } from '../../webview/markdown';

/** All the text a person would see, concatenated. */
function visible(blocks: Block[]): string {
  const inline = (i: Inline): string => (i.type === 'strong' || i.type === 'em' ? i.children.map(inline).join('') : i.text);
  return blocks.map((b) => (b.type === 'codeblock' ? b.text : b.lines.map((l) => l.map(inline).join('')).join('\n'))).join('\n');
}

describe('webview markdown subset', () => {
  it('parses bold, italic, inline code and links', () => {
    assert.deepEqual(parseInline('a **b** *c* _d_ `e` https://x.org/p.'), [
      { type: 'text', text: 'a ' },
      { type: 'strong', children: [{ type: 'text', text: 'b' }] },
      { type: 'text', text: ' ' },
      { type: 'em', children: [{ type: 'text', text: 'c' }] },
      { type: 'text', text: ' ' },
      { type: 'em', children: [{ type: 'text', text: 'd' }] },
      { type: 'text', text: ' ' },
      { type: 'code', text: 'e' },
      { type: 'text', text: ' ' },
      { type: 'link', href: 'https://x.org/p', text: 'https://x.org/p' },
      { type: 'text', text: '.' },
    ]);
  });

  it('parses fenced code blocks verbatim, with the language', () => {
    const blocks = parseMarkdown('look:\n```ts\nconst a = **b**;\n<b>x</b>\n```\nok');
    assert.deepEqual(blocks, [
      { type: 'paragraph', lines: [[{ type: 'text', text: 'look:' }]] },
      { type: 'codeblock', lang: 'ts', text: 'const a = **b**;\n<b>x</b>' },
      { type: 'paragraph', lines: [[{ type: 'text', text: 'ok' }]] },
    ]);
  });

  it('leaves snake_case words, lone stars and HTML as literal text', () => {
    assert.deepEqual(parseInline('my_var_name 2 * 3 <script>alert(1)</script>'), [{ type: 'text', text: 'my_var_name 2 * 3 <script>alert(1)</script>' }]);
    assert.deepEqual(parseInline('<img src=x onerror=alert(1)>'), [{ type: 'text', text: '<img src=x onerror=alert(1)>' }]);
  });

  it('never makes a link of javascript: or data: addresses', () => {
    const parsed = parseInline('javascript:alert(1) data:text/html,<b>x</b> [x](javascript:alert(1))');
    assert.ok(parsed.every((i) => i.type !== 'link'));
    assert.equal(isSafeHref('javascript:alert(1)'), false);
    assert.equal(isSafeHref('https://example.org'), true);
  });

  it('keeps every character of any message visible (nothing dropped as markup it does not understand)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const shown = visible(parseMarkdown(text));
        // Delimiters consumed as markup are the only characters that may disappear.
        const strip = (s: string) => s.replace(/[*_`\s]/g, '');
        assert.equal(strip(shown), strip(text.replace(/^\s{0,3}```.*$/gm, '')));
      }),
    );
  });
});

describe('fence info strings', () => {
  it('takes the first word as the language, so a snippet that is no card still reads as code', () => {
    assert.deepEqual(parseMarkdown('```typescript ../../etc/passwd:1-2\nroot:x\n```'), [{ type: 'codeblock', lang: 'typescript', text: 'root:x' }]);
    assert.deepEqual(parseMarkdown('```<img src=x> a.ts:1\nx\n```')[0].type, 'paragraph');
  });
});
