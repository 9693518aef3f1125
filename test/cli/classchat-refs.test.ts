/**
 * Replies, edits, deletes, reactions, mentions, /search and moderation in the built `classchat`
 * command, several of them against the built `classchat-server` (a teacher from a --roles file).
 */
import { strict as assert } from 'node:assert';
import type { CliProcess } from '../client/helpers/cli-process';
import { CliClass } from '../helpers/cli-class';

describe('classchat replies, edits, reactions, search and moderation with the real server', function () {
  this.timeout(30_000);
  const terminals = new CliClass();
  beforeEach(() => terminals.start());
  afterEach(() => terminals.stop());
  const chat = (name: string) => terminals.chat(name);

  /** Types `line` and returns the number of the message it sent, from the `* sent #N` line it prints. */
  async function send(cli: CliProcess, line: string): Promise<number> {
    const from = cli.stdout().length;
    cli.type(line);
    await cli.waitForOutput(after(from, SENT));
    return Number(SENT.exec(cli.stdout().slice(from))![1]);
  }

  /** Waits for `pattern` in what `cli` printed after its first `from` characters. */
  function waitForNew(cli: CliProcess, from: number, pattern: RegExp): Promise<void> {
    return cli.waitForOutput(after(from, pattern));
  }

  it('alice answers bob, edits and deletes her answer: bob sees the quote, the edit and the delete', async () => {
    const [alice, bob] = [await chat('alice'), await chat('bob')];
    const question = await send(bob, 'who has the lab sheet?');
    await alice.waitForOutput(new RegExp(`\\[\\d\\d:\\d\\d\\] \\(#${question}\\) bob → everyone: who has the lab sheet\\?\\n`));

    const answer = await send(alice, `/reply ${question} I do`);
    assert.match(alice.stdout(), new RegExp(`\\* sent #${answer} to everyone, answering #${question}\\n`));
    await bob.waitForOutput(new RegExp(`  ↪ \\(#${question}\\) you: who has the lab sheet\\?\\n\\[\\d\\d:\\d\\d\\] \\(#${answer}\\) alice → everyone: I do\\n`));

    alice.type(`/edit ${answer} I do, it is on page 2`);
    await bob.waitForOutput(new RegExp(`\\* alice edited #${answer}: I do, it is on page 2\\n`));
    await alice.waitForOutput(new RegExp(`\\* you edited #${answer}: I do, it is on page 2\\n`));
    alice.type(`/delete ${answer}`);
    await bob.waitForOutput(new RegExp(`\\* alice deleted #${answer}\\n`));
    await alice.waitForOutput(new RegExp(`\\* you deleted #${answer}\\n`));

    // A private message, end-to-end encrypted: `/edit text` changes the last one alice sent.
    const secret = await send(alice, '@bob meet at 5');
    await bob.waitForOutput(new RegExp(`\\(#${secret}\\) alice → you \\[e2e\\]: meet at 5\\n`));
    alice.type('/edit meet at 6');
    await bob.waitForOutput(new RegExp(`\\* alice edited #${secret}: meet at 6\\n`));

    const page = bob.stdout().length;
    bob.type('/history all');
    await waitForNew(bob, page, new RegExp(`\\(#${question}\\) you → everyone: who has the lab sheet\\?\\n.*\\n?.*\\(#${answer}\\) alice → everyone: \\(message deleted\\)\\n`));
    bob.type('/history alice');
    await waitForNew(bob, page, new RegExp(`\\(#${secret}\\) alice → you \\[e2e\\]: meet at 6 \\(edited\\)\\n`));
    assert.doesNotMatch(bob.stdout(), /^! /m);
  });

  it('shows reactions with who gave or took back which, and the counts; in a private conversation too', async () => {
    const [alice, bob, carol] = [await chat('alice'), await chat('bob'), await chat('carol')];
    const news = await send(alice, 'the test is moved to friday');
    await bob.waitForOutput(new RegExp(`\\(#${news}\\) alice → everyone: the test is moved`));
    await carol.waitForOutput(new RegExp(`\\(#${news}\\) alice → everyone: the test is moved`));

    bob.type(`/react ${news} 👍`);
    await alice.waitForOutput(new RegExp(`\\* bob reacted 👍 to #${news} \\(👍 1\\)\\n`));
    carol.type(`/react #${news} 👍`);
    await alice.waitForOutput(new RegExp(`\\* carol reacted 👍 to #${news} \\(👍 2\\)\\n`));
    await bob.waitForOutput(new RegExp(`\\* carol reacted 👍 to #${news} \\(👍 2\\)\\n`));
    bob.type(`/react ${news} 🎉`);
    await alice.waitForOutput(new RegExp(`\\* bob reacted 🎉 to #${news} \\(👍 2, 🎉 1\\)\\n`));
    bob.type(`/unreact ${news} 👍`);
    await alice.waitForOutput(new RegExp(`\\* bob took back 👍 on #${news} \\(👍 1, 🎉 1\\)\\n`));
    await bob.waitForOutput(new RegExp(`\\* you took back 👍 on #${news} \\(👍 1, 🎉 1\\)\\n`));
    bob.type(`/unreact ${news} 👍`);
    await bob.waitForOutput(new RegExp(`! /unreact #${news}: you have no 👍 reaction on #${news}\\n`));

    const secret = await send(alice, '@bob are you coming?');
    await bob.waitForOutput(new RegExp(`\\(#${secret}\\) alice → you \\[e2e\\]: are you coming\\?`));
    bob.type(`/react ${secret} yes`);
    await alice.waitForOutput(new RegExp(`\\* bob reacted yes to #${secret} \\(yes 1\\)\\n`));
  });

  it('/search finds an end-to-end encrypted private message by its words, sender and conversation', async () => {
    const [alice, bob] = [await chat('alice'), await chat('bob')];
    const code = await send(bob, '@alice the locker code is 4711');
    await alice.waitForOutput(new RegExp(`\\(#${code}\\) bob → you \\[e2e\\]: the locker code is 4711`));
    await send(bob, 'the locker room is closed today');
    await alice.waitForOutput(/bob → everyone: the locker room is closed/);

    let from = alice.stdout().length;
    alice.type('/search LOCKER code');
    await waitForNew(alice, from, new RegExp(`--- 1 message\\(s\\) match "LOCKER code" \\(best first\\) ---\\n  \\[\\d\\d:\\d\\d\\] \\(#${code}\\) bob → you: the locker code is 4711\\n`));
    from = alice.stdout().length;
    alice.type('/search lock in:bob');
    await waitForNew(alice, from, /--- 1 message\(s\) match "lock in:bob"/);
    from = alice.stdout().length;
    alice.type('/search locker from:carol');
    await waitForNew(alice, from, /\* nothing this session has shown matches "locker from:carol"\n/);
    // Bob's own sends are searchable on his side too.
    bob.type('/search 4711');
    await bob.waitForOutput(new RegExp(`\\(#${code}\\) you → alice: the locker code is 4711\\n`));
  });

  it('marks a message that mentions you, with no bell when not on a terminal', async () => {
    const [alice, bob] = [await chat('alice'), await chat('bob')];
    const seq = await send(bob, 'can @alice share the slides?');
    await alice.waitForOutput(new RegExp(`\\(#${seq}\\) bob → everyone \\[mentions you\\]: can @alice share the slides\\?\\n`));
    await send(bob, 'thanks all');
    await alice.waitForOutput(/\) bob → everyone: thanks all\n/);
    assert.equal(alice.stdout().includes('\x07'), false);
    assert.equal(alice.stdout().includes('\x1b'), false);
  });

  it('a teacher mutes a student, whose next message is refused, and turns exam mode on and off; a student may not', async () => {
    const [teacher, bob, alice] = [await chat('mrs.k'), await chat('bob'), await chat('alice')];
    alice.type('/mute bob 5');
    await alice.waitForOutput(/! \/mute bob: .*\n/);
    assert.equal(lines(alice, /^! /).length, 1, alice.stdout());

    teacher.type('/mute bob 10');
    await teacher.waitForOutput(/\* bob is muted for 10 minutes: their messages are refused until then/);
    await bob.waitForOutput(/\[\d\d:\d\d\] \* mrs\.k muted you until \d\d:\d\d\n/);
    bob.type('can I still talk?');
    await bob.waitForOutput(/! not delivered to everyone: .*muted.*\n/);
    teacher.type('/unmute bob');
    await teacher.waitForOutput(/\* bob is not muted any more\n/);
    await bob.waitForOutput(/\* mrs\.k unmuted you\n/);
    const rude = await send(bob, 'back again, and rude');
    await teacher.waitForOutput(new RegExp(`\\(#${rude}\\) bob → everyone: back again, and rude\\n`));
    teacher.type(`/delete ${rude}`);
    await bob.waitForOutput(new RegExp(`\\* mrs\\.k deleted #${rude} \\(your message\\)\\n`));
    await alice.waitForOutput(new RegExp(`\\* mrs\\.k deleted #${rude} \\(bob's message\\)\\n`));

    teacher.type('/exam on');
    await teacher.waitForOutput(/\* exam mode is on: only teachers and TAs can write to everyone/);
    await alice.waitForOutput(/\* Exam mode is on: only teachers and TAs can write to Everyone\n/);
    alice.type('is this on the exam?');
    await alice.waitForOutput(/! not delivered to everyone: .*\n/);
    await send(alice, '@mrs.k a private question still works');
    teacher.type('/exam off');
    await alice.waitForOutput(/\* Exam mode is off/);
    await send(alice, 'thanks');
    assert.equal(lines(alice, /^! /).length, 2, alice.stdout());
  });

  it('explains bad message commands in one line each and sends nothing', async () => {
    const alice = await chat('alice');
    alice.type('/edit 999 x');
    await alice.waitForOutput(/! \/edit #999: #999 is not a message this session has shown \(find it with \/history or \/search\)\n/);
    alice.type('/edit fixed text');
    await alice.waitForOutput(/! \/edit: you have not sent a message in this session yet; name one: \/edit N text\n/);
    const seq = await send(alice, 'hello');
    alice.type(`/react ${seq}`);
    await alice.waitForOutput(new RegExp(`! say which reaction: /react ${seq} 👍\\n`));
    alice.type(`/react ${seq} two words`);
    await alice.waitForOutput(/! usage: \/react N EMOJI/);
    alice.type('/reply 5');
    await alice.waitForOutput(/! write your answer after the number: \/reply 5 text\n/);
    alice.type('/delete');
    await alice.waitForOutput(/! usage: \/delete N/);
    alice.type('/mute bob');
    await alice.waitForOutput(/! usage: \/mute NAME MINUTES/);
    alice.type('/exam maybe');
    await alice.waitForOutput(/! usage: \/exam on\|off\n/);
    alice.type('/search from:bob');
    await alice.waitForOutput(/! say which words to find/);
    alice.type(`/delete ${seq}`);
    await alice.waitForOutput(new RegExp(`\\* you deleted #${seq}\\n`));
    alice.type(`/edit ${seq} again`);
    await alice.waitForOutput(new RegExp(`! /edit #${seq}: .*deleted`));
    assert.equal(lines(alice, /^! /).length, 10, alice.stdout());
    assert.equal(lines(alice, /^\* sent /).length, 1, alice.stdout());
  });

  /** Lines of `cli`'s output matching `pattern`. */
  function lines(cli: CliProcess, pattern: RegExp): string[] {
    return cli.stdout().split('\n').filter((line) => pattern.test(line));
  }
});

const SENT = /\* sent #(\d+) to /;

/** `pattern`, tested only against the output after its first `from` characters (waitForOutput tests the whole output). */
function after(from: number, pattern: RegExp): RegExp {
  const shifted = new RegExp(pattern.source, pattern.flags);
  shifted.test = (text: string) => pattern.test(text.slice(from));
  return shifted;
}
