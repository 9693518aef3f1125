/**
 * Blocking in the built `classchat` command against the built `classchat-server` (PROTOCOL.md
 * 20.9): /block, /blocked and /unblock, and what alice sees of dave meanwhile.
 */
import { strict as assert } from 'node:assert';
import { parseInput } from '../../src/cli/classchat-input';
import { CliClass } from '../helpers/cli-class';

describe('classchat /block with the real server', function () {
  this.timeout(30_000);
  const terminals = new CliClass();
  beforeEach(() => terminals.start());
  afterEach(() => terminals.stop());
  const chat = (name: string) => terminals.chat(name);

  it("alice blocks dave: none of dave's messages show until she unblocks him; dave is not told", async () => {
    const [alice, dave, bob] = [await chat('alice'), await chat('dave'), await chat('bob')];
    alice.type('/block dave');
    await alice.waitForOutput(/\* you blocked dave: you will not see their messages \(\/unblock dave undoes it\)\n/);
    alice.type('/blocked');
    await alice.waitForOutput(/\* you blocked: dave\n/);

    dave.type('@alice psst');
    dave.type('hello everyone from dave');
    await bob.waitForOutput(/dave → everyone: hello everyone from dave/);
    bob.type('@alice marker from bob');
    await alice.waitForOutput(/bob → you \[e2e\]: marker from bob/);
    assert.doesNotMatch(alice.stdout(), /psst|hello everyone from dave/);
    assert.doesNotMatch(dave.stdout(), /block|! /, 'dave sees nothing of it');

    alice.type('/unblock dave');
    await alice.waitForOutput(/\* you unblocked dave: their new messages reach you again\n/);
    dave.type('@alice are we friends again?');
    await alice.waitForOutput(/dave → you \[e2e\]: are we friends again\?/);
    alice.type('/blocked');
    await alice.waitForOutput(/\* you have blocked nobody\n/);
  });

  it('explains bad /block input in one line', async () => {
    assert.deepEqual(parseInput('/block'), { kind: 'invalid', message: 'usage: /block NAME' });
    assert.deepEqual(parseInput('/block @Dave'), { kind: 'block', command: { kind: 'block', name: 'dave' } });
    assert.deepEqual(parseInput('/blocked x'), { kind: 'invalid', message: '/blocked takes no arguments' });
    const alice = await chat('alice');
    alice.type('/block nobody');
    await alice.waitForOutput(/! \/block nobody: .*nobody/);
  });
});
