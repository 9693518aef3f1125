import { strict as assert } from 'node:assert';
import { snippetOf } from '../../src/client/search/snippet';

/** The marked parts of a snippet, as text. */
const marked = (s: { text: string; marks: Array<[number, number]> }) => s.marks.map(([a, b]) => s.text.slice(a, b));

describe('search snippets', () => {
  it('marks every word that matched, as the search matched it (prefix, case and accents folded)', () => {
    const s = snippetOf('Is the HOMEWORK due Friday? Homework-club meets at the Café', 'homew cafe');
    assert.equal(s.text, 'Is the HOMEWORK due Friday? Homework-club meets at the Café');
    assert.deepEqual(marked(s), ['HOMEWORK', 'Homework', 'Café']);
  });

  it('leaves the from: and in: filters out of the marks', () => {
    const s = snippetOf('bob said the lab is in room 3', 'from:bob in:#lab-3 lab');
    assert.deepEqual(marked(s), ['lab']);
  });

  it('cuts a long message around its first match, at a word, with ellipses, and keeps the marks right', () => {
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`);
    words[40] = 'needle';
    const s = snippetOf(words.join(' '), 'needle', 60);
    assert.ok(s.text.startsWith('…word'), s.text);
    assert.ok(s.text.endsWith('…'), s.text);
    assert.ok(s.text.length <= 62, `${s.text.length}`);
    assert.deepEqual(marked(s), ['needle']);
    const before = s.text.indexOf('needle');
    assert.ok(before >= 20 && before <= 40, `about 30 characters of context before the match, got ${before}`);
  });

  it('collapses line breaks, and shows the start when nothing (or only the start) matched', () => {
    assert.deepEqual(snippetOf('one\n\ntwo   three', 'two'), { text: 'one two three', marks: [[4, 7]] });
    const long = 'x'.repeat(300);
    assert.deepEqual(snippetOf(long, 'nothing', 50), { text: `${'x'.repeat(50)}…`, marks: [] });
  });
});
