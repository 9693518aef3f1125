import { strict as assert } from 'node:assert';
import { MAX_SEARCH_CHARS, parseWebviewMessage } from '../../webview/protocol';
import { apply, initialState } from '../../webview/view-state';

describe('search messages between the host and the chat view', () => {
  it('accepts a search query from the view, bounded, and nothing else under that type', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'search', query: 'homework from:bob' }), { type: 'search', query: 'homework from:bob' });
    assert.deepEqual(parseWebviewMessage({ type: 'search', query: '' }), { type: 'search', query: '' });
    for (const bad of [{ type: 'search' }, { type: 'search', query: 5 }, { type: 'search', query: 'x'.repeat(MAX_SEARCH_CHARS + 1) }]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad).slice(0, 60));
    }
  });

  it('turns results and reveal into patches without touching the messages shown', () => {
    const state = initialState(undefined);
    const hits = [{ conversation: 'bob', title: 'bob', seq: 7, from: 'bob', ts: 1, snippet: 'hi', marks: [] as Array<[number, number]> }];
    assert.deepEqual(apply(state, { type: 'searchResults', query: 'hi', hits }), { kind: 'search', query: 'hi', hits });
    assert.deepEqual(apply(state, { type: 'reveal', conversation: 'bob', seq: 7 }), { kind: 'reveal', conversation: 'bob', seq: 7 });
    assert.equal(state.active, '*');
    assert.deepEqual(state.messages, []);
  });
});
