/** Issue 14 item 15: the markdown parser's work grows linearly with the message, whatever its shape. */
import { strict as assert } from 'node:assert';
import { parseMarkdown, type StepMeter } from '../../webview/markdown';

function stepsFor(source: string): number {
  const meter: StepMeter = { steps: 0 };
  parseMarkdown(source, meter);
  return meter.steps;
}

const PATHOLOGICAL: Array<[string, (n: number) => string]> = [
  ['" _a" (an _ opener that never closes)', (n) => ' _a'.repeat(n)],
  ['"*a " (* openers that never close)', (n) => '*a '.repeat(n) + 'b'],
  ['nested *, _ and ** spans', (n) => '**x *y _z'.repeat(n) + ' a_ b* c**'],
  ['a run of *', (n) => '*'.repeat(3 * n)],
  ['"**a" (strong delimiters)', (n) => '**a'.repeat(n)],
  ['"`a" (backticks)', (n) => '`a'.repeat(n)],
  ['brackets and parentheses', (n) => '[a]('.repeat(n)],
  ['an address followed by a run of ) and .', (n) => 'see http://a' + ').'.repeat(2 * n) + 'b'],
  ['many addresses', (n) => ' http://a'.repeat(n)],
  ['a fence line of spaces ending in !', (n) => '```' + ' '.repeat(3 * n) + '!'],
  ['mixed delimiters', (n) => ' _*`h**a'.repeat(n)],
  ['many short lines', (n) => '_a *b\n'.repeat(n)],
];

describe('webview markdown: linear on hostile input', function () {
  this.timeout(60_000);

  for (const [name, make] of PATHOLOGICAL) {
    it(`does a bounded number of steps per character, at 5,400 and 4 × 5,400 repeats: ${name}`, () => {
      const small = make(5_400);
      const large = make(4 * 5_400);
      const perChar = stepsFor(large) / large.length;
      assert.ok(perChar < 12, `${perChar.toFixed(1)} steps per character`);
      const ratio = stepsFor(large) / stepsFor(small);
      assert.ok(ratio < 4.2, `4× the input took ${ratio.toFixed(2)}× the steps`);
    });
  }

  it('still parses what those inputs mean', () => {
    assert.deepEqual(parseMarkdown(' _a _a'), [{ type: 'paragraph', lines: [[{ type: 'text', text: ' _a _a' }]] }]);
    assert.deepEqual(parseMarkdown('see http://a).b).'), [
      { type: 'paragraph', lines: [[{ type: 'text', text: 'see ' }, { type: 'link', href: 'http://a).b', text: 'http://a).b' }, { type: 'text', text: ').' }]] },
    ]);
    assert.deepEqual(parseMarkdown('**x *y _z_ y* x**'), [
      {
        type: 'paragraph',
        lines: [[{ type: 'strong', children: [{ type: 'text', text: 'x ' }, { type: 'em', children: [{ type: 'text', text: 'y ' }, { type: 'em', children: [{ type: 'text', text: 'z' }] }, { type: 'text', text: ' y' }] }, { type: 'text', text: ' x' }] }]],
      },
    ]);
    assert.deepEqual(parseMarkdown('```   !\nx'), [{ type: 'paragraph', lines: [[{ type: 'text', text: '```   !' }], [{ type: 'text', text: 'x' }]] }]);
    assert.deepEqual(parseMarkdown('```  ts  \nx\n```'), [{ type: 'codeblock', lang: 'ts', text: 'x' }]);
  });
});
