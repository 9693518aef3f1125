/**
 * The original ClassChat's "we will send this message when they come online", in the built
 * `classchat` against the built server (PROTOCOL.md 20.7): a private message to a name nobody
 * has registered waits, visibly, and frank gets it, encrypted, at his first login.
 */
import { strict as assert } from 'node:assert';
import { CliClass } from '../helpers/cli-class';

describe('classchat messages to a classmate who has not joined yet', function () {
  this.timeout(30_000);
  const terminals = new CliClass();
  beforeEach(() => terminals.start());
  afterEach(() => terminals.stop());

  it('alice writes to frank before frank exists: "waiting for frank to join", then frank reads it once he joins', async () => {
    const alice = await terminals.chat('alice');
    alice.type('@frank welcome, the lab is in room 3');
    await alice.waitForOutput(/\* waiting for frank to join: nobody has that name yet; the message is encrypted and sent when they first log in \(dropped after 7 days\)\n/);
    assert.doesNotMatch(alice.stdout(), /\* sent #\d+ to frank/);
    const frank = await terminals.chat('frank');
    await frank.waitForOutput(/alice → you \[e2e\]: welcome, the lab is in room 3\n/);
    await alice.waitForOutput(/\* sent #\d+ to frank\n/);
    assert.equal(frank.stdout().split('welcome, the lab is in room 3').length, 2, 'shown once');
  });
});
