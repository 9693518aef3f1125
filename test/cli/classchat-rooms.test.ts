/**
 * Rooms in the built `classchat` command, several of them against the built `classchat-server`
 * (roles from a --roles file): group rooms, a teacher's read-only class room, refusals.
 */
import { strict as assert } from 'node:assert';
import type { CliProcess } from '../client/helpers/cli-process';
import { CliClass } from '../helpers/cli-class';

describe('classchat rooms with the real server', function () {
  this.timeout(30_000);
  const terminals = new CliClass();
  beforeEach(() => terminals.start());
  afterEach(() => terminals.stop());
  const chat = (name: string) => terminals.chat(name);

  /** Lines of `cli`'s output matching `pattern`. */
  const lines = (cli: CliProcess, pattern: RegExp) => cli.stdout().split('\n').filter((line) => pattern.test(line));

  it('alice makes lab-3 with bob: bob reads and answers, carol (not a member) can neither send nor join', async () => {
    const [alice, bob, carol] = [await chat('alice'), await chat('bob'), await chat('carol')];
    alice.type('/create lab-3 bob');
    await alice.waitForOutput(/\* created #lab-3 \(end-to-end encrypted\); members: you, bob\. Write to it with #lab-3 message\n/);
    await bob.waitForOutput(/\[#lab-3\] \* alice created #lab-3 with bob\n/);

    alice.type('#lab-3 hello team');
    await bob.waitForOutput(/\[\d\d:\d\d\] \[#lab-3\] \(#\d+\) alice: hello team\n/);
    bob.type('#LAB-3 hi alice');
    await alice.waitForOutput(/\[\d\d:\d\d\] \[#lab-3\] \(#\d+\) bob: hi alice\n/);

    carol.type('#lab-3 let me in');
    await carol.waitForOutput(/! not sent to #lab-3: #lab-3 is not a room you know of/);
    carol.type('/join lab-3');
    await carol.waitForOutput(/! \/join #lab-3: .*(no such room|not one you can see)/);
    carol.type('/members lab-3');
    await carol.waitForOutput(/! \/members #lab-3: /);
    // Still running; and what was said in lab-3 never reached carol, though later mail did.
    alice.type('@carol are you there?');
    await carol.waitForOutput(/alice → you \[e2e\]: are you there\?/);
    assert.doesNotMatch(carol.stdout(), /hello team|hi alice/);

    bob.type('/members lab-3');
    await bob.waitForOutput(/\* #lab-3 \(2\): alice, bob \(you\)\n/);
    bob.type('/rooms');
    await bob.waitForOutput(/Your rooms \(1\):\n {2}#lab-3 {2}group {2}end-to-end encrypted {2}2 members {2}owner alice\nClass rooms you can join \(0\): none\n/);
  });

  it('a member removed from lab-3 gets nothing sent after, and cannot send there', async () => {
    const [alice, bob] = [await chat('alice'), await chat('bob')];
    alice.type('/create lab-3 bob');
    await bob.waitForOutput(/\[#lab-3\] \* alice created/);
    alice.type('#lab-3 before');
    await bob.waitForOutput(/\[#lab-3\] \(#\d+\) alice: before\n/);

    alice.type('/remove lab-3 bob');
    await alice.waitForOutput(/\* #lab-3: removed bob; what is sent from now on uses keys bob does not get\n/);
    await bob.waitForOutput(/\[#lab-3\] \* alice removed bob\n/);
    alice.type('#lab-3 after the removal');
    alice.type('@bob marker');
    // The private message was sent after the room message: once it is shown, the room message would have been too.
    await bob.waitForOutput(/alice → you \[e2e\]: marker/);
    assert.doesNotMatch(bob.stdout(), /after the removal/);
    bob.type('#lab-3 still here?');
    await bob.waitForOutput(/! not sent to #lab-3: you are not a member of #lab-3\n/);
  });

  it('the teacher makes a read-only class room: a student sees it, joins it, reads it, and is refused when writing', async () => {
    const [teacher, alice] = [await chat('mrs.k'), await chat('alice')];
    alice.type('/create section-b --class');
    await alice.waitForOutput(/! \/create #section-b: .*only a teacher creates class rooms/);

    teacher.type('/create announcements --class --clear --read-only');
    await teacher.waitForOutput(/\* created #announcements \(not encrypted: the server can read it; read-only: only teachers and TAs write in it\); every student can \/join it/);
    alice.type('/rooms');
    await alice.waitForOutput(
      /Your rooms \(0\): none yet.*\nClass rooms you can join \(1\): \(\/join ROOM\)\n {2}#announcements {2}class {2}not encrypted: the server can read it; read-only: only teachers and TAs write in it {2}1 member {2}owner mrs\.k\n/,
    );
    alice.type('/join announcements');
    await alice.waitForOutput(/\* you are in #announcements \(not encrypted: the server can read it; read-only/);
    await teacher.waitForOutput(/\[#announcements\] \* alice joined\n/);

    teacher.type('#announcements exam on friday');
    await alice.waitForOutput(/\[#announcements\] \(#\d+\) mrs\.k \[not encrypted\]: exam on friday\n/);
    alice.type('#announcements which room?');
    await alice.waitForOutput(/! not delivered to #announcements: .*#announcements is for announcements/);
    assert.equal(lines(alice, /^! /).length, 2, alice.stdout());
    alice.type('/leave announcements');
    await alice.waitForOutput(/\* you are not in #announcements any more\n/);
  });

  it('explains bad room input in one line and sends nothing', async () => {
    const alice = await chat('alice');
    alice.type('/create lab!3 bob');
    await alice.waitForOutput(/! "#lab!3" is not a valid room name: use 1-32 of a-z, 0-9, "_", "\." and "-"; usage: \/create ROOM/);
    alice.type('/create all');
    await alice.waitForOutput(/! #all is a reserved name, not a room/);
    alice.type('/create lab-3 b@d');
    await alice.waitForOutput(/! "b@d" is not a user name/);
    alice.type('/create lab-3 --secret');
    await alice.waitForOutput(/! unknown option --secret/);
    alice.type('#lab-3');
    await alice.waitForOutput(/! write the message after the room: #lab-3 hello/);
    alice.type('/create lab-3 nobody');
    await alice.waitForOutput(/! \/create #lab-3: .*nobody/);
    alice.type('/rooms');
    await alice.waitForOutput(/Your rooms \(0\)/);
  });

  it('keeps its room keys beside the key file, so a restarted chat still reads the room history', async () => {
    const [alice, bob] = [await chat('alice'), await chat('bob')];
    alice.type('/create lab-3 bob');
    await bob.waitForOutput(/\[#lab-3\] \* alice created/);
    alice.type('#lab-3 from before the restart');
    await bob.waitForOutput(/\[#lab-3\] \(#\d+\) alice: from before the restart/);
    bob.type('#lab-3 answer from bob');
    await alice.waitForOutput(/\[#lab-3\] \(#\d+\) bob: answer from bob/);
    alice.type('/quit');
    assert.equal(await alice.exited, 0);

    const again = await chat('alice');
    again.type('/history #lab-3');
    await again.waitForOutput(/--- last 3 message\(s\) in #lab-3 ---\n.*\* alice created #lab-3.*\n.*\[#lab-3\] \(#\d+\) you: from before the restart\n.*\[#lab-3\] \(#\d+\) bob: answer from bob\n/);
  });
});
