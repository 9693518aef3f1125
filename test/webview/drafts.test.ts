import { strict as assert } from 'node:assert';
import { Drafts, savedDrafts } from '../../webview/drafts';

describe('webview drafts', () => {
  it('keeps a draft per conversation, including classmates named __proto__ and constructor', () => {
    const drafts = new Drafts();
    assert.equal(drafts.get('constructor'), '', 'no inherited value for a name Object.prototype has');
    assert.equal(drafts.get('__proto__'), '');
    drafts.set('__proto__', 'to proto');
    drafts.set('constructor', 'to constructor');
    drafts.set('bob', 'to bob');
    drafts.set('bob', '');
    assert.equal(drafts.get('__proto__'), 'to proto');
    assert.equal(drafts.get('constructor'), 'to constructor');
    assert.deepEqual(drafts.saved(), [
      ['__proto__', 'to proto'],
      ['constructor', 'to constructor'],
    ]);
  });

  it('round-trips through the view state as JSON (what vscode.setState keeps)', () => {
    const drafts = new Drafts();
    drafts.set('__proto__', 'to proto');
    drafts.set('*', 'to all');
    const restored = new Drafts(savedDrafts(JSON.parse(JSON.stringify(drafts.saved()))));
    assert.equal(restored.get('__proto__'), 'to proto');
    assert.equal(restored.get('*'), 'to all');
  });

  it('reads an earlier version\'s object of drafts, and ignores anything else', () => {
    assert.deepEqual(savedDrafts(JSON.parse('{"bob":"hi","__proto__":"x","carol":3}')), [
      ['bob', 'hi'],
      ['__proto__', 'x'],
    ]);
    assert.deepEqual(savedDrafts([['bob', 'hi'], ['carol'], 'x', [1, 'y']]), [['bob', 'hi']]);
    for (const bad of [undefined, null, 'drafts', 7]) assert.deepEqual(savedDrafts(bad), []);
  });
});
