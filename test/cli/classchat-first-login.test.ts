/**
 * A user's first login in the built `classchat` against the built server (PROTOCOL.md 7): their
 * mailbox starts empty, so the client shows the last 50 messages to everyone; later logins do not
 * repeat them (the backlog carries what was missed).
 */
import { strict as assert } from 'node:assert';
import { stopCli } from '../client/helpers/cli-process';
import { CliClass } from '../helpers/cli-class';
import { until } from '../client/helpers/wait';

describe('classchat at a first login', function () {
  this.timeout(60_000);
  const terminals = new CliClass();
  beforeEach(() => terminals.start());
  afterEach(() => terminals.stop());

  it('shows the last 50 messages to everyone, oldest first, and not again at the next login', async () => {
    const bob = await terminals.chat('bob');
    for (let i = 1; i <= 60; i++) bob.type(`note ${i}`);
    await until(() => (bob.stdout().match(/\* sent #\d+ to everyone\n/g) ?? []).length === 60, "bob's 60 notes stored", 20_000);
    assert.doesNotMatch(bob.stdout(), /--- /, 'nothing to show at the first login of the first user');

    let frank = await terminals.chat('frank');
    await frank.waitForOutput(/--- last 50 message\(s\) to everyone \(older ones exist\) ---\n/);
    await frank.waitForOutput(/bob → everyone: note 60\n/);
    const shown = [...frank.stdout().matchAll(/bob → everyone: note (\d+)\n/g)].map((match) => Number(match[1]));
    assert.deepEqual(shown, Array.from({ length: 50 }, (_, i) => i + 11));

    await stopCli(frank);
    frank = await terminals.chat('frank');
    bob.type('a new note');
    await frank.waitForOutput(/bob → everyone: a new note\n/);
    assert.doesNotMatch(frank.stdout(), /last \d+ message\(s\) to everyone|note 60/);
  });
});
