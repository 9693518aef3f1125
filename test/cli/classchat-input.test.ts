import { strict as assert } from 'node:assert';
import { parseInput } from '../../src/cli/classchat-input';

describe('classchat input lines', () => {
  it('sends plain text to everyone', () => {
    assert.deepEqual(parseInput('  hello all  '), { kind: 'send', to: '*', text: 'hello all' });
  });

  it('sends "@bob hi" to bob only', () => {
    assert.deepEqual(parseInput('@Bob hi there'), { kind: 'send', to: 'bob', text: 'hi there' });
    assert.deepEqual(parseInput('@all hi'), { kind: 'send', to: '*', text: 'hi' });
  });

  it('refuses @ without a valid name or without text', () => {
    assert.equal(parseInput('@bob').kind, 'invalid');
    assert.equal(parseInput('@ hi').kind, 'invalid');
    assert.equal(parseInput('@b!ob hi').kind, 'invalid');
  });

  it('knows /verify NAME [confirm], /accept-key NAME and /unencrypted NAME text', () => {
    assert.deepEqual(parseInput('/verify Bob'), { kind: 'verify', name: 'bob', confirm: false });
    assert.deepEqual(parseInput('/verify bob CONFIRM'), { kind: 'verify', name: 'bob', confirm: true });
    assert.deepEqual(parseInput('/accept-key bob'), { kind: 'accept-key', name: 'bob' });
    assert.deepEqual(parseInput('/unencrypted dave hi  there'), { kind: 'send', to: 'dave', text: 'hi  there', unencrypted: true });
    for (const bad of ['/verify', '/verify all', '/verify bob yes', '/accept-key', '/accept-key bob carol', '/unencrypted dave', '/unencrypted all hi']) {
      assert.equal(parseInput(bad).kind, 'invalid', bad);
    }
  });

  it('knows /who, /help, /quit and /exit', () => {
    assert.deepEqual(parseInput('/who'), { kind: 'who' });
    assert.deepEqual(parseInput('/help'), { kind: 'help' });
    assert.deepEqual(parseInput('/quit'), { kind: 'quit' });
    assert.deepEqual(parseInput('/EXIT'), { kind: 'quit' });
  });

  it('parses /history [name|all] [n] with everyone and 20 as defaults', () => {
    assert.deepEqual(parseInput('/history'), { kind: 'history', with: '*', limit: 20 });
    assert.deepEqual(parseInput('/history Bob'), { kind: 'history', with: 'bob', limit: 20 });
    assert.deepEqual(parseInput('/history all 5'), { kind: 'history', with: '*', limit: 5 });
    assert.deepEqual(parseInput('/history 7'), { kind: 'history', with: '*', limit: 7 });
  });

  it('refuses a bad /history', () => {
    assert.equal(parseInput('/history bob 0').kind, 'invalid');
    assert.equal(parseInput('/history bob 500').kind, 'invalid');
    assert.equal(parseInput('/history bob carol').kind, 'invalid');
    assert.equal(parseInput('/history b@d').kind, 'invalid');
  });

  it('reports an unknown command instead of sending it', () => {
    const result = parseInput('/whoo');
    assert.ok(result.kind === 'invalid' && /unknown command \/whoo/.test(result.message));
  });

  it('sends a line starting with // as text starting with /', () => {
    assert.deepEqual(parseInput('//shrug'), { kind: 'send', to: '*', text: '/shrug' });
  });

  it('ignores an empty line', () => {
    assert.deepEqual(parseInput('   '), { kind: 'empty' });
  });
});
