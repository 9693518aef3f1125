import { strict as assert } from 'node:assert';
import { MessageSearch, parseQuery, SearchableMessage } from '../../src/client/search/message-search';

let nextSeq = 0;
function message(text: string | undefined, from = 'alice', conversation = '*'): SearchableMessage {
  nextSeq += 1;
  return { seq: nextSeq, conversation, from, ts: 1_000 * nextSeq, text };
}

const seqsOf = (search: MessageSearch, text: string) => search.search({ text }).map((hit) => hit.seq);

describe('MessageSearch', () => {
  it('finds messages by their words, the word being typed as a prefix, ignoring case and accents', () => {
    const search = new MessageSearch();
    const homework = message('Is the HOMEWORK due Friday?');
    const resume = message('My résumé is attached');
    const other = message('lunch at noon');
    for (const m of [homework, resume, other]) search.add(m);
    assert.deepEqual(seqsOf(search, 'homework'), [homework.seq]);
    assert.deepEqual(seqsOf(search, 'due hom'), [homework.seq], 'the last word matches as a prefix');
    assert.deepEqual(seqsOf(search, 'hom due'), [], 'earlier words must match whole');
    assert.deepEqual(seqsOf(search, 'RESUME'), [resume.seq]);
    assert.deepEqual(seqsOf(search, 'homework lunch'), [], 'every word must match');
    assert.deepEqual(seqsOf(search, '   '), []);
  });

  it('narrows by sender and conversation, in the query or as options', () => {
    const search = new MessageSearch();
    const inLab = message('the lab report', 'bob', '#lab-3');
    const toAll = message('the lab is open', 'bob', '*');
    const byCarol = message('lab notes', 'carol', '#lab-3');
    for (const m of [inLab, toAll, byCarol]) search.add(m);
    assert.deepEqual(seqsOf(search, 'lab from:bob').sort(), [inLab.seq, toAll.seq]);
    assert.deepEqual(seqsOf(search, 'lab from:@Bob in:#lab-3'), [inLab.seq]);
    assert.deepEqual(seqsOf(search, 'lab in:everyone'), [toAll.seq]);
    assert.deepEqual(search.search({ text: 'lab', conversation: '#lab-3' }).map((hit) => hit.seq).sort(), [inLab.seq, byCarol.seq]);
    assert.deepEqual(search.search({ text: 'lab', from: 'carol' }).map((hit) => hit.from), ['carol']);
  });

  it('lists equally good matches newest first, at most the limit', () => {
    const search = new MessageSearch();
    const added = Array.from({ length: 5 }, () => message('same words here'));
    for (const m of added) search.add(m);
    assert.deepEqual(search.search({ text: 'words', limit: 3 }).map((hit) => hit.seq), added.slice(2).map((m) => m.seq).reverse());
  });

  it('follows edits and deletes: the old words stop matching, a deleted message is gone', () => {
    const search = new MessageSearch();
    const typo = message('meet at the libary');
    search.add(typo);
    search.add({ ...typo, text: 'meet at the library' });
    assert.deepEqual(seqsOf(search, 'libary'), []);
    assert.deepEqual(seqsOf(search, 'library'), [typo.seq]);
    assert.equal(search.size, 1);
    search.add({ ...typo, text: undefined });
    assert.deepEqual(seqsOf(search, 'library'), [], 'a message that lost its text (deleted) is not found');
    const secret = message('my password is swordfish');
    search.add(secret);
    search.remove(secret.seq);
    assert.deepEqual(seqsOf(search, 'swordfish'), []);
    assert.equal(search.size, 0);
  });

  it('keeps at most its cap, forgetting the oldest messages first', () => {
    const search = new MessageSearch(100);
    const all = Array.from({ length: 300 }, (_, i) => message(`note number${i}`));
    // History pages arrive newest first: add the older half last.
    for (const m of [...all.slice(150), ...all.slice(0, 150)]) search.add(m);
    assert.ok(search.size <= 110, `holds ${search.size}`);
    assert.deepEqual(seqsOf(search, 'number299'), [all[299].seq], 'the newest is kept');
    assert.deepEqual(seqsOf(search, 'number0'), [], 'the oldest is forgotten');
  });

  it('refuses a cap that is not a positive integer', () => {
    assert.throws(() => new MessageSearch(0), RangeError);
    assert.throws(() => new MessageSearch(1.5), RangeError);
  });

  it('parses filters out of the query text', () => {
    assert.deepEqual(parseQuery(' from:Bob in:#Lab-3 due  date '), { words: ['due', 'date'], from: 'bob', conversation: '#lab-3' });
    assert.deepEqual(parseQuery('in:* x'), { words: ['x'], from: undefined, conversation: '*' });
  });
});
